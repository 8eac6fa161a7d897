"""Conversion paths from a workspace's journeys.

For each conversion (``--conversion``, default purchase) the path is the customer's touches
since their previous conversion and within the lookback before it (a touch at the very
instant of the conversion counts for it), in time order; touches are every other event,
named by channel or touchpoint (``--level``). Touches that no conversion follows form
*null* paths (journeys that did not convert); touches older than the lookback of the
conversion that follows them count for nothing. A conversion with no
touch in its lookback gets the path ``(direct)``, so credits still add up to every
conversion. Repeated touches are kept, or collapsed when consecutive (``--repeats
collapse``); Markov collapses consecutive repeats itself either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from journeyscope.analytics.attribution.models import Credits
from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.analytics.scope import Scope, field_sql
from journeyscope.compiled import notice_if_compiling
from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Runner, as_runner, customer_events
from journeyscope.errors import InputError, Location
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace

DIRECT = "(direct)"
PATHS = "path array<int>, conversions double, value double, nulls double"
LEVELS = ("channel", "touchpoint")


@dataclass(frozen=True)
class PathSpec:
    conversion: str = "purchase"
    lookback: timedelta = timedelta(days=30)
    level: str = "channel"
    value: str = "revenue"
    repeats: str = "keep"

    def check(self) -> None:
        if self.level not in LEVELS:
            raise InputError(
                f"--level must be channel or touchpoint, got {self.level!r}",
                f"--level phải là channel hoặc touchpoint, nhận {self.level!r}",
                location=Location(field="--level"),
                hint_en="--level channel (the default) or --level touchpoint",
                hint_vi="--level channel (mặc định) hoặc --level touchpoint",
                code="invalid_option",
            )
        if self.repeats not in ("keep", "collapse"):
            raise InputError(
                f"--repeats must be keep or collapse, got {self.repeats!r}",
                f"--repeats phải là keep hoặc collapse, nhận {self.repeats!r}",
                location=Location(field="--repeats"),
                hint_en="keep counts every touch; collapse merges consecutive repeats",
                hint_vi="keep tính mọi điểm chạm; collapse gộp các lần lặp liên tiếp",
                code="invalid_option",
            )


def _touches_sql(ws: Workspace, spec: PathSpec, scope: Scope, q: Sql) -> str:
    """Each touch with the conversion it leads to (NULL: none within the lookback)."""
    value = field_sql(spec.value, q, "e")
    base = customer_events(
        ws, scope, q, f"e.ts, e.seq, e.event, {node_sql(spec)} AS node, {value} AS v"
    )
    conv = q.bind(event_name(spec.conversion))
    lookback = q.bind(spec.lookback.total_seconds())
    return f"""
        WITH ev AS ({base}),
        conv AS (  -- of conversions at one instant, the earliest stored takes the touches
            SELECT customer_id, ts, min(seq) AS seq FROM ev WHERE event = {conv} GROUP BY 1, 2
        ),
        touch AS (SELECT customer_id, ts, seq, node FROM ev WHERE event <> {conv})
        SELECT t.customer_id, t.ts, t.seq, t.node,
            CASE WHEN c.seq IS NOT NULL AND epoch(c.ts) - epoch(t.ts) <= {lookback}
                 THEN c.seq END AS conv_seq,
            c.seq IS NULL AS is_tail
        FROM touch t
        ASOF LEFT JOIN conv c ON c.customer_id = t.customer_id AND c.ts >= t.ts"""


def node_sql(spec: PathSpec) -> str:
    return "e.channel" if spec.level == "channel" else "coalesce(e.touchpoint, e.channel)"


def _sources(ws: Workspace, spec: PathSpec, scope: Scope, q: Sql) -> tuple[str, str, str]:
    """The touches SQL, the bound conversion event name, and the conversions SQL."""
    spec.check()
    touches = _touches_sql(ws, spec, scope, q)
    conv = q.bind(event_name(spec.conversion))
    value = field_sql(spec.value, q, "e")
    return touches, conv, customer_events(ws, scope, q, f"e.ts, e.seq, e.event, {value} AS v")


def build_paths_sql(
    ws: Workspace, spec: PathSpec, scope: Scope
) -> tuple[PathTable, dict[str, Any]]:
    """Aggregated paths computed wholly in SQL: the portable twin of :func:`build_paths`,
    which the conformance tests hold it equal to."""
    q = Sql()
    touches, conv, conversions = _sources(ws, spec, scope, q)
    collapse = spec.repeats == "collapse"
    rows = ws.con.execute(
        f"""WITH t AS ({touches}),
        conv AS (SELECT customer_id, seq, coalesce(TRY_CAST(v AS DOUBLE), 0) AS value
                 FROM ({conversions}) WHERE event = {conv}),
        conv_paths AS (
            SELECT c.seq, c.value,
                   list(t.node ORDER BY t.ts, t.seq) FILTER (WHERE t.node IS NOT NULL) AS path
            FROM conv c LEFT JOIN t ON t.conv_seq = c.seq
            GROUP BY c.seq, c.value
        ),
        null_paths AS (
            SELECT customer_id, list(node ORDER BY ts, seq) AS path
            FROM t WHERE is_tail GROUP BY customer_id
        ),
        all_paths AS (
            SELECT coalesce(path, []) AS path, 1 AS conv, value, 0 AS nul FROM conv_paths
            UNION ALL SELECT path, 0, 0, 1 FROM null_paths
        )
        SELECT path, sum(conv), sum(value), sum(nul) FROM all_paths
        GROUP BY path ORDER BY sum(conv) DESC, sum(nul) DESC""",
        q.params,
    ).fetchall()
    table = PathTable(channels=[])
    direct = 0
    for path, conversions_n, value_sum, nulls in rows:
        steps = list(path) or [DIRECT]
        if not path:
            direct += int(conversions_n)
        if collapse:
            steps = [s for i, s in enumerate(steps) if i == 0 or steps[i - 1] != s]
        table.add([str(s) for s in steps], float(conversions_n), float(value_sum), float(nulls))
    return table, _info(table, direct)


def _info(table: PathTable, direct: int) -> dict[str, Any]:
    return {
        "paths": len(table.paths),
        "null_journeys": math.fsum(table.nulls),
        "conversions_without_touches": direct,
    }


@dataclass
class Cut:
    """Every customer's journey cut into slices of the touch arrays (see path_kernel)."""

    nodes: list[str]
    t_node: np.ndarray  # every touch's node code, journey after journey
    t_ts: np.ndarray  # and its time (µs)
    a: np.ndarray  # path slices [a, b) of the touches: conversions first, then nulls
    b: np.ndarray
    c_ts: np.ndarray  # per conversion: time, value and customer
    c_value: np.ndarray
    c_cust: np.ndarray

    @property
    def conversions(self) -> int:
        return len(self.c_ts)


def _picked(r: Runner, spec: PathSpec, scope: Scope) -> tuple[str, Sql, list[str]]:
    """The rows a cut reads — customer, seq, time (µs), node code (−1: a conversion) and
    the conversion's value — as SQL on ``r``'s engine, and the node names (codes are their
    positions)."""
    spec.check()
    q = r.sql()
    value = field_sql(spec.value, q, "e")
    base = r.source(scope, q, f"e.seq, e.ts, e.event, {node_sql(spec)} AS node, {value} AS v")
    conv = q.bind(event_name(spec.conversion))
    nodes = sorted(
        str(row[0])
        for row in r.rows(
            f"SELECT DISTINCT node FROM ({base}) b WHERE event <> {conv} AND node IS NOT NULL",
            q,
        )
    )
    names = q.bind(nodes)
    text = f"""SELECT customer_id, seq, {q.micros("ts")} AS us,
        CAST(CASE WHEN event = {conv} THEN -1 ELSE {q.position(names, "node")} END AS INT) AS n,
        CASE WHEN event = {conv} THEN coalesce(TRY_CAST(v AS DOUBLE), 0) ELSE 0 END AS v
        FROM ({base}) b WHERE event = {conv} OR node IS NOT NULL"""
    return text, q, nodes


def _kept_rows(r: Runner, spec: PathSpec, scope: Scope) -> tuple[dict[str, Any], list[str]] | None:
    """What :func:`_picked`'s SQL selects, from the scan a long-lived process keeps (see
    :mod:`~journeyscope.analytics.kept_events`), for channels as touches and revenue as
    the value (the defaults); None when there is none to use."""
    from journeyscope.analytics.events_arrays import kept_read

    if spec.level != "channel" or spec.value != "revenue":
        return None
    spec.check()
    ev = kept_read(r, scope)
    if ev is None:
        return None
    conv = ev.event == ev.code(spec.conversion)
    touch = ~conv
    used = np.bincount(ev.channel[touch], minlength=len(ev.channel_names)) > 0
    nodes = [name for name, u in zip(ev.channel_names, used.tolist(), strict=True) if u]
    rank = np.cumsum(used, dtype=np.int32) - 1  # a channel's position among the nodes
    node = np.where(conv, np.int32(-1), rank[ev.channel]).astype(np.int32)
    value = np.where(conv & ~np.isnan(ev.revenue), ev.revenue, 0.0)
    # journeys by their number (rows in the same order): the few conversions' customers
    # are looked up after the cut, not every row's
    cols = {"customer_id": ev.owner, "us": ev.us, "n": node, "v": value, "ids": ev.customer}
    return cols, nodes


def _cut(cols: dict[str, Any], nodes: list[str], spec: PathSpec) -> Cut:
    """Rows of whole customers in journey order, cut into paths (both engines)."""
    node = np.asarray(cols["n"], np.int32)
    cust = np.asarray(cols["customer_id"], np.int64)
    cut = cut_arrays(nodes, cust, cols["us"], node, spec.lookback)
    if cut is None:  # pragma: no cover - the runner hands rows over in journey order
        raise RuntimeError("journeys came back out of order")
    cut.c_value = np.asarray(cols["v"], np.float64)[node < 0]
    if "ids" in cols:  # customers as journey numbers: their ids
        cut.c_cust = np.asarray(cols["ids"], np.int64)[cut.c_cust]
    return cut


def _on_cuts(
    r: Runner | Workspace,
    spec: PathSpec,
    scope: Scope,
    emit: Callable[[Cut], dict[str, Any]],
    schema: str,
) -> tuple[dict[str, Any], list[str]]:
    """``emit(cut)`` over every customer's journeys through the runner's per-customer
    primitive (one call on DuckDB, one per partition on Spark); its rows and the nodes."""
    r = as_runner(r)
    kept = _kept_rows(r, spec, scope)
    if kept is not None:  # a server's kept scan: the same rows, not read again
        cols, nodes = kept
        return dict(emit(_cut(cols, nodes, spec))), nodes
    text, q, nodes = _picked(r, spec, scope)
    return (
        r.per_customer(
            text, q, lambda cols: emit(_cut(cols, nodes, spec)), schema, in_order=not q.event_row
        ),
        nodes,
    )


def cut_arrays(
    nodes: list[str], cust: np.ndarray, ts: Any, node: Any, lookback: timedelta
) -> Cut | None:
    """Rows in (customer, time, seq) order — customer, time (µs), node code (−1: a
    conversion) — cut into paths; None when the rows were not in that order. Conversion
    values are left at 0 for the caller to fill. Both engines cut with this."""
    from journeyscope.analytics.attribution import path_kernel  # numba: load on use

    ts = np.asarray(ts, np.int64)
    notice_if_compiling(path_kernel.conversion_slices, "path engine", "bộ dựng đường đi")
    t_node, t_ts, c_row, a, b, n_conv = path_kernel.conversion_slices(
        cust, ts, np.asarray(node, np.int32), int(lookback.total_seconds() * 1e6)
    )
    if n_conv < 0:
        return None
    return Cut(nodes, t_node, t_ts, a, b, ts[c_row], np.zeros(n_conv), cust[c_row])


def _grouped(cut: Cut, collapse: bool) -> tuple[np.ndarray, ...]:
    """The distinct paths of a cut: each one's first slice, conversions, value, nulls."""
    from journeyscope.analytics.attribution import path_kernel

    n_conv = cut.conversions
    group, first, _ = path_kernel.group_paths(cut.t_node, cut.a, cut.b, collapse)
    size = len(first)
    conversions = np.bincount(group[:n_conv], minlength=size).astype(np.float64)
    value = np.bincount(group[:n_conv], weights=cut.c_value, minlength=size)
    nulls = np.bincount(group[n_conv:], minlength=size).astype(np.float64)
    return first, conversions, value, nulls


def path_groups(
    cut: Cut, collapse: bool
) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray, np.ndarray]:
    """The distinct paths of a cut (node codes; () for a conversion without touches) with
    their conversions, value and nulls, most converting first."""
    a, b = cut.a, cut.b
    first, conversions, value, nulls = _grouped(cut, collapse)
    order = np.lexsort((first, -nulls, -conversions))
    paths = []
    for g in order:
        i = int(first[g])
        seq = cut.t_node[a[i] : b[i]].tolist()
        if collapse:
            seq = [x for k, x in enumerate(seq) if k == 0 or seq[k - 1] != x]
        paths.append(tuple(seq))
    return paths, conversions[order], value[order], nulls[order]


#: the most cells (distinct paths × the longest) ranked as one matrix
MAX_RANK_CELLS = 20_000_000


def ranked_paths(
    cut: Cut, collapse: bool
) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray, np.ndarray]:
    """The distinct paths of a whole cut as the report lists them — most conversions,
    then most nulls, then the paths as tuples compare — with their conversions, value and
    nulls. The paths are laid out as rows of one matrix (padded with -1, below any code,
    so a path sorts before its extensions, as a shorter tuple does) and ranked by one
    ``lexsort``; past :data:`MAX_RANK_CELLS`, by Python's sort of tuples."""
    first, conversions, value, nulls = _grouped(cut, collapse)
    size = len(first)
    cat, seg, pos, lens = _laid_out(cut.t_node, cut.a[first], cut.b[first], collapse)
    width = int(lens.max()) if size else 0
    if size * width > MAX_RANK_CELLS:
        paths = _tuples(cat, lens)
        order = sorted(range(size), key=lambda g: (-conversions[g], -nulls[g], paths[g]))
        return [paths[g] for g in order], conversions[order], value[order], nulls[order]
    matrix = np.full((size, max(width, 1)), -1, np.int64)
    matrix[seg, pos] = cat
    keys = [matrix[:, k] for k in reversed(range(width))]
    ranked = np.lexsort((*keys, -nulls, -conversions))
    every = _tuples(cat, lens)  # from the nodes end to end, not the padded matrix's cells
    paths = [every[g] for g in ranked.tolist()]
    return paths, conversions[ranked], value[ranked], nulls[ranked]


def _laid_out(
    t_node: np.ndarray, lo: np.ndarray, hi: np.ndarray, collapse: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The paths ``t_node[lo:hi]`` end to end (repeats in a row made one with
    ``collapse``): their nodes, each node's path and place in it, and each path's length."""
    lens = (hi - lo).astype(np.int64)
    seg = np.repeat(np.arange(len(lo)), lens)
    starts = np.cumsum(lens) - lens
    pos = np.arange(int(lens.sum())) - starts[seg]
    cat = t_node[lo[seg] + pos].astype(np.int64)
    if collapse and len(cat):
        keep = np.ones(len(cat), np.bool_)
        keep[1:] = (pos[1:] == 0) | (cat[1:] != cat[:-1])
        cat, seg = cat[keep], seg[keep]
        lens = np.bincount(seg, minlength=len(lo)).astype(np.int64)
        starts = np.cumsum(lens) - lens
        pos = np.arange(len(cat)) - starts[seg]
    return cat, seg, pos, lens


def _tuples(cat: np.ndarray, lens: np.ndarray) -> list[tuple[int, ...]]:
    values = cat.tolist()
    ends = np.cumsum(lens).tolist()
    return [tuple(values[e - n : e]) for e, n in zip(ends, lens.tolist(), strict=True)]


def path_table(
    nodes: list[str],
    paths: list[tuple[int, ...]],
    conversions: Any,
    value: Any,
    nulls: Any,
) -> tuple[PathTable, dict[str, Any]]:
    """The aggregated table of distinct paths; a conversion without touches is (direct)."""
    direct = sum(int(c) for p, c in zip(paths, conversions, strict=True) if not p)
    table = PathTable(
        channels=[*nodes, DIRECT] if direct else list(nodes),
        paths=[p or (len(nodes),) for p in paths],
        conversions=np.asarray(conversions, np.float64).tolist(),
        value=np.asarray(value, np.float64).tolist(),
        nulls=np.asarray(nulls, np.float64).tolist(),
    )
    return table, _info(table, direct)


def paths_by_period(
    r: Runner, spec: PathSpec, scope: Scope, interval: str
) -> tuple[list[Any], dict[int, tuple[PathTable, dict[str, Any]]]] | None:
    """Every period's aggregated paths from one read of the journeys (DuckDB; ``None`` on
    Spark, where the report runs per period): each customer's events within one period
    are a journey of their own — exactly what the report sees with the scope cut to that
    period — so conversions, their lookback and the tails stay inside their period.
    Returns the periods (of ``interval``, from the first event read to the last) and the
    table of each period with a path."""
    from datetime import datetime, timedelta

    from journeyscope.analytics.intervals import assign, periods_between
    from journeyscope.engine.dialect import SparkSql

    if isinstance(r.sql(), SparkSql):
        return None
    text, q, nodes = _picked(r, spec, scope)
    cols = r.per_customer(text, q, lambda c: c, "", in_order=not q.event_row)
    us = np.asarray(cols["us"], np.int64)
    if not len(us):
        return [], {}
    epoch = datetime(1970, 1, 1)
    periods = periods_between(
        epoch + timedelta(microseconds=int(us.min())),
        epoch + timedelta(microseconds=int(us.max())),
        interval,
        r.zone,
    )
    period = assign(us, periods)
    keep = period >= 0
    # (customer, period) as the journey: ascending, as customers and times are
    key = np.asarray(cols["customer_id"], np.int64)[keep] * len(periods) + period[keep]
    node = np.asarray(cols["n"], np.int32)[keep]
    cut = cut_arrays(nodes, key, us[keep], node, spec.lookback)
    if cut is None:  # pragma: no cover - the runner hands rows over in journey order
        raise RuntimeError("journeys came back out of order")
    cut.c_value = np.asarray(cols["v"], np.float64)[keep][node < 0]
    n_conv = cut.conversions
    of_conv = cut.c_cust % len(periods)
    of_null = assign(cut.t_ts[cut.a[n_conv:]], periods)
    collapse = spec.repeats == "collapse"
    out = {}
    for p in range(len(periods)):
        conv, null = np.flatnonzero(of_conv == p), np.flatnonzero(of_null == p) + n_conv
        if not len(conv) and not len(null):
            continue
        part = Cut(
            nodes,
            cut.t_node,
            cut.t_ts,
            np.concatenate([cut.a[conv], cut.a[null]]),
            np.concatenate([cut.b[conv], cut.b[null]]),
            cut.c_ts[conv],
            cut.c_value[conv],
            cut.c_cust[conv],
        )
        out[p] = path_table(nodes, *path_groups(part, collapse))
    return periods, out


def build_paths(
    r: Runner | Workspace, spec: PathSpec, scope: Scope
) -> tuple[PathTable, dict[str, Any]]:
    """Aggregated paths (conversions, value, nulls) from the journeys, in one ordered pass
    per group of whole customers (compiled); equal to :func:`build_paths_sql`."""
    from journeyscope.engine.dialect import SparkSql

    collapse = spec.repeats == "collapse"
    r = as_runner(r)
    if not isinstance(r.sql(), SparkSql):  # one call over every customer: ranked at once
        ranked: list[Any] = []

        def rank(cut: Cut) -> dict[str, Any]:
            ranked.append(ranked_paths(cut, collapse))
            return {}

        _, nodes = _on_cuts(r, spec, scope, rank, PATHS)
        if len(ranked) == 1:
            return path_table(nodes, *ranked[0])

    def groups(cut: Cut) -> dict[str, Any]:
        paths, conversions, value, nulls = path_groups(cut, collapse)
        return {
            "path": [list(p) for p in paths],
            "conversions": conversions,
            "value": value,
            "nulls": nulls,
        }

    rows, nodes = _on_cuts(r, spec, scope, groups, PATHS)
    summed: dict[tuple[int, ...], list[float]] = {}
    for path, c, v, n in zip(
        *(list(rows[k]) for k in ("path", "conversions", "value", "nulls")),
        strict=True,
    ):
        acc = summed.setdefault(tuple(int(x) for x in path), [0.0, 0.0, 0.0])
        acc[0] += c
        acc[1] += v
        acc[2] += n
    found = sorted(summed.items(), key=lambda kv: (-kv[1][0], -kv[1][2], kv[0]))
    return path_table(
        nodes,
        [p for p, _ in found],
        [a[0] for _, a in found],
        [a[1] for _, a in found],
        [a[2] for _, a in found],
    )


def time_decay(
    r: Runner | Workspace, spec: PathSpec, scope: Scope, half_life: timedelta
) -> Credits:
    """Each touch weighs 2^(−age / half-life) at its conversion; weights sum to 1 per
    conversion (a conversion with no touch credits ``(direct)``)."""

    def sums(cut: Cut) -> dict[str, Any]:
        conversions, value = decay_sums(cut, half_life)
        return {
            "node": np.arange(len(cut.nodes) + 1, dtype=np.int32),
            "conversions": conversions,
            "value": value,
        }

    rows, nodes = _on_cuts(r, spec, scope, sums, "node int, conversions double, value double")
    conversions, value = np.zeros(len(nodes) + 1), np.zeros(len(nodes) + 1)
    node = np.asarray(rows["node"], np.int64)
    np.add.at(conversions, node, np.asarray(rows["conversions"], np.float64))
    np.add.at(value, node, np.asarray(rows["value"], np.float64))
    return decay_credits(nodes, conversions, value, half_life)


def decay_sums(cut: Cut, half_life: timedelta) -> tuple[np.ndarray, np.ndarray]:
    """Time-decay conversions and value per node code (the last is ``(direct)``)."""
    from journeyscope.analytics.attribution import path_kernel

    n = cut.conversions
    return path_kernel.decay_credits(
        cut.t_node,
        cut.t_ts,
        cut.c_ts,
        cut.a[:n],
        cut.b[:n],
        cut.c_value,
        half_life.total_seconds() * 1_000_000,
        len(cut.nodes),
    )


def decay_credits(nodes: list[str], conversions: Any, value: Any, half_life: timedelta) -> Credits:
    """The credits from per-node sums (``nodes`` then ``(direct)``), credited nodes only."""
    names = [*nodes, DIRECT]
    used = [i for i in range(len(names)) if conversions[i] > 0]
    return Credits(
        "time_decay",
        {names[i]: float(conversions[i]) for i in used},
        {names[i]: float(value[i]) for i in used},
        extra={"half_life_seconds": half_life.total_seconds()},
    )
