"""Every report, with the CLI command's options as query parameters and ``--json`` as body.

``GET /api/v1/workspaces/{name}/funnel?steps=product_view,purchase&window=7d`` answers what
``journeyscope funnel -w DIR --steps product_view,purchase --window 7d --json`` prints:
the same typed query goes to :func:`journeyscope.app.run`, and the body is
``report.for_language(lang)``. Parameters are named after the long options (dashes become
underscores; dates are ``since``/``until``, which every command also accepts). Options
that name files on the server (``--rules``, ``--models``, ``-o``, ``--export-*``,
``--paths``) and engine choice (``--engine``, ``--dataset``) are not offered: a client may
not read or write the server's files, and the workspace's own ``workspace.yaml`` picks the
engine. An unknown parameter is a 422, as a misspelt option is an error in the CLI.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.app import run
from journeyscope.app.queries import (
    AttributionQuery,
    FunnelQuery,
    InsightsQuery,
    PathsQuery,
    RetentionQuery,
    StagesQuery,
    StatsQuery,
    TouchpointsQuery,
)
from journeyscope.app.queries import Query as AppQuery
from journeyscope.app.reports import (
    AttributionReport,
    FunnelReport,
    InsightsReport,
    OverTimeReport,
    PathsReport,
    Report,
    RetentionReport,
    StagesReport,
    StatsReport,
    TouchpointsReport,
)
from journeyscope.server.deps import Lang, ReadWorkspace, State
from journeyscope.server.state import ServerState

router = APIRouter(prefix="/api/v1/workspaces/{name}", tags=["reports"])

Body = dict[str, Any]


class Params(BaseModel):
    """Query parameters every route accepts; unknown ones are refused."""

    model_config = ConfigDict(extra="forbid")
    lang: Literal["en", "vi"] | None = Field(
        None, description="Language of names and errors (else Accept-Language, else en)."
    )

    def query_fields(self) -> dict[str, Any]:
        """The fields the client set, as the application query's keywords."""
        return self.model_dump(exclude={"lang"}, exclude_unset=True)


class ScopeParams(Params):
    since: str | None = Field(None, description="First day (YYYY-MM-DD or ISO time).")
    until: str | None = Field(None, description="Last day, included.")
    where: str | None = Field(None, description='Event filter: "channel in (shopee, lazada)".')
    interval: str | None = Field(
        None,
        description="day, week or month: one row per period (workspace time zone, ISO weeks) "
        "with the change from the previous period (the over-time shape).",
    )


class JourneyParams(ScopeParams):
    per: str = Field("customer", description="What one journey is: customer or session.")
    session_gap: str | None = Field(
        None, description="Inactivity that ends a session (else workspace.yaml, 30m)."
    )
    session_column: str | None = Field(
        None, description="per=session: a field holding the session id (properties.session_id)."
    )


class FunnelParams(JourneyParams):
    steps: str = Field(description="Comma-separated steps; a step may carry a filter.")
    window: str = "14d"
    mode: str = "ordered"
    exclude: list[str] = Field(default_factory=list, description="Repeat for several.")
    by: str | None = None
    time_between: str | None = Field(None, description="Two 1-based step numbers: 2,4.")

    def query_fields(self) -> dict[str, Any]:
        fields = super().query_fields()
        if "exclude" in fields:
            fields["exclude"] = tuple(fields["exclude"])
        return fields


class PathsParams(JourneyParams):
    level: str = "event"
    start: str | None = Field(None, alias="from", description="Sankey: steps after this event.")
    end: str | None = Field(None, alias="to", description="Sankey: steps leading to this event.")
    depth: int = 4
    top: int = 15
    merge_repeats: bool = Field(True, description="Variants: repeats in a row as one step.")


class StagesParams(ScopeParams):
    model: str = Field("retail5", description="Stage model id (see `stages list`).")
    stall: str = "30d"


class TouchpointsParams(JourneyParams):
    conversion: str = "purchase"
    within: str = "7d"
    repeat_within: str = "7d"
    model: str = "retail5"
    min_customers: int = 1


class RetentionParams(ScopeParams):
    period: str = "month"
    cohort_event: str | None = None
    return_event: str | None = None
    purchase: str = "purchase"
    threshold: float = 0.95
    by: str | None = None
    model: str = Field(
        "heuristic", description="Churn risk; bgnbd adds BG/NBD customer value (`lifetime`)."
    )
    horizon: str = Field("90d", description="bgnbd: purchases and value expected over this.")


class InsightsParams(Params):
    #: the command's options named otherwise here (errors name the parameter)
    cli_names: ClassVar[dict[str, str]] = {"since": "changes_since", "from": "since", "to": "until"}
    since: str | None = Field(None, description="First day scanned (YYYY-MM-DD).")
    until: str | None = Field(None, description="Last day scanned, included.")
    where: str | None = Field(None, description='Event filter: "channel in (shopee, lazada)".')
    changes_since: str | None = Field(
        None, description="Only changes going on or ending after this day (CLI --since)."
    )
    sensitivity: str | None = Field(None, description="low, medium or high.")
    by: list[str] | None = Field(None, description="Fields to break down by; repeat it.")

    def query_fields(self) -> dict[str, Any]:
        fields = super().query_fields()
        if "by" in fields:
            by = fields.pop("by")
            fields["slices"] = tuple(by) if by else None
        return fields


class AttributionParams(ScopeParams):
    model: str = "markov"
    compare: str | None = Field(None, description="Several models: first,last,markov.")
    order: int = 1
    conversion: str = "purchase"
    lookback: str = "30d"
    level: str = "channel"
    value: str = "revenue"
    repeats: str = "keep"
    half_life: str = "7d"
    position: str = "40,40"

    def query_fields(self) -> dict[str, Any]:
        fields = super().query_fields()
        if "compare" in fields:
            text = fields.pop("compare")
            fields["compare"] = tuple(m.strip() for m in text.split(",")) if text else ()
        return fields


def shape(report: type[Report], over_time: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the body is the report's JSON (names already in one language); with
    ``interval``, the over-time shape (one row per period)."""
    model: Any = report | OverTimeReport if over_time else report
    return {200: {"model": model, "description": "The report, as `--json` prints it."}}


def answer(query: AppQuery, ws: ReadWorkspace, lang: str, state: ServerState | None = None) -> Body:
    """The one thing a report route does after parsing: run the query (with ``state``: or
    take the answer kept since the data last changed, :mod:`~journeyscope.server.report_cache`),
    send ``--json``."""
    report = (
        run(query, ws) if state is None else state.reports.answer(ws, query, lambda: run(query, ws))
    )
    return report.for_language(lang)


@router.get(
    "/funnel",
    summary="Customers reaching each step (journeyscope funnel)",
    responses=shape(FunnelReport),
)
def funnel(
    params: Annotated[FunnelParams, Query()], ws: ReadWorkspace, lang: Lang, state: State
) -> Body:
    return answer(FunnelQuery(**params.query_fields()), ws, lang, state)


@router.get(
    "/paths", summary="Paths between events (journeyscope paths)", responses=shape(PathsReport)
)
def paths(
    params: Annotated[PathsParams, Query()], ws: ReadWorkspace, lang: Lang, state: State
) -> Body:
    return answer(PathsQuery(**params.query_fields()), ws, lang, state)


@router.get(
    "/stages",
    summary="Customers per journey stage (journeyscope stages)",
    responses=shape(StagesReport),
)
def stages(
    params: Annotated[StagesParams, Query()], ws: ReadWorkspace, lang: Lang, state: State
) -> Body:
    return answer(StagesQuery(**params.query_fields()), ws, lang, state)


@router.get(
    "/touchpoints",
    summary="Reach and conversion per touchpoint",
    responses=shape(TouchpointsReport),
)
def touchpoints(
    params: Annotated[TouchpointsParams, Query()], ws: ReadWorkspace, lang: Lang, state: State
) -> Body:
    return answer(TouchpointsQuery(**params.query_fields()), ws, lang, state)


@router.get(
    "/retention",
    summary="Cohorts, RFM and churn risk (journeyscope retention)",
    responses=shape(RetentionReport),
)
def retention(
    params: Annotated[RetentionParams, Query()], ws: ReadWorkspace, lang: Lang, state: State
) -> Body:
    return answer(RetentionQuery(**params.query_fields()), ws, lang, state)


@router.get(
    "/attribution",
    summary="Credit per channel (journeyscope attribution)",
    responses=shape(AttributionReport),
)
def attribution(
    params: Annotated[AttributionParams, Query()], ws: ReadWorkspace, lang: Lang, state: State
) -> Body:
    return answer(AttributionQuery(**params.query_fields()), ws, lang, state)


@router.get(
    "/insights",
    summary="What changed, found without being told where (journeyscope insights)",
    responses=shape(InsightsReport, over_time=False),
)
def insights(
    name: str,
    params: Annotated[InsightsParams, Query()],
    ws: ReadWorkspace,
    lang: Lang,
    state: State,
) -> Body:
    # the evidence commands name the workspace as this server does, never its folder
    query = InsightsQuery(**params.query_fields(), workspace_label=name)
    return answer(query, ws, lang, state)


@router.get(
    "/stats",
    summary="Events, customers, identifiers (journeyscope stats)",
    responses=shape(StatsReport, over_time=False),
)
def stats(params: Annotated[Params, Query()], ws: ReadWorkspace, lang: Lang, state: State) -> Body:
    return answer(StatsQuery(), ws, lang, state)
