"""What each operation answers: typed, language-neutral reports.

These models are what ``--json`` prints and what the HTTP API sends. Field names are the
documented ``--json`` shapes (docs/analytics.md); a key that a report sends only in some
cases (``breakdown`` with ``--by``, ``sankey`` with ``--from``/``--to``, ``output`` with
``-o``) is left out of the JSON when it was not produced, exactly as before. Names that
have a language (a stage model's stage names) travel in both languages (``{en, vi}``) and
are put in one language by the face (:meth:`Report.for_language`); everything else is
codes and numbers. Nested models accept keys they do not name (``extra="allow"``), so a
report can grow a field without breaking a client that validates against an older schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

__all__ = [
    "AttributionReport",
    "CustomerReport",
    "CustomerStagesReport",
    "DroppedReport",
    "ExplainReport",
    "FunnelReport",
    "InsightsReport",
    "ModelCredits",
    "Note",
    "OverTimeReport",
    "PathsReport",
    "Report",
    "ResolveReport",
    "RetentionReport",
    "ScopeOut",
    "StagesReport",
    "StatsReport",
    "TouchpointsReport",
]

#: A name in both languages (``{"en": ..., "vi": ...}``) or one plain string
Text = str | dict[str, str]


class Part(BaseModel):
    """A nested piece of a report: named fields typed, other keys kept."""

    model_config = ConfigDict(extra="allow")


class Note(BaseModel):
    """Something a face should tell the user beside the numbers (a message code from the
    i18n catalogue and its parameters), e.g. events not yet stitched into customers."""

    code: str
    params: dict[str, Any] = Field(default_factory=dict)


def _notes_schema(schema: dict[str, Any]) -> None:
    """OpenAPI: ``notes`` is written by :meth:`Report.for_language`, not a field."""
    schema.setdefault("properties", {})["notes"] = {
        "type": "array",
        "description": "What a face should say beside the numbers (present when any), "
        "e.g. events not yet stitched into customers; `message` in the asked language",
        "items": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        },
    }


class Report(Part):
    """Every report: what was asked (``scope``), which engine answered, notes for the face."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_notes_schema)
    engine: str | None = None
    _notes: list[Note] = PrivateAttr(default_factory=list)

    @property
    def notes(self) -> list[Note]:
        return self._notes

    def note(self, code: str, **params: Any) -> None:
        self._notes.append(Note(code=code, params=params))

    def said(self, lang: str) -> list[dict[str, str]]:
        """The notes as a face says them: each one's code and its message in ``lang``
        (numbers written for the language)."""
        from journeyscope.i18n import t
        from journeyscope.i18n.formatting import format_number

        out = []
        for note in self._notes:
            params = {
                k: format_number(v, lang) if isinstance(v, int | float) else v
                for k, v in note.params.items()
            }
            out.append({"code": note.code, "message": t(note.code, lang, **params)})
        return out

    def for_language(self, lang: str) -> dict[str, Any]:
        """The JSON a face sends: names in ``lang``, keys that were never set left out, and
        ``notes`` (what the CLI also says on stderr) when there are any."""
        data: dict[str, Any] = _localized(self.model_dump(mode="json", exclude_unset=True), lang)
        said = self.said(lang)
        if said:
            data["notes"] = said
        return data

    def to_pandas(self) -> Any:
        """The report's main table as a pandas DataFrame (see each report's ``rows``)."""
        import pandas as pd

        return pd.DataFrame(self.rows())

    def to_arrow(self) -> Any:
        """The report's main table as a pyarrow Table."""
        import pyarrow as pa

        return pa.Table.from_pylist(self.rows())

    def rows(self) -> list[dict[str, Any]]:
        """The report's main table as records (one per step, edge, stage, …)."""
        raise NotImplementedError  # pragma: no cover - every report names its table


def _localized(value: Any, lang: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"en", "vi"} and all(isinstance(v, str) for v in value.values()):
            return value.get(lang) or value.get("en" if lang == "vi" else "vi")
        return {k: _localized(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_localized(v, lang) for v in value]
    return value


class ScopeOut(Part):
    """The events a report read: UTC bounds and the filter clauses."""

    from_: str | None = Field(None, alias="from")
    to: str | None = None
    where: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)


# -- funnel ------------------------------------------------------------------------------


class FunnelStep(Part):
    step: str
    customers: int
    conversion: float
    conversion_from_previous: float
    median_seconds: float | None = None


class FunnelGroup(Part):
    value: str
    steps: list[FunnelStep]


class FunnelReport(Report):
    """Customers reaching each step within the window."""

    mode: str
    window_seconds: float
    steps: list[FunnelStep]
    excluded_customers: int
    scope: ScopeOut
    time_to_convert: dict[str, Any] | None = None
    by: str | None = None
    breakdown: list[FunnelGroup] | None = None
    chart: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [s.model_dump() for s in self.steps]


class DroppedReport(Report):
    """``funnel --dropped-at``: who reached a step and not the next, written to a file."""

    step: str
    customers: int
    output: str

    def rows(self) -> list[dict[str, Any]]:
        return [self.model_dump(exclude={"engine"})]


# -- paths -------------------------------------------------------------------------------


class Edge(Part):
    from_: str = Field(alias="from")
    to: str
    count: int
    median_seconds: float | None = None

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)


class PathsReport(Report):
    """Directly-follows graph, starts and ends, top journeys, sessions, Sankey."""

    level: str
    edges: list[Edge]
    starts: dict[str, int]
    ends: dict[str, int]
    variants: dict[str, Any]
    sessions: dict[str, Any]
    viewed_without_buying: list[dict[str, Any]]
    scope: ScopeOut
    sankey: dict[str, Any] | None = None
    chart: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [e.model_dump(by_alias=True) for e in self.edges]


# -- stages ------------------------------------------------------------------------------


class StageRow(Part):
    stage: str
    name: Text
    customers: int
    current: int
    stalled: int
    conversion_to_next: float | None = None
    median_seconds_to_next: float | None = None
    p90_seconds_to_next: float | None = None


class StagesReport(Report):
    """Per stage: reached, there now, stalled, conversion and time to the next."""

    model: str
    model_name: Text
    stall_seconds: float
    data_ends: str | None = None
    events_without_stage: int
    events: int
    stages: list[StageRow]
    scope: ScopeOut
    output: str | None = None
    exported: int | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [s.model_dump() for s in self.stages]


class CustomerStagesReport(Report):
    """One customer's stage timeline."""

    customer_id: int
    model: str
    current_stage: Text | None = None
    timeline: list[dict[str, Any]]

    def rows(self) -> list[dict[str, Any]]:
        return list(self.timeline)


# -- touchpoints -------------------------------------------------------------------------


class TouchpointRow(Part):
    touchpoint: str
    channel: str | None = None
    stage: str | None = None
    customers: int
    converted_share: float
    dropped_share: float
    observed: int
    repeat_contact_share: float | None = None
    rating_after: float | None = None
    drop_rank: int | None = None


class TouchpointsReport(Report):
    """Per touchpoint: reach, conversion after it, drop-off, repeat contacts, ratings."""

    conversion: str
    window_seconds: float
    data_ends: str | None = None
    touchpoints: list[TouchpointRow]
    scope: ScopeOut

    def rows(self) -> list[dict[str, Any]]:
        return [t.model_dump() for t in self.touchpoints]


# -- retention ---------------------------------------------------------------------------


class Cohort(Part):
    cohort: str
    customers: int
    retention: list[float]
    segment: str | None = None


class RetentionReport(Report):
    """Cohort retention, RFM segments, churn risk."""

    period: str
    cohorts: list[Cohort]
    rfm: dict[str, Any]
    churn: dict[str, Any]
    scope: ScopeOut
    output: str | None = None
    exported: int | None = None
    chart: str | None = None
    #: ``--model bgnbd``: BG/NBD (r, alpha, a, b; weeks) and Gamma-Gamma customer value
    lifetime: dict[str, Any] | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [c.model_dump(exclude_unset=True) for c in self.cohorts]


# -- attribution -------------------------------------------------------------------------


class ModelCredits(Part):
    model: str
    conversions: dict[str, float]
    value: dict[str, float] | None = None


class AttributionReport(Report):
    """Credit per channel or touchpoint: one model's fields at the top, or ``models``."""

    model: str | None = None
    conversions: dict[str, float] | None = None
    models: list[ModelCredits] | None = None
    total_conversions: float
    total_value: float
    currency: str | None = None
    chart: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        found = self.models or [
            ModelCredits(model=self.model or "", conversions=self.conversions or {})
        ]
        return [
            {"model": m.model, "channel": ch, "conversions": n}
            for m in found
            for ch, n in m.conversions.items()
        ]


# -- over time (--interval) --------------------------------------------------------------


class PeriodRow(Part):
    """One period: its bounds (UTC), customers, the key number per series, and the change
    from the previous period (``null`` where either side has no number)."""

    period: str
    start: str
    end: str
    customers: int
    values: dict[str, float | None]
    counts: dict[str, int | None]
    change: dict[str, dict[str, float | None] | None]


class OverTimeReport(Report):
    """Any report with ``--interval``: one row per period (docs/analytics.md, "Reports
    over time"); empty periods are rows with ``customers: 0`` and null numbers."""

    report: str
    interval: str
    timezone: str
    measure: str
    series: list[str]
    periods: list[PeriodRow]
    scope: ScopeOut
    chart: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "period": p.period,
                "series": s,
                "value": p.values.get(s),
                "count": p.counts.get(s),
                "customers": p.customers,
            }
            for p in self.periods
            for s in self.series
        ]


# -- data --------------------------------------------------------------------------------


class InsightsReport(Report):
    """What changed: findings ranked by customers affected (docs/insights.md)."""

    findings: list[dict[str, Any]] = Field(default_factory=list)
    nothing_changed: bool = True

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for rank, f in enumerate(self.findings, 1):
            sl = f.get("slice") or {}
            metric = f.get("metric") or {}
            out.append(
                {
                    "rank": rank,
                    "kind": f["kind"],
                    "direction": f["direction"],
                    "what": metric.get("event")
                    or f"{metric.get('from_step') or metric.get('step')} → "
                    f"{metric.get('to_step') or metric.get('back_to')}",
                    "slice": f"{sl['field']} = {sl['value']}" if sl else "",
                    "from": f["period"]["from"],
                    "to": f["period"]["to"],
                    "customers_affected": f["customers_affected"],
                    "p_value": f["p_value"],
                    "command": f.get("command"),
                }
            )
        return out


class StatsReport(Report):
    """Events, customers and identifiers in a workspace, per channel."""

    def rows(self) -> list[dict[str, Any]]:
        return list(getattr(self, "channels", []) or [])


class CustomerReport(Report):
    """One customer's profile: identifiers, first/last seen, channels, orders, timeline."""

    customer_id: int

    def rows(self) -> list[dict[str, Any]]:
        return list(getattr(self, "timeline", []) or [])


class ResolveReport(Report):
    """What identity resolution found: customers, identifiers, events, what was excluded."""

    customers: int
    identifiers: int
    events: int
    unattributed_events: int
    excluded_identifiers: list[dict[str, Any]] = Field(default_factory=list)
    dataset: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return list(self.excluded_identifiers)


class ExplainReport(Report):
    """An identifier's customer and the links that make it."""

    identifier: str
    customer_id: int | None = None

    def rows(self) -> list[dict[str, Any]]:
        return list(getattr(self, "links", []) or [])
