"""Run ClickHouse windowFunnel cases two ways: in chdb (the peer) and through our kernel.

chdb evaluates each case's timestamp expression and step conditions per row; our kernel
then computes the levels from those rows alone, so the comparison is about the funnel
walk, not about SQL dialects.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from journeyscope.analytics.funnel_kernel import (
    DEDUP,
    INCREASE,
    ONCE,
    ORDER,
    REENTRY,
    funnel_levels,
)

CASES = Path(__file__).parents[1] / "data" / "clickhouse-windowfunnel-cases" / "cases.json"
MODE_FLAGS = {
    "strict_order": ORDER,
    "strict_deduplication": DEDUP,
    "strict_increase": INCREASE,
    "allow_reentry": REENTRY,
    "strict_once": ONCE,
}


def split_args(text: str) -> list[str]:
    """Split ``a, f(b, c), 'x,y'`` at top-level commas."""
    parts, depth, quote, cur = [], 0, False, ""
    for ch in text:
        if ch == "'":
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise ValueError(text)


@dataclass
class Case:
    id: str
    window: int
    flags: int
    ts: str
    conditions: list[str]
    table: str
    where: str
    group: str | None
    histogram: bool
    expected: list[list[int]]
    peer_rows: list[list[int]]


def parse(case: dict[str, Any]) -> Case:
    q = case["query"]
    at = q.index("windowFunnel(")
    params_end = closing(q, at + len("windowFunnel"))
    params = split_args(q[at + len("windowFunnel(") : params_end])
    args_end = closing(q, params_end + 1)
    args = split_args(q[params_end + 2 : args_end])
    rest = q[args_end + 1 :]
    table = re.search(r"FROM (\w+)", rest)
    where = re.search(r"WHERE (.*?)(?: GROUP BY|\)|$)", rest)
    group = re.search(r"GROUP BY (\w+)", rest)
    flags = 0
    for p in params[1:]:
        flags |= MODE_FLAGS[p.strip("'")]
    rows = case["rows"]
    peer = case.get("chdb_4.4.0_engine_26.9.2.1_rows", rows)
    return Case(
        id=case["id"],
        window=int(params[0]),
        flags=flags,
        ts=args[0],
        conditions=args[1:],
        table=table.group(1) if table else case["table"],
        where=where.group(1) if where else "1",
        group=group.group(1) if group else None,
        histogram=q.startswith("SELECT level, count()"),
        expected=rows,
        peer_rows=peer,
    )


def load_cases() -> tuple[dict[str, Any], list[Case]]:
    data = json.loads(CASES.read_text(encoding="utf-8"))
    return data["tables"], [parse(c) for c in data["cases"]]


class Peer:
    """A chdb session holding the cases' tables."""

    def __init__(self, tables: dict[str, Any]) -> None:
        from chdb import session

        self.session = session.Session()
        self.session.query("CREATE DATABASE IF NOT EXISTS wf")
        for name, table in tables.items():
            self.session.query(f"DROP TABLE IF EXISTS wf.{name}")
            self.session.query(table["ddl"].replace(f"TABLE {name}", f"TABLE wf.{name}"))
            self.session.query(table["insert"].replace(f"INTO {name}", f"INTO wf.{name}"))

    def rows(self, sql: str) -> list[list[Any]]:
        result = self.session.query(sql, "JSONCompact")
        return json.loads(result.bytes())["data"] if result.bytes() else []

    def ours(self, case: Case) -> list[list[int]]:
        """The case's result rows, computed by our kernel from chdb's per-row values."""
        conds = ", ".join(f"toUInt8({c})" for c in case.conditions)
        group = case.group or "0"
        data = self.rows(
            f"SELECT toInt64({group}) AS g, toUInt64({case.ts}) AS t, {conds} "
            f"FROM wf.{case.table} WHERE {case.where} ORDER BY g, t"
        )
        keys = [int(r[0]) for r in data]
        ts = np.array([int(r[1]) for r in data], np.int64)
        mask = np.array([sum(int(v) << i for i, v in enumerate(r[2:])) for r in data], np.uint32)
        groups = sorted(set(keys))
        starts = np.searchsorted(np.array(keys), np.array([*groups, max(groups) + 1]))
        levels, _ = funnel_levels(
            starts.astype(np.int64),
            ts,
            mask,
            np.zeros(len(ts), np.bool_),
            len(case.conditions),
            case.window,
            case.flags,
            False,
        )
        if case.histogram:
            counts: dict[int, int] = {}
            for level in levels:
                counts[int(level)] = counts.get(int(level), 0) + 1
            return [[lvl, n] for lvl, n in sorted(counts.items())]
        if case.group is None:
            return [[int(levels[0])]]
        return [[g, int(lvl)] for g, lvl in zip(groups, levels, strict=True)]
