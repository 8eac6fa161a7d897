"""The public Python API for analysts in notebooks: ``journeyscope.Workspace``.

Every method builds the same typed query the CLI builds and calls the same operation
(:func:`journeyscope.app.run`), so a notebook, the CLI and the HTTP API give one answer.
Reports convert to tables with ``.to_pandas()`` and ``.to_arrow()``.

>>> import journeyscope
>>> ws = journeyscope.Workspace.create(folder / "shop")
>>> ws.ingest(events_file)["accepted"]
6
>>> ws.resolve()["customers"]
2
>>> report = ws.funnel(["product_view", "add_to_cart", "purchase"], window="7d")
>>> [step.customers for step in report.steps]
[2, 2, 1]
>>> report.to_pandas()[["step", "customers"]].to_dict("records")[-1]
{'step': 'purchase', 'customers': 1}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyscope.app.operations import run
from journeyscope.app.queries import (
    AttributionQuery,
    CustomerQuery,
    CustomerStagesQuery,
    FunnelQuery,
    InsightsQuery,
    PathsQuery,
    RetentionQuery,
    StagesQuery,
    StatsQuery,
    TouchpointsQuery,
)
from journeyscope.app.reports import (
    AttributionReport,
    CustomerReport,
    CustomerStagesReport,
    FunnelReport,
    InsightsReport,
    OverTimeReport,
    PathsReport,
    RetentionReport,
    StagesReport,
    StatsReport,
    TouchpointsReport,
)
from journeyscope.events import workspace as store

if TYPE_CHECKING:
    from journeyscope.app.segments import SegmentReport

__all__ = ["Workspace"]


def _steps(steps: str | Iterable[str]) -> str:
    return steps if isinstance(steps, str) else ",".join(steps)


class Workspace:
    """A JourneyScope workspace folder (DuckDB file, ``workspace.yaml``, ``maps/``).

    Each call opens the workspace for just as long as it needs, so a notebook never
    holds the file lock between cells."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        timezone: str | None = None,
        currency: str | None = None,
        language: str | None = None,
    ) -> Workspace:
        """Create (or upgrade) a workspace folder; settings not given keep their defaults."""
        given = {"timezone": timezone, "currency": currency, "language": language}
        config = store.WorkspaceConfig(**{k: v for k, v in given.items() if v is not None})
        store.Workspace.init(Path(path), config).close()
        return cls(path)

    @contextmanager
    def _open(self, *, read_only: bool = False) -> Iterator[store.Workspace]:
        ws = store.Workspace.open(self.path, read_only=read_only)
        try:
            yield ws
        finally:
            ws.close()

    # -- data ----------------------------------------------------------------------------

    def ingest(self, *files: str | Path, mapping: str | Path | None = None) -> dict[str, Any]:
        """Import files (CSV, JSON Lines, Parquet, Excel); bad rows go to quarantine."""
        from journeyscope.events.ingest import ingest_files
        from journeyscope.events.mapping import load_mapping

        loaded = load_mapping(Path(mapping) if mapping else None)
        with self._open() as ws:
            return ingest_files(ws, [Path(f) for f in files], loaded).to_dict()

    def resolve(self) -> dict[str, Any]:
        """Stitch events into customers (see docs/identity.md)."""
        from journeyscope.identity.resolve import resolve

        with self._open() as ws:
            return resolve(ws).to_dict()

    def forget(self, identifier: str) -> dict[str, Any]:
        """Delete a person and everything linked to them (Decree 13/2023)."""
        from journeyscope.identity.forget import forget

        with self._open() as ws:
            return forget(ws, identifier)

    def stats(self) -> StatsReport:
        report = run(StatsQuery(), self.path)
        assert isinstance(report, StatsReport)
        return report

    def customer(self, ref: str, *, limit: int = 500) -> CustomerReport:
        """A profile by customer id or ``TYPE:VALUE`` (``phone:0903123456``)."""
        report = run(CustomerQuery(ref=ref, limit=limit), self.path)
        assert isinstance(report, CustomerReport)
        return report

    # -- reports -------------------------------------------------------------------------

    def funnel(self, steps: str | Iterable[str], **options: Any) -> FunnelReport | OverTimeReport:
        """Customers per step; options as :class:`~journeyscope.app.queries.FunnelQuery`
        (``interval="week"``: one row per period, an :class:`OverTimeReport`)."""
        report = run(FunnelQuery(steps=_steps(steps), **options), self.path)
        assert isinstance(report, FunnelReport | OverTimeReport)
        return report

    def paths(self, **options: Any) -> PathsReport | OverTimeReport:
        report = run(PathsQuery(**options), self.path)
        assert isinstance(report, PathsReport | OverTimeReport)
        return report

    def stages(self, **options: Any) -> StagesReport | OverTimeReport:
        report = run(StagesQuery(**options), self.path)
        assert isinstance(report, StagesReport | OverTimeReport)
        return report

    def customer_stages(self, customer: str, **options: Any) -> CustomerStagesReport:
        report = run(CustomerStagesQuery(customer=customer, **options), self.path)
        assert isinstance(report, CustomerStagesReport)
        return report

    def touchpoints(self, **options: Any) -> TouchpointsReport | OverTimeReport:
        report = run(TouchpointsQuery(**options), self.path)
        assert isinstance(report, TouchpointsReport | OverTimeReport)
        return report

    def retention(self, **options: Any) -> RetentionReport | OverTimeReport:
        report = run(RetentionQuery(**options), self.path)
        assert isinstance(report, RetentionReport | OverTimeReport)
        return report

    def attribution(self, **options: Any) -> AttributionReport | OverTimeReport:
        report = run(AttributionQuery(**options), self.path)
        assert isinstance(report, AttributionReport | OverTimeReport)
        return report

    def insights(self, **options: Any) -> InsightsReport:
        """What changed, found without being told where (docs/insights.md): options as
        :class:`~journeyscope.app.queries.InsightsQuery` (``changes_since="2026-05-01"``,
        ``sensitivity="high"``, ``slices=("channel",)``)."""
        report = run(InsightsQuery(**options), self.path)
        assert isinstance(report, InsightsReport)
        return report

    # -- segments (docs/analytics.md "Segments") --------------------------------------------

    def segments(self) -> list[dict[str, Any]]:
        """Every segment with its size today."""
        from journeyscope.app import segments

        return segments.list_segments(self.path)

    def segment(self, name: str) -> SegmentReport:
        """One segment: size, share, channel mix, typical order value, top products."""
        from journeyscope.app import segments

        return segments.show(self.path, name)

    def add_segment(
        self,
        name: str,
        *,
        rule: str | None = None,
        members: Iterable[str | int] | None = None,
        description: str | None = None,
        replace: bool = False,
    ) -> dict[str, Any]:
        """A segment by ``rule`` (``"orders >= 2 and channel = shopee"``) or ``members``
        (customer ids or ``TYPE:VALUE``); then ``where="segment = NAME"`` in any report."""
        from journeyscope.app import segments

        listed = None if members is None else [str(m) for m in members]
        return segments.add(
            self.path, name, rule=rule, members=listed, description=description, replace=replace
        )

    def remove_segment(self, name: str) -> dict[str, Any]:
        from journeyscope.app import segments

        return segments.remove(self.path, name)
