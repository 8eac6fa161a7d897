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

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from journeyscope.analytics.attribution.models import Credits
from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.analytics.scope import Scope, Sql, customer_events, field_sql
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
    node = "e.channel" if spec.level == "channel" else "coalesce(e.touchpoint, e.channel)"
    value = field_sql(spec.value, q, "e")
    base = customer_events(ws, scope, q, f"e.ts, e.seq, e.event, {node} AS node, {value} AS v")
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


def _sources(ws: Workspace, spec: PathSpec, scope: Scope, q: Sql) -> tuple[str, str, str]:
    """The touches SQL, the bound conversion event name, and the conversions SQL."""
    spec.check()
    touches = _touches_sql(ws, spec, scope, q)
    conv = q.bind(event_name(spec.conversion))
    value = field_sql(spec.value, q, "e")
    return touches, conv, customer_events(ws, scope, q, f"e.ts, e.seq, e.event, {value} AS v")


def build_paths(ws: Workspace, spec: PathSpec, scope: Scope) -> tuple[PathTable, dict[str, Any]]:
    """Aggregated paths (conversions, value, nulls) from the workspace."""
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
    info = {
        "paths": len(table.paths),
        "null_journeys": sum(table.nulls),
        "conversions_without_touches": direct,
    }
    return table, info


def time_decay(ws: Workspace, spec: PathSpec, scope: Scope, half_life: timedelta) -> Credits:
    """Each touch weighs 2^(−age / half-life) at its conversion; weights sum to 1 per
    conversion (a conversion with no touch credits ``(direct)``)."""
    q = Sql()
    touches, conv, conversions = _sources(ws, spec, scope, q)
    half = q.bind(half_life.total_seconds())
    rows = ws.con.execute(
        f"""WITH t AS ({touches}),
        conv AS (SELECT seq, ts, coalesce(TRY_CAST(v AS DOUBLE), 0) AS value
                 FROM ({conversions}) WHERE event = {conv}),
        w AS (
            SELECT c.seq, c.value, coalesce(t.node, '{DIRECT}') AS node,
                   CASE WHEN t.node IS NULL THEN 1.0
                        ELSE pow(2, -(epoch(c.ts) - epoch(t.ts)) / {half}) END AS w
            FROM conv c LEFT JOIN t ON t.conv_seq = c.seq
        )
        SELECT node, sum(w / tot), sum(value * w / tot) FROM (
            SELECT *, sum(w) OVER (PARTITION BY seq) AS tot FROM w
        ) GROUP BY node""",
        q.params,
    ).fetchall()
    return Credits(
        "time_decay",
        {str(n): float(c) for n, c, _ in rows},
        {str(n): float(v) for n, _, v in rows},
        extra={"half_life_seconds": half_life.total_seconds()},
    )
