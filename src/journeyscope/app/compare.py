"""``journeyscope map compare``: a designed map against the real journeys, for every face.

The report (:class:`CompareReport`) is what ``--json`` prints; the table and the overlay
(:func:`journeyscope.living.compare.overlay`) are drawn from it. The work is in
:mod:`journeyscope.living.compare`; this module checks the map can be compared (its
touchpoints name events) and that the period holds data, and types the answer.
"""

from __future__ import annotations

from typing import Any

from journeyscope.app.reports import Part, Report, ScopeOut, Text
from journeyscope.errors import InputError
from journeyscope.events.workspace import Workspace
from journeyscope.maps.model import JourneyMap

__all__ = ["CompareItem", "CompareReport", "CompareStage", "OffMapTouchpoint", "compare_map"]


class CompareStage(Part):
    """A designed stage (one whose touchpoints name events), as customers really used it."""

    stage: str
    name: Text
    customers: int  # customers with an event of the stage
    events: int
    to_next: int | None = None  # of them, customers at the next stage afterwards
    to_next_share: float | None = None
    skipped: int  # customers who reached a later stage without this one
    skipped_share: float | None = None  # of those who reached a later stage
    came_back: int  # customers who returned to it from a later stage


class CompareItem(Part):
    """A mapped touchpoint (a cell item with ``events:``) and its customers."""

    stage: str
    lane: str
    index: int
    text: Text
    events: list[str]
    customers: int
    event_count: int


class OffMapTouchpoint(Part):
    """A touchpoint customers use that no item of the map stands for."""

    touchpoint: str
    channel: str
    customers: int
    share: float | None = None  # of the period's customers
    events: int
    after_stage: str | None = None  # where customers were when they used it (most often)


class BiggestLoss(Part):
    stage: str
    next_stage: str
    loss: float  # 1 − the share going on to the next designed stage
    customers: int


class CompareReport(Report):
    """How real journeys follow a designed map: the share on the path, skips, loops,
    touchpoints off the map, and the step that loses the most."""

    map: str
    customers: int  # customers with events in the period (and filter)
    entered: int  # of them, customers with at least one event of the map
    followed: int  # stages in the designed order from the first, none skipped, never back
    followed_share: float | None = None
    completed: int  # followed it to the last designed stage
    completed_share: float | None = None
    skipped_any: int
    skipped_any_share: float | None = None
    looped: int
    looped_share: float | None = None
    stages: list[CompareStage]
    items: list[CompareItem]
    off_map: list[OffMapTouchpoint]
    unmapped_stages: list[str]
    biggest_loss: BiggestLoss | None = None
    scope: ScopeOut

    def rows(self) -> list[dict[str, Any]]:
        return [s.model_dump() for s in self.stages]


def _no_events_mapped(name: str) -> InputError:
    return InputError(
        f"map {name!r} has no touchpoint mapped to events",
        f"bản đồ {name!r} chưa có điểm chạm nào gắn với sự kiện",
        hint_en="give touchpoints `event: add_to_cart` or `events: [checkout, web:/cart]` "
        "(docs/maps.md, Designed against actual)",
        hint_vi="thêm cho điểm chạm `event: add_to_cart` hoặc `events: [checkout, web:/cart]` "
        "(docs/maps.md, Thiết kế so với thực tế)",
        code="no_event_mapping",
    )


def compare_map(
    ws: Workspace,
    m: JourneyMap,
    since: str | None = None,
    until: str | None = None,
    where: str | None = None,
) -> CompareReport:
    """The designed map ``m`` against the workspace's journeys for the period."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.app.generate import no_data_error
    from journeyscope.engine.runner import require_resolved
    from journeyscope.living.compare import compare_journeys, mapped_items

    if not mapped_items(m):
        raise _no_events_mapped(m.id)
    scope = Scope.parse(ws, since, until, where)  # a bad date or filter fails before reading
    require_resolved(ws)
    data = compare_journeys(ws, m, since, until, where)
    if data is None:
        raise no_data_error(where)
    return CompareReport.model_validate({**data, "scope": scope.describe(), "engine": "duckdb"})
