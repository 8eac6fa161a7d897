"""What a user can ask: one typed query per operation.

Faces build these from what the user typed (the CLI's options, later the HTTP API's
query parameters and bodies) and hand them to :func:`journeyscope.app.run`. Values keep
the user's spelling (``"14d"``, ``"product_view[category=bags]"``): they are parsed by the
operation, so every face gets the same located, bilingual errors (``--window 7x``).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AttributionQuery",
    "CustomerQuery",
    "CustomerStagesQuery",
    "DroppedQuery",
    "ExplainQuery",
    "FunnelQuery",
    "InsightsQuery",
    "JourneyQuery",
    "PathsQuery",
    "Query",
    "ReportQuery",
    "ResolveQuery",
    "RetentionQuery",
    "StagesQuery",
    "StatsQuery",
    "TouchpointsQuery",
]


class Query(BaseModel):
    """Every query: immutable, no unknown fields (a misspelt option is an error)."""

    # schemas are built on first use, not for every query model at import (CLI start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kind: ClassVar[str] = ""
    #: whether answering writes to the workspace (it is then opened for writing)
    writes: ClassVar[bool] = False


class ReportQuery(Query):
    """A report over a workspace's journeys: the period, a filter, and where it runs."""

    since: str | None = Field(None, description="First day (YYYY-MM-DD or ISO time).")
    until: str | None = Field(None, description="Last day, included.")
    where: str | None = Field(None, description='Event filter, e.g. "channel in (shopee, lazada)".')
    engine: str | None = Field(None, description="duckdb or spark (else workspace.yaml).")
    spark_master: str | None = None
    dataset: str | None = Field(None, description="Spark: the events dataset (folder or URI).")
    interval: str | None = Field(
        None,
        description="day, week or month: one row per period (workspace time zone, ISO weeks).",
    )


class JourneyQuery(ReportQuery):
    """A report that follows journeys: each customer's whole history, or each session
    (``per="session"``; the rule: docs/analytics.md, "Sessions")."""

    per: str = Field("customer", description="What one journey is: customer or session.")
    session_gap: str | None = Field(
        None,
        description="Inactivity that ends a session (else workspace.yaml sessions.gap, 30m).",
    )
    session_column: str | None = Field(
        None, description="per session: a field holding the session id (properties.session_id)."
    )


class FunnelQuery(JourneyQuery):
    kind: ClassVar[str] = "funnel"
    steps: str = Field(description="Comma-separated steps; a step may carry a filter.")
    window: str = "14d"
    mode: str = "ordered"
    exclude: tuple[str, ...] = ()
    by: str | None = None
    time_between: str | None = Field(None, description="Two 1-based step numbers: 2,4.")


class DroppedQuery(FunnelQuery):
    """Who reached ``step`` but not the next one, written to ``output``."""

    kind: ClassVar[str] = "dropped"
    step: str
    output: Path


class PathsQuery(JourneyQuery):
    kind: ClassVar[str] = "paths"
    level: str = "event"
    start: str | None = Field(None, description="Sankey: the steps after this event.")
    end: str | None = Field(None, description="Sankey: the steps leading to this event.")
    depth: int = 4
    top: int = 15
    merge_repeats: bool = Field(True, description="Variants: one step for repeats in a row.")


class StagesQuery(ReportQuery):
    kind: ClassVar[str] = "stages"
    model: str = "retail5"
    rules: Path | None = None
    models: tuple[Path, ...] = ()
    stall: str = "30d"
    output: Path | None = Field(None, description="Every customer's stage and dates (CSV).")


class CustomerStagesQuery(StagesQuery):
    kind: ClassVar[str] = "customer_stages"
    customer: str = Field(description="A customer id or TYPE:VALUE.")


class TouchpointsQuery(JourneyQuery):
    kind: ClassVar[str] = "touchpoints"
    conversion: str = "purchase"
    within: str = "7d"
    repeat_within: str = "7d"
    model: str = "retail5"
    rules: Path | None = None
    min_customers: int = 1
    contacts: tuple[str, ...] | None = Field(
        None, description="Contact events (else workspace.yaml's events.contacts)."
    )


class RetentionQuery(ReportQuery):
    kind: ClassVar[str] = "retention"
    period: str = "month"
    cohort_event: str | None = None
    return_event: str | None = None
    purchase: str = "purchase"
    threshold: float = 0.95
    by: str | None = None
    output: Path | None = Field(None, description="Every customer's RFM and churn risk.")
    model: str = Field(
        "heuristic",
        description="Churn risk: heuristic, or bgnbd (BG/NBD + Gamma-Gamma customer value, "
        "calibrated up to `until`).",
    )
    horizon: str = Field("90d", description="bgnbd: purchases and value expected over this.")


class AttributionQuery(ReportQuery):
    """Credit per channel: one model, or several side by side (``compare``)."""

    kind: ClassVar[str] = "attribution"
    model: str = "markov"
    compare: tuple[str, ...] = ()
    order: int = 1
    conversion: str = "purchase"
    lookback: str = "30d"
    level: str = "channel"
    value: str = "revenue"
    repeats: str = "keep"
    half_life: str = "7d"
    position: str = "40,40"
    export_matrix: Path | None = None
    export_effects: Path | None = None
    # aggregated paths from a file instead of a workspace's journeys
    paths_file: Path | None = None
    path_col: str = "path"
    conv_col: str = "total_conversions"
    value_col: str | None = None
    null_col: str | None = None
    sep: str = ">"
    delimiter: str | None = None


class InsightsQuery(ReportQuery):
    """What changed, found by a scan of every key step, stage, event and slice."""

    kind: ClassVar[str] = "insights"
    changes_since: str | None = Field(
        None, description="Only changes still going on or ending after this day (--since)."
    )
    sensitivity: str | None = Field(
        None, description="low, medium or high (else workspace.yaml's insights.sensitivity)."
    )
    slices: tuple[str, ...] | None = Field(
        None,
        description="Fields to break down by, --by (else workspace.yaml's insights.slices).",
    )
    workspace_label: str | None = Field(
        None,
        description="How the evidence commands name the workspace (-w …); else its folder.",
    )


class StatsQuery(Query):
    kind: ClassVar[str] = "stats"


class CustomerQuery(Query):
    kind: ClassVar[str] = "customer"
    ref: str = Field(description="A customer id or TYPE:VALUE (phone:0903123456).")
    limit: int = 500


class ResolveQuery(Query):
    """Stitch events into customers: the workspace's own, or on Spark from raw events in a
    lake (``source``) to a resolved dataset (``dataset``)."""

    kind: ClassVar[str] = "resolve"
    writes: ClassVar[bool] = True
    engine: str | None = None
    spark_master: str | None = None
    source: str | None = Field(None, description="Spark: the raw events (folder or URI).")
    dataset: str | None = Field(None, description="Spark: where the resolved events go.")
    overwrite: bool = False


class ExplainQuery(Query):
    """The chain of links behind an identifier's customer."""

    kind: ClassVar[str] = "explain"
    ref: str = Field(description="TYPE:VALUE, e.g. phone:0903123456.")
