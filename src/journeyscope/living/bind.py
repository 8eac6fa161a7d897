"""Evaluating a map's bindings: each distinct report runs once, each cell reads its row.

The reports come from a ``fetch(kind, where)`` the application layer supplies (the same
``stages`` / ``touchpoints`` operations the CLI's ``--json`` prints), so this module never
touches an engine and the map's numbers are the report commands' numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from journeyscope.living.format import value_text
from journeyscope.living.metrics import METRICS, MetricDef, Raw
from journeyscope.living.stats import wilson
from journeyscope.maps.bindings import Binding
from journeyscope.maps.model import Item, JourneyMap, Lane, as_item

__all__ = ["BoundItem", "BoundValue", "Fetch", "Settings", "bound_items", "evaluate", "fill"]

#: a report's JSON for ``kind`` ("stages", "touchpoints"; "feedback": ``feedback summary``
#: by touchpoint, which takes no filter) narrowed by ``where``
Fetch = Callable[[str, str | None], dict[str, Any]]

State = Literal["ok", "no_data", "no_feedback", "not_evaluated"]
Badge = Literal["few", "stale"]


@dataclass(frozen=True)
class Settings:
    """When a value earns a badge: fewer customers than ``min_customers``; newest event
    more than ``stale_days`` before ``until`` (or ``today``)."""

    min_customers: int = 30
    stale_days: int = 30
    until: str | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class BoundItem:
    """A bound cell item and where it sits (the document path of the item)."""

    lane_index: int
    lane: str
    stage: str
    index: int
    item: Item
    binding: Binding

    @property
    def path(self) -> tuple[str | int, ...]:
        return ("lanes", self.lane_index, "cells", self.stage, self.index)


class BoundValue(BaseModel):
    """One filled cell: the number with its unit, its sample, a 95 % interval for a share,
    badges, or the state that stands instead of a number (never a 0 for "no data")."""

    lane: str
    stage: str
    index: int
    metric: str
    expression: str
    unit: str
    state: State
    value: float | None = None
    n: int | None = None
    ci: tuple[float, float] | None = None
    badges: list[Badge] = []
    data_ends: str | None = None


def bound_items(m: JourneyMap) -> Iterator[BoundItem]:
    for l_index, lane in enumerate(m.lanes):
        for stage_id, entries in lane.cells.items():
            for index, entry in enumerate(entries):
                item = as_item(entry)
                if item.metric is not None:
                    yield BoundItem(l_index, lane.id, stage_id, index, item, item.metric)


def evaluate(m: JourneyMap, fetch: Fetch, settings: Settings | None = None) -> list[BoundValue]:
    """Every bound item's value; each (report, filter) pair is asked for once."""
    settings = settings or Settings()
    cache: dict[tuple[str, str | None], dict[str, Any]] = {}

    def report(kind: str, where: str | None) -> dict[str, Any]:
        if (kind, where) not in cache:
            cache[(kind, where)] = fetch(kind, where)
        return cache[(kind, where)]

    return [_value(b, report, settings) for b in bound_items(m)]


def not_evaluated(m: JourneyMap) -> list[BoundValue]:
    """Every bound item as its expression, marked "not evaluated" (no workspace given)."""
    return [_shell(b, METRICS[b.binding.name], "not_evaluated") for b in bound_items(m)]


def _shell(b: BoundItem, metric: MetricDef, state: State, **extra: Any) -> BoundValue:
    return BoundValue(
        lane=b.lane,
        stage=b.stage,
        index=b.index,
        metric=metric.name,
        expression=b.binding.expression(b.stage),
        unit=metric.unit,
        state=state,
        **extra,
    )


def _value(b: BoundItem, report: Fetch, settings: Settings) -> BoundValue:
    metric = METRICS[b.binding.name]
    if metric.source == "feedback" and not report("feedback", None)["total"]["responses"]:
        return _shell(b, metric, "no_feedback")
    row, data_ends = _row(b, metric, report)
    raw = metric.extract(row) if row is not None else None
    if raw is None:
        return _shell(b, metric, "no_data", data_ends=data_ends)
    return _shell(
        b,
        metric,
        "ok",
        value=raw.value,
        n=raw.n,
        ci=_interval(metric, raw),
        badges=_badges(raw, data_ends, settings),
        data_ends=data_ends,
    )


def _interval(metric: MetricDef, raw: Raw) -> tuple[float, float] | None:
    if not metric.proportion or raw.successes is None:
        return None
    return wilson(raw.successes, raw.n)


def _row(
    b: BoundItem, metric: MetricDef, report: Fetch
) -> tuple[dict[str, Any] | None, str | None]:
    """The report row a binding reads (None: the period holds no such data)."""
    binding = b.binding
    if metric.source == "segment":
        return _segment_row(binding, report)
    if metric.source == "feedback":  # the period's feedback, or one touchpoint's
        summary = report("feedback", None)
        if binding.touchpoint is None:
            return summary["total"], None
        groups = summary["groups"]
        return next((g for g in groups if g["key"] == binding.touchpoint), None), None
    data = report(metric.source, binding.where)
    ends = data.get("data_ends")
    if metric.source == "stages":
        if not data.get("events"):
            return None, ends
        stage = binding.stage_for(b.stage)
        return next((r for r in data["stages"] if r["stage"] == stage), None), ends
    rows = data.get("touchpoints", [])
    return next((r for r in rows if r["touchpoint"] == binding.touchpoint), None), ends


def _segment_row(binding: Binding, report: Fetch) -> tuple[dict[str, Any] | None, str | None]:
    """Customers matching ``where`` among the period's customers (each counted once, in
    the stage they are in now — the ``current`` column of ``journeyscope stages``)."""
    everyone = report("stages", None)
    if not everyone.get("events"):
        return None, everyone.get("data_ends")
    matching = report("stages", binding.where)
    total = sum(int(r["current"]) for r in everyone["stages"])
    hits = sum(int(r["current"]) for r in matching["stages"]) if matching.get("events") else 0
    share = round(hits / total, 4) if total else None
    return {"share": share, "customers": total, "matching": hits}, everyone.get("data_ends")


def _badges(raw: Raw, data_ends: str | None, settings: Settings) -> list[Badge]:
    badges: list[Badge] = []
    if raw.n < settings.min_customers:
        badges.append("few")
    if data_ends and _days_old(data_ends, settings) > settings.stale_days:
        badges.append("stale")
    return badges


def _days_old(data_ends: str, settings: Settings) -> int:
    newest = dt.datetime.fromisoformat(data_ends).date()
    if settings.until:
        reference = dt.date.fromisoformat(settings.until[:10])
    else:
        reference = settings.today or dt.datetime.now(dt.UTC).date()
    return (reference - newest).days


def fill(m: JourneyMap, values: list[BoundValue]) -> JourneyMap:
    """A copy of ``m`` whose bound items read their values (in both languages), for any
    renderer: SVG, HTML, PDF, PNG, Excel and Mermaid all draw the filled text."""
    by_place = {(v.lane, v.stage, v.index): v for v in values}
    lanes = [_filled_lane(lane, by_place) for lane in m.lanes]
    filled = m.model_copy(update={"lanes": lanes})
    filled._as_written = m._as_written or m
    return filled


def _filled_lane(lane: Lane, by_place: dict[tuple[str, str, int], BoundValue]) -> Lane:
    cells: dict[str, list[Any]] = {}
    for stage_id, entries in lane.cells.items():
        cells[stage_id] = []
        for index, entry in enumerate(entries):
            value = by_place.get((lane.id, stage_id, index))
            item = as_item(entry)
            if value is None or item.metric is None:
                cells[stage_id].append(entry)
                continue
            label = item.text if item.has_label else None
            text = value_text(value, METRICS[value.metric], label)
            cells[stage_id].append(item.model_copy(update={"text": text}))
    return lane.model_copy(update={"cells": cells})
