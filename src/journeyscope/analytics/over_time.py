"""Each report over time (``--interval``): its key numbers per period, in the shared shape
of :func:`journeyscope.analytics.intervals.over_time`.

Two ways, chosen per report and said in docs/analytics.md ("Reports over time"):

- **one grouped pass** — funnel (the walk's per-customer step-1 time picks the period, so
  every period comes from the one scan) and retention (cohorts *are* periods: the
  report runs once with ``period = interval``);
- **per period through the report's own code** — paths, stages, touchpoints and
  attribution run once per period that has data, with the scope cut to that period, so
  each period's numbers are exactly that report over that period (events after the
  period's end are not seen: a conversion in the next week counts in the next week). One
  grouped query first finds the periods with data; empty periods are not run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from journeyscope.analytics.intervals import (
    Period,
    assign,
    no_data,
    over_time,
    periods_between,
    periods_from_days,
)
from journeyscope.analytics.scope import Scope
from journeyscope.arrays import distinct
from journeyscope.engine.runner import Runner

__all__ = [
    "activity",
    "edges_by_period",
    "funnel_over_time",
    "per_period",
    "retention_over_time",
]

#: Lines one chart and table can hold: the largest series first
MAX_SERIES = 20
#: Retention offsets shown per cohort row (+1 … +12 periods)
MAX_OFFSETS = 12


def _bounds(scope: Scope, lo: datetime | None, hi: datetime | None) -> tuple[datetime, datetime]:
    first = scope.since or lo
    last = scope.until - timedelta(microseconds=1) if scope.until else hi
    if first is None or last is None or first > last:
        raise ValueError("no bounds")
    return first, last


def _from_micros(us: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(microseconds=int(us))


# -- funnel: one pass --------------------------------------------------------------------


def funnel_over_time(r: Runner, spec: Any, scope: Scope, interval: str) -> dict[str, Any]:
    """Conversion per step per period; the period is when the customer entered step 1
    (the attempt the funnel counts), so entrants per period sum to the whole funnel's
    step-1 customers."""
    from journeyscope.analytics.funnels import _step_rows, walk

    w = walk(r, spec, scope)
    levels = np.maximum(w.levels, 0)
    entered = levels >= 1
    first = w.times[entered, 0]
    if not len(first) and scope.since is None:
        raise no_data(interval)
    try:
        lo, hi = _bounds(
            scope,
            _from_micros(first.min()) if len(first) else None,
            _from_micros(first.max()) if len(first) else None,
        )
    except ValueError:
        raise no_data(interval) from None
    periods = periods_between(lo, hi, interval, r.zone)
    index = np.full(len(levels), -1, np.int64)
    index[entered] = assign(first, periods)
    if not (index >= 0).any():
        raise no_data(interval)
    labels = _unique([s["step"] for s in _step_rows(spec, levels[:0], w.times[:0])])
    found: list[dict[str, Any] | None] = []
    for i in range(len(periods)):
        sel = index == i
        if not sel.any():
            found.append(None)
            continue
        steps = _step_rows(spec, levels[sel], w.times[sel])
        found.append(
            {
                "customers": steps[0]["customers"],
                "values": {k: s["conversion"] for k, s in zip(labels, steps, strict=True)},
                "counts": {k: s["customers"] for k, s in zip(labels, steps, strict=True)},
            }
        )
    return over_time("funnel", interval, r.zone, "conversion", periods, found, labels)


def _unique(labels: list[str]) -> list[str]:
    """Series names: the step labels, numbered when a step repeats (``1. view``)."""
    if len(set(labels)) == len(labels):
        return labels
    return [f"{k}. {label}" for k, label in enumerate(labels, 1)]


# -- retention: cohorts are periods ------------------------------------------------------


def _day(label: str) -> date:
    return date.fromisoformat(label if len(label) > 7 else label + "-01")


def retention_over_time(
    report: dict[str, Any],
    scope: Scope,
    interval: str,
    zone: str,
    active: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A retention report run with ``period = interval`` as rows: one per cohort period,
    the share of the cohort active 1, 2, … periods later (``null`` where that period is
    after the data's last period, so not yet observable). ``active`` (:func:`activity`)
    says which periods have data: the rows run to the last of them."""
    cohorts = {c["cohort"]: c for c in report["cohorts"]}
    if not cohorts:
        raise no_data(interval)
    days = sorted(_day(label) for label in cohorts)
    first = _day(_local_label(scope.since, zone)) if scope.since else days[0]
    data_last = max([days[-1], *(_day(label) for label in active or {})])
    last = data_last
    if scope.until:
        last = max(last, _day(_local_label(scope.until - timedelta(microseconds=1), zone)))
    periods = periods_from_days(first, last, interval, zone)
    # the period holding the data's last day: later ones (up to --to) are not yet observed
    data_end = len(periods_from_days(first, data_last, interval, zone)) - 1
    width = min(MAX_OFFSETS, max(len(c["retention"]) for c in cohorts.values()) - 1)
    series = [f"+{k}" for k in range(1, max(width, 1) + 1)]
    found: list[dict[str, Any] | None] = []
    for i, period in enumerate(periods):
        cohort = cohorts.get(period.label)
        if cohort is None:
            found.append(None)
            continue
        shares, counts = cohort["retention"], cohort.get("counts", [])
        seen = data_end - i  # later periods the data covers
        found.append(
            {
                "customers": cohort["customers"],
                "values": {
                    f"+{k}": (shares[k] if k < len(shares) else 0.0) if k <= seen else None
                    for k in range(1, len(series) + 1)
                },
                "counts": {
                    f"+{k}": (counts[k] if k < len(counts) else 0) if k <= seen else None
                    for k in range(1, len(series) + 1)
                },
            }
        )
    return over_time("retention", interval, zone, "retention", periods, found, series)


# -- the other reports: per period -------------------------------------------------------


def activity(r: Runner, scope: Scope, interval: str) -> dict[str, int]:
    """Customers with events per period label: on DuckDB from the scan's arrays (each
    event placed by the periods' UTC bounds, no time-zone conversion per event), on Spark
    in one grouped query."""
    from journeyscope.engine.dialect import SparkSql

    if not isinstance(r.sql(), SparkSql):
        return _activity_arrays(r, scope, interval)
    q = r.sql()
    base = r.source(scope, q, "e.ts")
    local = q.local_time("ts", q.bind(r.zone))
    rows = r.rows(
        f"SELECT date_trunc({q.bind(interval)}, {local}) AS p, count(DISTINCT customer_id) "
        f"FROM ({base}) b GROUP BY 1",
        q,
    )
    fmt = "%Y-%m" if interval == "month" else "%Y-%m-%d"
    return {p.strftime(fmt): int(n) for p, n in rows if p is not None}


def _activity_arrays(r: Runner, scope: Scope, interval: str) -> dict[str, int]:
    q = r.sql()
    base = r.source(scope, q, "e.ts")
    cols = r.ws.con.sql(
        f"SELECT customer_id, {q.micros('ts')} AS us FROM ({base}) b", params=q.params
    ).fetchnumpy()
    us = np.asarray(cols["us"], np.int64)
    if not len(us):
        return {}
    periods = periods_between(
        _from_micros(int(us.min())), _from_micros(int(us.max())), interval, r.zone
    )
    index = assign(us, periods)
    pairs = distinct(np.asarray(cols["customer_id"], np.int64) * len(periods) + index)
    counts = np.bincount(pairs % len(periods), minlength=len(periods))
    return {p.label: int(n) for p, n in zip(periods, counts, strict=True) if n}


def _periods(scope: Scope, active: dict[str, int], interval: str, zone: str) -> list[Period]:
    if not active:
        raise no_data(interval)
    days = sorted(_day(label) for label in active)
    first = days[0]
    if scope.since:
        first = _day(_local_label(scope.since, zone))
    last = days[-1]
    if scope.until:
        last = max(last, _day(_local_label(scope.until - timedelta(microseconds=1), zone)))
    return periods_from_days(first, last, interval, zone)


def _local_label(moment: datetime, zone: str) -> str:
    from journeyscope.analytics.intervals import period_of

    return period_of(moment, "day", zone).isoformat()


def edges_by_period(
    r: Runner, spec: Any, scope: Scope, interval: str
) -> Callable[[Scope], dict[str, dict[str, float | int | None]]] | None:
    """Paths' edges of every period from one scan (DuckDB; ``None`` where the arrays do
    not serve, and :func:`per_period` runs the report per period instead).

    Within a period, the edges are the pairs of a customer's neighbouring events that both
    fall in it — exactly the edges of the paths report run over that period alone, since
    cutting the scope at the period's bounds leaves each period's events in the same
    order. Handed to :func:`per_period` as its ``one``: it answers for the period a cut
    scope starts in."""
    from journeyscope.analytics import paths_arrays
    from journeyscope.engine.dialect import SparkSql

    if isinstance(r.sql(), SparkSql):
        return None
    try:
        j = paths_arrays.read_journeys(r, spec, scope)
    except paths_arrays.HashClash:
        return None
    if len(j.us) < 2:
        return lambda part: {}
    periods = periods_between(
        _from_micros(int(j.us.min())), _from_micros(int(j.us.max())), interval, r.zone
    )
    index = assign(j.us, periods)
    k = max(len(j.node_names), 1)
    pairs = k * k
    code = j.node[:-1].astype(np.int64) * k + j.node[1:]
    # no edge across customers or across periods
    code[j.first[1:] | (index[:-1] != index[1:])] = pairs
    keep = code < pairs
    counts = np.bincount(index[:-1][keep] * pairs + code[keep], minlength=len(periods) * pairs)
    by_start: dict[datetime, dict[str, dict[str, float | int | None]]] = {}
    for p, period in enumerate(periods):
        row = counts[p * pairs : (p + 1) * pairs]
        found: dict[str, dict[str, float | int | None]] = {}
        for e in np.flatnonzero(row).tolist():
            a, b = divmod(e, k)
            n = int(row[e])
            found[f"{j.node_names[a]} → {j.node_names[b]}"] = {"value": n, "count": n}
        by_start[period.start] = found

    def one(part: Scope) -> dict[str, dict[str, float | int | None]]:
        assert part.since is not None
        start = next((p.start for p in periods if p.start <= part.since < p.end), None)
        return by_start.get(start, {}) if start is not None else {}

    return one


def per_period(
    r: Runner,
    scope: Scope,
    interval: str,
    report: str,
    measure: str,
    one: Callable[[Scope], dict[str, dict[str, float | int | None]]],
    order: list[str] | None = None,
    absent: float | None = None,
    counted: bool = True,
    limit: int = MAX_SERIES,
) -> dict[str, Any]:
    """The report run by ``one`` (``{series: {"value", "count"}}`` for a scope) once per
    period with data, the scope cut to that period. Series: ``order`` if given, else the
    largest by total count (or value), at most ``limit`` (and :data:`MAX_SERIES`). A
    series a period with data does not have counts 0 there, its value ``absent`` (0 for
    counts and credit; ``None`` for a share of nobody); ``counted``: the series have counts (credit
    has none: its counts stay ``None``)."""
    active = activity(r, scope, interval)
    periods = _periods(scope, active, interval, r.zone)
    results: list[dict[str, dict[str, float | int | None]] | None] = []
    for period in periods:
        if not active.get(period.label):
            results.append(None)
            continue
        since = max(scope.since, period.start) if scope.since else period.start
        until = min(scope.until, period.end) if scope.until else period.end
        results.append(one(replace(scope, since=since, until=until)))
    series = order if order is not None else _largest(results)[: min(limit, MAX_SERIES)]
    gap: dict[str, float | int | None] = {"value": absent, "count": 0 if counted else None}
    found = [
        None
        if result is None
        else {
            "customers": active.get(period.label, 0),
            "values": {s: result.get(s, gap).get("value") for s in series},
            "counts": {s: result.get(s, gap).get("count") for s in series},
        }
        for period, result in zip(periods, results, strict=True)
    ]
    return over_time(report, interval, r.zone, measure, periods, found, series)


def _largest(results: list[dict[str, dict[str, float | int | None]] | None]) -> list[str]:
    total: dict[str, float] = {}
    for result in results:
        for key, cell in (result or {}).items():
            weight = cell.get("count")
            if weight is None:
                weight = cell.get("value")
            total[key] = total.get(key, 0.0) + float(weight or 0)
    return sorted(total, key=lambda k: (-total[k], k))
