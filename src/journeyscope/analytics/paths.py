"""Paths: what customers do next — directly-follows graph, variants, Sankey, sessions.

A customer's events are ordered by time, then by their place in the source (``seq``: file
line or order received), so events at one instant keep the order they were written in.
Two consecutive events make an edge of the directly-follows graph (DFG), as process mining
defines it (pm4py ``discover_dfg``); the time on an edge is the gap between them.
Everything is computed in SQL with window functions; nothing is collected per event. The
statements go through a :class:`~journeyscope.engine.runner.Runner`, so the same report
runs on the workspace's DuckDB file or on Spark.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from journeyscope.analytics import paths_arrays
from journeyscope.analytics.scope import Scope
from journeyscope.engine.dialect import SparkSql, Sql
from journeyscope.engine.runner import Runner, as_runner
from journeyscope.errors import unknown_option
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace

LEVELS = ("event", "channel", "touchpoint", "channel_event")


@dataclass(frozen=True)
class PathSpec:
    level: str = "event"
    start: str | None = None  # --from EVENT: what happens after it
    end: str | None = None  # --to EVENT: what leads to it
    depth: int = 4
    top: int = 20
    session_gap: timedelta = timedelta(minutes=30)
    view: str = "product_view"
    buy: str = "purchase"
    merge_repeats: bool = True  # variants: repeats of one node in a row are one step

    def check(self) -> None:
        if self.level not in LEVELS:
            raise unknown_option(
                "path level", "cấp đường đi", self.level, list(LEVELS), code="unknown_path_level"
            )


def _node(level: str) -> str:
    if level == "channel_event":
        return "e.channel || ':' || e.event"
    if level == "touchpoint":
        return "coalesce(e.touchpoint, e.channel)"
    return f"e.{level}"


def ordered_sql(r: Runner, spec: PathSpec, scope: Scope, q: Sql) -> str:
    """Each scoped event of a customer with its node, position and the next node."""
    base = r.source(scope, q, f"e.ts, e.seq, e.event, e.channel, {_node(spec.level)} AS node")
    return f"""
        SELECT customer_id, ts, event, channel, node,
            row_number() OVER w AS pos,
            lead(node) OVER w AS next_node,
            lead(ts) OVER w AS next_ts
        FROM ({base}) b
        WINDOW w AS (PARTITION BY customer_id ORDER BY ts, seq)"""


@contextmanager
def _path_rows(r: Runner, spec: PathSpec, scope: Scope) -> Iterator[None]:
    """``path_rows`` (see :func:`ordered_sql`) for the length of one report."""
    spec.check()
    q = r.sql()
    with r.scratch("path_rows"):
        r.table("path_rows", ordered_sql(r, spec, scope, q), q)
        yield


def paths(ws: Runner | Workspace, spec: PathSpec, scope: Scope) -> dict[str, Any]:
    """The paths report (the ``--json`` shape of ``journeyscope paths``)."""
    return paths_on(as_runner(ws), spec, scope)


def paths_on(r: Runner, spec: PathSpec, scope: Scope) -> dict[str, Any]:
    """The paths report on either engine: on DuckDB from one scan into arrays
    (:mod:`~journeyscope.analytics.paths_arrays`), on Spark with the SQL below."""
    if not isinstance(r.sql(), SparkSql):
        try:
            return _paths_local(r, spec, scope)
        except paths_arrays.HashClash:
            pass  # two journeys share a hash (astronomically rare): SQL answers
    return paths_in_sql(r, spec, scope)


def paths_in_sql(r: Runner, spec: PathSpec, scope: Scope) -> dict[str, Any]:
    """The report with window functions, as Spark runs it (tests hold it equal to the
    arrays' on DuckDB)."""
    with _path_rows(r, spec, scope):
        report: dict[str, Any] = {
            "level": spec.level,
            "edges": _edges(r),
            "starts": _ends(r, "pos = 1"),
            "ends": _ends(r, "next_node IS NULL"),
            "variants": _variants(r, spec.top, spec.merge_repeats),
            "sessions": _sessions(r, spec),
            "viewed_without_buying": _viewed_without_buying(r, spec),
            "scope": scope.describe(),
        }
        if spec.start or spec.end:
            report["sankey"] = _sankey(r, spec)
        return report


def _paths_local(r: Runner, spec: PathSpec, scope: Scope) -> dict[str, Any]:
    """The report from one scan of the ordered journeys (same shape, same numbers)."""
    spec.check()
    j = paths_arrays.read_journeys(r, spec, scope)
    view, buy = event_name(spec.view), event_name(spec.buy)
    after = spec.start is not None
    anchor = event_name(spec.start or spec.end or "")
    more = (
        {"sankey": lambda: paths_arrays.sankey(j, anchor, after=after, depth=spec.depth)}
        if spec.start or spec.end
        else {}
    )
    found = paths_arrays.parts(
        j, spec.top, spec.session_gap, view, buy, r.zone, merge=spec.merge_repeats, more=more
    )
    rows = found.pop("sankey", None)
    report: dict[str, Any] = {"level": spec.level, **found, "scope": scope.describe()}
    if rows is not None:
        report["sankey"] = _sankey_links(rows, anchor, after)
    return report


def directly_follows(ws: Runner | Workspace, level: str, scope: Scope) -> list[dict[str, Any]]:
    """Only the directly-follows graph (what ``paths`` reports as ``edges``)."""
    r = as_runner(ws)
    spec = PathSpec(level=level)
    spec.check()
    try:
        return paths_arrays.edges(paths_arrays.read_journeys(r, spec, scope))
    except paths_arrays.HashClash:
        pass
    with _path_rows(r, spec, scope):
        return _edges(r)


def _edges(r: Runner) -> list[dict[str, Any]]:
    q = r.sql()
    rows = r.rows(
        f"""SELECT node, next_node, count(*) AS n,
               median({q.seconds("next_ts")} - {q.seconds("ts")}) AS med,
               count(DISTINCT customer_id) AS customers
        FROM path_rows WHERE next_node IS NOT NULL
        GROUP BY ALL ORDER BY n DESC, node, next_node"""
    )
    return [
        {"from": a, "to": b, "count": n, "customers": c, "median_seconds": round(float(m), 3)}
        for a, b, n, m, c in rows
    ]


def _ends(r: Runner, where: str) -> dict[str, int]:
    rows = r.rows(
        f"SELECT node, count(*) FROM path_rows WHERE {where} GROUP BY node ORDER BY 2 DESC, 1"
    )
    return {str(a): int(n) for a, n in rows}


def _variants(r: Runner, top: int, merge: bool = True) -> dict[str, Any]:
    """Whole journeys as sequences of nodes; repeats of one node in a row are collapsed
    (``merge``) or kept."""
    q = r.sql()
    with r.scratch("path_variants"):
        r.table(
            "path_variants",
            f"""WITH c AS (
                SELECT customer_id, pos, node,
                    node IS DISTINCT FROM lag(node) OVER (PARTITION BY customer_id ORDER BY pos)
                        AS changed
                FROM path_rows
            )
            SELECT {q.ordered_list("node", "pos")} AS path FROM c
            WHERE {"changed" if merge else "TRUE"}
            GROUP BY customer_id""",
        )
        total, distinct = r.rows("SELECT count(*), count(DISTINCT path) FROM path_variants")[0]
        rows = r.rows(
            f"""SELECT path, count(*) AS n FROM path_variants GROUP BY path
            ORDER BY n DESC, path LIMIT {int(top)}"""
        )
    return {
        "customers": int(total),
        "merge_repeats": merge,
        "distinct": int(distinct),
        "top": [
            {"path": list(p), "customers": int(n), "share": round(n / total, 4) if total else 0.0}
            for p, n in rows
        ],
    }


def _sankey(r: Runner, spec: PathSpec) -> dict[str, Any]:
    """Steps after the first ``--from`` event (or before the last ``--to`` event).

    Nodes are ``(step, name)``; step 0 is the anchor event. Journeys shorter than the depth
    end in "(end)" / start at "(start)", so every column sums to the anchor count.
    """
    anchor = event_name(spec.start or spec.end or "")
    after = spec.start is not None
    pick = "min" if after else "max"
    sign = "" if after else "-"
    q = r.sql()
    edge = q.bind("(end)" if after else "(start)")
    rows = r.rows(
        f"""WITH a AS (
            SELECT customer_id, {pick}(pos) AS apos FROM path_rows
            WHERE event = {q.bind(anchor)} GROUP BY 1
        ), steps AS (
            SELECT a.customer_id, s.k, coalesce(p.node, {edge}) AS node
            FROM a CROSS JOIN {q.numbers(spec.depth)} s
            LEFT JOIN path_rows p ON p.customer_id = a.customer_id AND p.pos = a.apos {sign}+ s.k
        ), cut AS (  -- after the first (end)/(start), nothing more
            SELECT *, bool_or(node = {edge}) OVER (
                PARTITION BY customer_id ORDER BY k
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS over
            FROM steps
        ), linked AS (
            SELECT customer_id, k, node, over,
                lead(node) OVER (PARTITION BY customer_id ORDER BY k) AS nxt
            FROM cut
        )
        SELECT k, node, nxt, count(*) FROM linked
        WHERE nxt IS NOT NULL AND NOT over
        GROUP BY ALL ORDER BY k, 4 DESC, node, nxt""",
        q,
    )
    return _sankey_links(rows, anchor, after)


def _sankey_links(rows: list[Any], anchor: str, after: bool) -> dict[str, Any]:
    """Nodes (``step:name``) and links of the Sankey from its rows (step, node, next,
    customers), in the rows' order."""
    links = []
    nodes: dict[str, int] = {}

    def node_id(step: int, name: str) -> str:
        key = f"{step if after else -step}:{name}"
        nodes.setdefault(key, len(nodes))
        return key

    for k, a, b, n in rows:
        src, dst = node_id(k, a), node_id(k + 1, b)
        links.append(
            {"source": src, "target": dst, "value": int(n)}
            if after
            else {"source": dst, "target": src, "value": int(n)}
        )
    return {
        "anchor": anchor,
        "direction": "after" if after else "before",
        "nodes": list(nodes),
        "links": links,
    }


def _sessions_sql(q: Sql, gap: float) -> str:
    ts, prev = q.seconds("ts"), q.seconds("lag(ts) OVER w")
    return f"""
WITH marked AS (
    SELECT customer_id, pos, ts, channel, node,
        CASE WHEN lag(ts) OVER w IS NULL OR {ts} - {prev} > {q.bind(gap)} THEN 1 ELSE 0 END
            AS new
    FROM path_rows WINDOW w AS (PARTITION BY customer_id ORDER BY pos)
), numbered AS (
    SELECT *, sum(new) OVER (PARTITION BY customer_id ORDER BY pos
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid FROM marked
)
SELECT customer_id, sid, count(*) AS events, {q.value_at_min("channel", "pos")} AS channel,
       {q.value_at_min("node", "pos")} AS entry, {q.seconds("max(ts)")} - {q.seconds("min(ts)")}
           AS seconds
FROM numbered GROUP BY customer_id, sid
"""


def _sessions(r: Runner, spec: PathSpec) -> dict[str, Any]:
    """Sessions split at ``session_gap`` of inactivity; bounce = a one-event session."""
    gap = spec.session_gap.total_seconds()
    q = r.sql()
    with r.scratch("path_sessions"):
        r.table("path_sessions", _sessions_sql(q, gap), q)
        n, bounce, med_events, med_secs = r.rows(
            "SELECT count(*), avg(CAST(events = 1 AS DOUBLE)), median(events), median(seconds) "
            "FROM path_sessions"
        )[0]
        by = {}
        for key, col in (("by_channel", "channel"), ("by_entry", "entry")):
            by[key] = [
                {col: v, "sessions": int(s), "bounce_rate": round(float(b), 4)}
                for v, s, b in r.rows(
                    f"SELECT {col}, count(*), avg(CAST(events = 1 AS DOUBLE)) "
                    f"FROM path_sessions GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 30"
                )
            ]
    return {
        "gap_seconds": gap,
        "sessions": int(n),
        "bounce_rate": round(float(bounce), 4) if n else 0.0,
        "median_events": float(med_events) if n else None,
        "median_seconds": float(med_secs) if n else None,
        **by,
    }


def _viewed_without_buying(r: Runner, spec: PathSpec) -> list[dict[str, Any]]:
    """Per day (workspace time zone): customers who viewed, and those who did not buy."""
    q = r.sql()
    day = q.local_date("ts", q.bind(r.zone))
    view, buy = q.bind(event_name(spec.view)), q.bind(event_name(spec.buy))
    rows = r.rows(
        f"""WITH d AS (
            SELECT customer_id, {day} AS day,
                   bool_or(event = {view}) AS viewed, bool_or(event = {buy}) AS bought
            FROM path_rows GROUP BY 1, 2
        )
        SELECT day, count(*) FILTER (WHERE viewed),
               count(*) FILTER (WHERE viewed AND NOT bought)
        FROM d GROUP BY day HAVING count(*) FILTER (WHERE viewed) > 0 ORDER BY day""",
        q,
    )
    return [
        {
            "day": str(day),
            "viewed": int(v),
            "viewed_without_buying": int(w),
            "share": round(w / v, 4) if v else 0.0,
        }
        for day, v, w in rows
    ]
