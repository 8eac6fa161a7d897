"""Funnels: how many customers reach each step, in which time, and who dropped where.

DuckDB scans the scoped events, already stored in customer and time order
(``journey_events``), computing one bit per step for each row; the compiled kernel
(``funnel_kernel``) walks each customer's rows once.
Modes (docs/analytics.md has the table):

- ``ordered`` — PostHog's ordered funnel = ClickHouse ``windowFunnel(w, 'strict_once')``;
- ``clickhouse`` — ``windowFunnel(w)``: one event may fill several identical steps;
- ``strict_order``, ``strict_deduplication``, ``strict_increase`` — those ClickHouse modes;
- ``unordered`` — PostHog's any-order funnel ("completed k steps").

The count at step k is the customers whose level is at least k. The window is measured from
the step-1 event and is inclusive.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from journeyscope.analytics.contacts import contact_columns, contacts_sql
from journeyscope.analytics.funnel_flags import DEDUP, EXCLUDE, INCREASE, ONCE, ORDER
from journeyscope.analytics.scope import Scope, Step, field_sql
from journeyscope.compiled import in_cache, loaded_kernel, notice_if_compiling
from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Runner, as_runner
from journeyscope.errors import InputError, Location, unknown_option
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace

MODES: dict[str, int] = {
    "ordered": ONCE,
    "clickhouse": 0,
    "strict_order": ORDER,
    "strict_deduplication": DEDUP,
    "strict_increase": INCREASE,
    "unordered": 0,
}
MAX_STEPS = 31
BREAKDOWN_LIMIT = 25
US = 1_000_000


@dataclass(frozen=True)
class FunnelSpec:
    steps: list[Step]
    window: timedelta = timedelta(days=14)
    mode: str = "ordered"
    exclude: list[Step] = field(default_factory=list)
    by: str | None = None
    time_between: tuple[int, int] | None = None  # 1-based steps; default first → last

    def check(self) -> None:
        if self.mode not in MODES:
            raise unknown_option(
                "funnel mode", "chế độ phễu", self.mode, list(MODES), code="unknown_funnel_mode"
            )
        if not 1 <= len(self.steps) <= MAX_STEPS:
            raise InputError(
                f"a funnel needs 1 to {MAX_STEPS} steps, got {len(self.steps)}",
                f"phễu cần từ 1 đến {MAX_STEPS} bước, nhận {len(self.steps)}",
                location=Location(field="--steps"),
                hint_en="--steps product_view,add_to_cart,checkout,purchase",
                hint_vi="--steps product_view,add_to_cart,checkout,purchase",
                code="invalid_steps",
            )
        if self.exclude and self.mode not in ("ordered", "unordered"):
            raise InputError(
                f"exclusions are defined for ordered and unordered funnels, not {self.mode}",
                f"loại trừ chỉ áp dụng cho phễu ordered và unordered, không cho {self.mode}",
                hint_en="ClickHouse windowFunnel has no exclusions; use --mode ordered",
                hint_vi="windowFunnel của ClickHouse không có loại trừ; dùng --mode ordered",
                code="conflicting_options",
            )
        if self.window <= timedelta(0):
            raise InputError(
                "the window must be longer than zero",
                "cửa sổ thời gian phải lớn hơn 0",
                location=Location(field="--window"),
                hint_en="e.g. --window 7d (also 30m, 12h, 2w)",
                hint_vi="ví dụ --window 7d (hoặc 30m, 12h, 2w)",
                code="invalid_duration",
            )
        if self.time_between is not None:
            a, b = self.time_between
            if not 1 <= a < b <= len(self.steps):
                raise InputError(
                    f"--time-between needs two steps A,B with 1 <= A < B <= {len(self.steps)}",
                    f"--time-between cần hai bước A,B với 1 <= A < B <= {len(self.steps)}",
                    location=Location(field="--time-between"),
                    hint_en=f"e.g. --time-between 1,{max(len(self.steps), 2)}",
                    hint_vi=f"ví dụ --time-between 1,{max(len(self.steps), 2)}",
                    code="invalid_steps",
                )


@dataclass
class Walk:
    """The kernel's answer: per customer id, level and step times (µs since the epoch)."""

    customers: np.ndarray
    levels: np.ndarray
    times: np.ndarray
    breakdown: np.ndarray | None


def _flags(spec: FunnelSpec) -> int:
    return MODES[spec.mode] | (EXCLUDE if spec.exclude and spec.mode == "ordered" else 0)


def _mask_sql(steps: list[Step], q: Sql) -> str:
    """SQL of the step bits of an event.

    Steps that are a bare event name become one CASE on the name (several steps may share
    a name: their bits are OR-ed); steps with filters or ``*`` add their own test.
    """
    by_name: dict[str, int] = {}
    tests = []
    for i, step in enumerate(steps):
        if step.event is not None and not step.filter.clauses:
            key = event_name(step.event)
            by_name[key] = by_name.get(key, 0) | (1 << i)
        else:
            tests.append(f"(CAST(({step.sql(q, 'e')}) AS {q.uint}) << {i})")
    parts = []
    if by_name:
        whens = " ".join(f"WHEN {q.bind(n)} THEN {bits}" for n, bits in by_name.items())
        parts.append(f"CAST(CASE e.event {whens} ELSE 0 END AS {q.uint})")
    parts += tests
    return " | ".join(parts)


@dataclass(frozen=True)
class RowSql:
    """What the walk reads of each event, as SQL of either engine's dialect."""

    columns: str  # e.ts, the step bits m, the exclusion flag x, the breakdown by_value
    keep: str  # the rows the walk needs
    excl: bool
    by: bool


def row_sql(spec: FunnelSpec, q: Sql) -> RowSql:
    """Step bits, exclusion flag and breakdown value of an event row (alias ``e``)."""
    spec.check()
    bits = _mask_sql(spec.steps, q)
    excl = " OR ".join(f"({s.sql(q, 'e')})" for s in spec.exclude)
    by = f", {field_sql(spec.by, q, 'e')} AS by_value" if spec.by else ""
    every_row = bool(_flags(spec) & ORDER)  # strict_order: any other event breaks a chain
    columns = f"e.ts, ({bits}) AS m{f', ({excl}) AS x' if excl else ''}{by}"
    keep = "TRUE" if every_row else "m <> 0" + (" OR x" if excl else "")
    return RowSql(columns, keep, bool(excl), bool(spec.by))


def walk(r: Runner | Workspace, spec: FunnelSpec, scope: Scope) -> Walk:
    """Run the funnel over the scoped events on ``r``'s engine (a workspace: DuckDB).

    The step bits are SQL; the walk is the compiled kernel, run by the runner's
    per-customer primitive — in one call over the ordered scan on DuckDB, inside each
    partition of whole customers on Spark — so the semantics cannot drift."""
    r = as_runner(r)
    if r.name == "duckdb" and not _vectorised(spec):  # the walk runs here: load it meanwhile
        load_kernel_soon()
    q = r.sql()
    rows = row_sql(spec, q)
    extra = (", x" if rows.excl else "") + (
        f", CAST(by_value AS {q.text}) AS by_value, by_value IS NOT NULL AS by_ok"
        if rows.by
        else ""
    )
    base = r.source(scope, q, f"e.seq, {rows.columns}")
    # (no `event IN (...)` pushed into the scan: DuckDB then stops keeping the stored order)
    text = (
        f"SELECT customer_id, seq, {q.micros('ts')} AS us, CAST(m AS BIGINT) AS m{extra} "
        f"FROM ({base}) b WHERE {rows.keep}"
    )
    steps = len(spec.steps)
    schema = ", ".join(
        ["customer_id long", "level int", *(f"t{i} long" for i in range(steps))]
        + (["by_value string"] if rows.by else [])
    )

    def run(cols: dict[str, Any]) -> dict[str, Any]:
        cols["ts"] = cols.pop("us")
        w = walk_columns(spec, cols, excl=rows.excl, by=rows.by)
        out: dict[str, Any] = {"customer_id": w.customers, "level": w.levels.astype(np.int32)}
        out.update({f"t{i}": w.times[:, i].astype(np.int64) for i in range(steps)})
        if w.breakdown is not None:
            out["by_value"] = w.breakdown
        return out

    # journey_events is stored in (customer, time) order and a filtered scan keeps it;
    # only a join to the full event row needs a sort
    return _as_walk(r.per_customer(text, q, run, schema, in_order=not q.event_row), steps)


def _as_walk(cols: dict[str, Any], steps: int) -> Walk:
    """The per-customer rows (in customer order) as the walk the report reads."""
    customers = np.asarray(cols["customer_id"], np.int64)
    levels = np.asarray(cols["level"]).astype(np.int8)
    times = np.empty((len(customers), steps), np.int64)
    for i in range(steps):
        times[:, i] = np.asarray(cols[f"t{i}"], np.int64)
    breakdown = np.asarray(list(cols["by_value"]), object) if "by_value" in cols else None
    return Walk(customers, levels, times, breakdown)


def load_kernel_soon(then: Callable[[], object] | None = None) -> None:
    """Start loading the compiled walk on a thread: importing numba and reading the
    kernel's machine code from its cache take about a second of one core, which would
    otherwise come after the scan. The scan releases the GIL, so the two overlap; the
    walk's own import then waits for the thread if it is not done."""

    def load() -> None:
        _load_kernel()
        if then is not None:  # another kernel, on the same thread
            with contextlib.suppress(Exception):
                then()

    threading.Thread(target=load, name="journeyscope-funnel-kernel", daemon=True).start()


def load_kernel_now() -> None:
    """Load the compiled walk on this thread (see :func:`load_kernel_soon`)."""
    _load_kernel()


def _kernel_ready() -> bool:
    """The compiled walk is loaded in this process (its machine code read, not only the
    module imported): one more call of it costs nothing to start."""
    return loaded_kernel("journeyscope.analytics.funnel_kernel", "funnel_levels") is not None


def _load_kernel() -> None:
    # a failure here is said by the walk, which imports the kernel again
    with contextlib.suppress(Exception):
        from journeyscope.analytics import funnel_kernel

        if in_cache(funnel_kernel.funnel_levels):  # never compile behind the user's back
            funnel_kernel.warm()


def walk_columns(spec: FunnelSpec, cols: dict[str, Any], *, excl: bool, by: bool) -> Walk:
    """The kernel over rows in (customer, time) order: ``customer_id``, ``ts`` (µs),
    ``m``, and ``x`` / ``by_value`` + ``by_ok`` when asked. Shared by both engines (Spark
    calls it on each partition of customers)."""
    cust = np.asarray(cols["customer_id"], np.int64)
    ts = np.asarray(cols["ts"], np.int64)
    mask = np.asarray(cols["m"], np.uint32)
    xs = np.asarray(cols["x"], np.bool_) if excl else np.zeros(len(cust), np.bool_)
    if not _in_order(cust, ts):  # never expected; correctness does not rest on it
        perm = np.lexsort((ts, cust))
        cols = {name: np.asarray(col)[perm] for name, col in cols.items()}
        cust, ts, mask, xs = cust[perm], ts[perm], mask[perm], xs[perm]
    if len(cust):
        cut = np.flatnonzero(np.diff(cust)) + 1
        starts = np.concatenate(([0], cut, [len(cust)])).astype(np.int64)
        ids = cust[starts[:-1]]
    else:
        starts = np.zeros(1, np.int64)
        ids = np.zeros(0, np.int64)
    levels, times = _levels(spec, starts, cust, ts, mask, xs)
    brk = None
    if by:
        brk = _first_step_values(cols["by_value"], np.asarray(cols["by_ok"], bool), mask, starts)
    return Walk(ids, levels, times, brk)


def excluded_steps(spec: FunnelSpec) -> list[str]:
    """Exclusions that are also steps: every attempt past that step is discarded (PostHog
    refuses them; here the report says so)."""
    steps = {(event_name(s.event), s.filter) for s in spec.steps if s.event is not None}
    return [
        s.label or str(s.event)
        for s in spec.exclude
        if s.event is not None and (event_name(s.event), s.filter) in steps
    ]


def _vectorised(spec: FunnelSpec) -> bool:
    """The ordered funnel without exclusions has a NumPy form (``funnel_vector``)."""
    return spec.mode == "ordered" and _flags(spec) == ONCE


def _levels(
    spec: FunnelSpec,
    starts: np.ndarray,
    cust: np.ndarray,
    ts: np.ndarray,
    mask: np.ndarray,
    xs: np.ndarray,
    *,
    warm: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Level and step times per customer: NumPy where it answers and the compiled kernel
    is not loaded yet (a CLI process: loading it costs more than the NumPy walk), the
    kernel otherwise — a warm process (the server loads it at start), other modes, and
    funnels where one event can match several steps (``view,view,buy``: the kernel's
    matching of rows at one instant, and chains as long as the funnel from every row).
    ``warm``: whether the kernel is loaded (default: look)."""
    k = len(spec.steps)
    warm = _kernel_ready() if warm is None else warm
    if warm or not _vectorised(spec) or bool(np.any(mask & (mask - np.uint32(1)))):
        return _kernel(spec, starts, ts, mask, xs)
    from journeyscope.analytics.funnel_vector import (
        MAX_CHAIN_CELLS,
        in_step_order,
        ordered_levels,
        tied,
    )

    if int(np.count_nonzero(mask & np.uint32(1))) * k > MAX_CHAIN_CELLS:
        return _kernel(spec, starts, ts, mask, xs)  # bounded memory over speed
    knotted = np.flatnonzero(tied(starts, ts))
    if len(knotted):  # rows at one instant are taken in step order (as ClickHouse sorts)
        sizes = starts[knotted + 1] - starts[knotted]
        mask = in_step_order(mask, ts, _rows_of(starts, knotted, sizes), sizes)
    return ordered_levels(starts, cust, ts, mask, k, _window(spec))


def _window(spec: FunnelSpec) -> int:
    return int(spec.window.total_seconds() * US)


def _rows_of(starts: np.ndarray, which: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The rows of customers ``which`` (``sizes`` rows each), in order."""
    before = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    rows: np.ndarray = np.arange(int(sizes.sum()), dtype=np.int64)
    rows += np.repeat(starts[which] - before, sizes)
    return rows


def _kernel(
    spec: FunnelSpec, starts: np.ndarray, ts: np.ndarray, mask: np.ndarray, xs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    from journeyscope.analytics import funnel_kernel  # compiles: load on use

    notice_if_compiling(funnel_kernel.funnel_levels, "funnel engine", "bộ tính phễu")
    levels, times = funnel_kernel.funnel_levels(
        starts,
        ts,
        mask,
        xs,
        len(spec.steps),
        _window(spec),
        _flags(spec),
        spec.mode == "unordered",
    )
    return levels, times


def _in_order(cust: np.ndarray, ts: np.ndarray) -> bool:
    """Rows sorted by customer, then time?"""
    if len(cust) < 2:
        return True
    dc = np.diff(cust)
    return bool(np.all((dc > 0) | ((dc == 0) & (np.diff(ts) >= 0))))


def _first_step_values(
    values: Any, valid: np.ndarray, mask: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """Breakdown value per customer: the first non-empty value on a step-1 event."""
    arr = np.asarray(values, dtype=object)
    out = np.full(len(starts) - 1, "(none)", dtype=object)
    rows = np.flatnonzero(((mask & 1) != 0) & valid)
    if len(rows):
        owner = np.searchsorted(starts, rows, side="right") - 1
        first_of, at = np.unique(owner, return_index=True)  # rows ascend: first per customer
        out[first_of] = [str(v) for v in arr[rows[at]]]
    return out


def _quantile(values: np.ndarray, q: float) -> float | None:
    return round(float(np.quantile(values, q)), 1) if len(values) else None


def _step_rows(spec: FunnelSpec, levels: np.ndarray, times: np.ndarray) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    first = int((levels >= 1).sum())
    prev = first
    unordered = spec.mode == "unordered"
    for i, step in enumerate(spec.steps):
        reached = levels >= i + 1
        n = int(reached.sum())
        row: dict[str, Any] = {
            "step": f"completed {i + 1} step{'s' if i else ''}" if unordered else step.label,
            "customers": n,
            "conversion": round(n / first, 4) if first else 0.0,
            "conversion_from_previous": round(n / prev, 4) if prev else 0.0,
            "dropped": (prev - n) if i else 0,
        }
        if i and not unordered:
            secs = (times[reached, i] - times[reached, i - 1]) / US
            row["median_seconds"] = _quantile(secs, 0.5)
            row["p90_seconds"] = _quantile(secs, 0.9)
            row["mean_seconds"] = round(float(secs.mean()), 1) if len(secs) else None
        rows.append(row)
        prev = n
    return rows


def time_to_convert(levels: np.ndarray, times: np.ndarray, a: int, b: int) -> dict[str, Any]:
    """Seconds from step a to step b (1-based) for customers who reached b, as a histogram.

    Bins as PostHog: ⌈∛n⌉ bins (1 to 60), equal width in whole seconds.
    """
    reached = levels >= b
    secs = (times[reached, b - 1] - times[reached, a - 1]) / US
    n = len(secs)
    if not n:
        return {"from_step": a, "to_step": b, "customers": 0, "bins": []}
    bins = min(60, max(1, math.ceil(n ** (1 / 3))))
    low, high = float(secs.min()), float(secs.max())
    width = max(1.0, math.ceil((high - low) / bins)) if high > low else 60.0
    edges = low + width * np.arange(bins + 1)
    counts = np.histogram(secs, bins=edges)[0] if high > low else np.array([n])
    return {
        "from_step": a,
        "to_step": b,
        "customers": n,
        "median_seconds": _quantile(secs, 0.5),
        "bins": [
            {
                "from_seconds": float(edges[i]),
                "to_seconds": float(edges[i + 1]),
                "customers": int(c),
            }
            for i, c in enumerate(counts)
        ],
    }


def funnel(ws: Runner | Workspace, spec: FunnelSpec, scope: Scope) -> dict[str, Any]:
    """The funnel report (the ``--json`` shape of ``journeyscope funnel``)."""
    return funnel_report(spec, scope, walk(ws, spec, scope))


def funnel_report(spec: FunnelSpec, scope: Scope, w: Walk) -> dict[str, Any]:
    """The report from a walk, whichever engine walked."""
    levels = np.maximum(w.levels, 0)
    result: dict[str, Any] = {
        "mode": spec.mode,
        "window_seconds": spec.window.total_seconds(),
        "steps": _step_rows(spec, levels, w.times),
        "excluded_customers": int((w.levels < 0).sum()),
        "scope": scope.describe(),
    }
    if len(spec.steps) > 1 and spec.mode != "unordered":
        a, b = spec.time_between or (1, len(spec.steps))
        result["time_to_convert"] = time_to_convert(levels, w.times, a, b)
    if w.breakdown is not None:
        result["by"] = spec.by
        result["breakdown"] = _breakdown(spec, levels, w)
    return result


def _breakdown(spec: FunnelSpec, levels: np.ndarray, w: Walk) -> list[dict[str, Any]]:
    """Steps per value of ``--by`` (first value seen on a step-1 event: first touch)."""
    assert w.breakdown is not None
    values = w.breakdown
    groups: dict[str, np.ndarray] = {}
    entered = levels >= 1
    for value in sorted(set(values[entered].tolist())):
        groups[value] = values == value
    last = len(spec.steps)
    ranked = sorted(groups, key=lambda v: (-int((levels[groups[v]] >= last).sum()), v))
    keep, rest = ranked[:BREAKDOWN_LIMIT], ranked[BREAKDOWN_LIMIT:]
    out = [
        {"value": v, "steps": _step_rows(spec, levels[groups[v]], w.times[groups[v]])} for v in keep
    ]
    if rest:
        sel = np.isin(values, rest)
        out.append({"value": "(other)", "steps": _step_rows(spec, levels[sel], w.times[sel])})
    return out


def dropped_step(spec: FunnelSpec, step: str) -> int:
    """The 1-based number of ``step`` (its name, or its number when a name repeats),
    checked: a step with a next one to drop before."""
    labels = [s.label for s in spec.steps]
    if step.strip().isascii() and step.strip().isdecimal() and 1 <= int(step) <= len(labels):
        k = int(step)
        step = f"{k} ({labels[k - 1]})"
    elif step not in labels:
        raise unknown_option("funnel step", "bước phễu", step, labels, code="unknown_step")
    elif labels.count(step) > 1:
        numbers = ", ".join(str(i + 1) for i, s in enumerate(labels) if s == step)
        raise InputError(
            f"{step!r} is more than one step ({numbers}): say which by its number",
            f"{step!r} là nhiều bước ({numbers}): hãy chỉ rõ bằng số thứ tự",
            location=Location(field="--dropped-at"),
            hint_en=f"e.g. --dropped-at {numbers.split(', ')[0]}",
            hint_vi=f"ví dụ --dropped-at {numbers.split(', ')[0]}",
            code="invalid_steps",
        )
    else:
        k = labels.index(step) + 1
    if k == len(labels):
        raise InputError(
            f"{step!r} is the last step: nobody can drop after it",
            f"{step!r} là bước cuối: không ai rời bỏ sau bước này",
            hint_en="pick an earlier step",
            hint_vi="chọn một bước trước đó",
            code="invalid_steps",
        )
    return k


def dropped_at(r: Runner, spec: FunnelSpec, w: Walk, step: str, target: Path) -> int:
    """Write the customers of walk ``w`` (on ``r``'s engine) who reached ``step`` and not
    the next one; returns how many."""
    import pyarrow as pa

    k = dropped_step(spec, step)
    sel = w.levels == k
    dropped = pa.table({"customer_id": w.customers[sel], "reached_us": w.times[sel, k - 1]})
    r.register("dropped_in", dropped)
    try:
        q = r.sql()
        return r.write(_dropped_sql(q, r.zone, r.identities()), target, q)
    finally:
        r.unregister("dropped_in")


def _dropped_sql(q: Sql, zone: str, identities: str) -> str:
    """Each dropped customer: when they reached the step (local time with its offset) and
    who they are."""
    zone_p = q.bind(zone)
    reached = q.iso_local(q.local_time(q.from_micros("d.reached_us"), zone_p), zone_p)
    return f"""
SELECT d.customer_id, {reached} AS reached_at, {contact_columns("n")}
FROM dropped_in d LEFT JOIN ({contacts_sql(q, identities)}) n ON n.customer_id = d.customer_id
ORDER BY d.customer_id
"""
