"""Ties keep their source order: events at one instant are ordered by their place in the
file (``seq``), not by an id hashed from their content."""

from __future__ import annotations

import itertools
from pathlib import Path

from journeyscope.analytics.paths import PathSpec, paths
from journeyscope.analytics.scope import Scope
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.resolve import resolve

HEADER = "user_id,ts,event,channel"


def _rows() -> list[str]:
    """Per customer, two events at one instant, in alternating file order: ordering ties by
    the hashed ids of rows without an id would get about half of them wrong."""
    rows: list[str] = []
    for n in range(12):
        pair = ("view", "cart") if n % 2 else ("cart", "view")
        rows += [f"c{n},2026-05-01T10:00:00Z,{e},web" for e in pair]
        rows.append(f"c{n},2026-05-01T10:05:00Z,buy,web")
    return rows


def _workspace(tmp_path: Path, rows: list[str]) -> Workspace:
    src = tmp_path / "events.csv"
    src.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    ws = Workspace.init(tmp_path / "ws", WorkspaceConfig(timezone="UTC"))
    assert ingest_files(ws, [src], load_mapping(None)).rejected == 0
    resolve(ws)
    return ws


def _file_order(rows: list[str]) -> dict[str, list[str]]:
    journeys: dict[str, list[str]] = {}
    for row in rows:
        user, _, event, _ = row.split(",")
        journeys.setdefault(user, []).append(event)
    return journeys


def test_paths_and_variants_follow_the_file_at_one_instant(tmp_path: Path) -> None:
    rows = _rows()
    ws = _workspace(tmp_path, rows)
    report = paths(ws, PathSpec(), Scope())
    expected: dict[tuple[str, str], int] = {}
    for events in _file_order(rows).values():
        for a, b in itertools.pairwise(events):
            expected[(a, b)] = expected.get((a, b), 0) + 1
    assert {(e["from"], e["to"]): e["count"] for e in report["edges"]} == expected
    assert sum(report["starts"].values()) == 12
    firsts = {events[0] for events in _file_order(rows).values()}
    assert set(report["starts"]) == firsts
    ws.close()
