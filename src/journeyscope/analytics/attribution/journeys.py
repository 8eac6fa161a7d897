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
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from journeyscope.analytics.attribution.models import Credits
from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.analytics.scope import Scope, Sql, customer_events, field_sql
from journeyscope.compiled import notice_if_compiling
from journeyscope.errors import InputError, Location
from journeyscope.events.ingest import event_name
from journeyscope.events.workspace import Workspace

DIRECT = "(direct)"
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
            )
        if self.repeats not in ("keep", "collapse"):
            raise InputError(
                f"--repeats must be keep or collapse, got {self.repeats!r}",
                f"--repeats phải là keep hoặc collapse, nhận {self.repeats!r}",
                location=Location(field="--repeats"),
                hint_en="keep counts every touch; collapse merges consecutive repeats",
                hint_vi="keep tính mọi điểm chạm; collapse gộp các lần lặp liên tiếp",
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
        conv AS (
            SELECT customer_id, ts, seq FROM ev WHERE event = {conv}
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


def _cut(ws: Workspace, spec: PathSpec, scope: Scope, *, sort: bool = False) -> Cut:
    """Read the scoped events once, in journey order, and cut them into paths."""
    spec.check()
    q = Sql()
    value = field_sql(spec.value, q, "e")
    base = customer_events(
        ws, scope, q, f"e.ts, e.seq, e.event, {node_sql(spec)} AS node, {value} AS v"
    )
    conv = q.bind(event_name(spec.conversion))
    nodes = [
        str(r[0])
        for r in ws.con.execute(
            f"SELECT DISTINCT node FROM ({base}) WHERE event <> {conv} AND node IS NOT NULL "
            "ORDER BY node",
            dict(q.params),
        ).fetchall()
    ]
    names = q.bind(nodes)
    order = " ORDER BY customer_id, ts, seq" if q.event_row or sort else ""
    # journey_events is stored in (customer, time, seq) order and a filtered scan keeps
    # it; only a join to the full event row needs a sort (as in funnels)
    cols = ws.con.execute(
        f"""SELECT customer_id, epoch_us(ts) AS us,
            CAST(CASE WHEN event = {conv} THEN -1 ELSE list_position({names}, node) - 1 END
                 AS INTEGER) AS n
        FROM ({base}) WHERE event = {conv} OR node IS NOT NULL{order}""",
        q.params,
    ).fetchnumpy()
    paid = ws.con.execute(
        f"""SELECT customer_id, coalesce(TRY_CAST(v AS DOUBLE), 0) AS v
        FROM ({base}) WHERE event = {conv}{order}""",
        {k: v for k, v in q.params.items() if f"${k}" != names},
    ).fetchnumpy()
    cust = np.asarray(cols["customer_id"], np.int64)
    cut = cut_arrays(nodes, cust, cols["us"], cols["n"], spec.lookback)
    if cut is None or not np.array_equal(np.asarray(paid["customer_id"], np.int64), cut.c_cust):
        if sort:
            raise AssertionError("sorted journeys came back out of order")  # pragma: no cover
        return _cut(ws, spec, scope, sort=True)  # never seen: a scan did not keep the order
    cut.c_value = np.asarray(paid["v"], np.float64)
    return cut


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


def path_groups(
    cut: Cut, collapse: bool
) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray, np.ndarray]:
    """The distinct paths of a cut (node codes; () for a conversion without touches) with
    their conversions, value and nulls, most converting first."""
    from journeyscope.analytics.attribution import path_kernel

    a, b, n_conv = cut.a, cut.b, cut.conversions
    group, first, _ = path_kernel.group_paths(cut.t_node, a, b, collapse)
    size = len(first)
    conversions = np.bincount(group[:n_conv], minlength=size).astype(np.float64)
    value = np.bincount(group[:n_conv], weights=cut.c_value, minlength=size)
    nulls = np.bincount(group[n_conv:], minlength=size).astype(np.float64)
    order = np.lexsort((first, -nulls, -conversions))
    paths = []
    for g in order:
        i = int(first[g])
        seq = cut.t_node[a[i] : b[i]].tolist()
        if collapse:
            seq = [x for k, x in enumerate(seq) if k == 0 or seq[k - 1] != x]
        paths.append(tuple(seq))
    return paths, conversions[order], value[order], nulls[order]


def path_table(
    nodes: list[str],
    paths: list[tuple[int, ...]],
    conversions: Any,
    value: Any,
    nulls: Any,
) -> tuple[PathTable, dict[str, Any]]:
    """The aggregated table of distinct paths; a conversion without touches is (direct)."""
    direct = sum(int(c) for p, c in zip(paths, conversions, strict=True) if not p)
    table = PathTable(channels=[*nodes, DIRECT] if direct else list(nodes))
    for p, c, v, n in zip(paths, conversions, value, nulls, strict=True):
        table.paths.append(p or (len(nodes),))
        table.conversions.append(float(c))
        table.value.append(float(v))
        table.nulls.append(float(n))
    return table, _info(table, direct)


def build_paths(ws: Workspace, spec: PathSpec, scope: Scope) -> tuple[PathTable, dict[str, Any]]:
    """Aggregated paths (conversions, value, nulls) from the workspace, in one ordered pass
    over its journeys (compiled); equal to :func:`build_paths_sql`."""
    cut = _cut(ws, spec, scope)
    return path_table(cut.nodes, *path_groups(cut, spec.repeats == "collapse"))


def time_decay(ws: Workspace, spec: PathSpec, scope: Scope, half_life: timedelta) -> Credits:
    """Each touch weighs 2^(−age / half-life) at its conversion; weights sum to 1 per
    conversion (a conversion with no touch credits ``(direct)``)."""
    cut = _cut(ws, spec, scope)
    return decay_credits(cut.nodes, *decay_sums(cut, half_life), half_life)


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
