"""What a resolve covered, recorded with it, so a later incremental resolve knows where to go on.

Each resolve (full or incremental) writes, in its ``identity_runs`` report: the highest
``seq`` it read (``high_water``) and how many events were at or under it (``covered``),
a fingerprint of the blocks, the schema version, the guard's settings, and the guard's
histogram (how many identifiers of a type are linked to how many values of another: all
the relative guard needs to know of the data). An incremental resolve compares them with
the workspace now: anything that moved other than new events means a full resolve.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from journeyscope.events.schema import SCHEMA_VERSION
from journeyscope.events.workspace import Workspace


@dataclass(frozen=True)
class Covered:
    """The last resolve's marker (``None`` fields: that resolve did not record them)."""

    run_at: datetime
    rules: str | None
    high_water: int | None
    covered: int | None
    blocks: str | None
    schema: int | None
    max_links: int | None
    relative_links: float | None
    hist: np.ndarray | None
    #: ``journey_events`` rows live identity appended as runs since the table was last
    #: written whole in order (``identity/incremental.py``); 0 after a full resolve
    appended: int = 0


def blocks_fingerprint(ws: Workspace) -> str:
    """Changes whenever a block or unblock changes what is blocked (not when it was)."""
    rows = ws.con.execute(
        "SELECT id_type, value, other_type, other_value FROM identity_blocks ORDER BY ALL"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def covered(ws: Workspace, seq: np.ndarray, hist: np.ndarray) -> dict[str, Any]:
    """The marker of a resolve that read the events ``seq`` (report JSON fields)."""
    config = ws.config.identity
    return {
        "high_water": int(seq.max()) if len(seq) else -1,
        "covered": len(seq),
        "blocks": blocks_fingerprint(ws),
        "schema": SCHEMA_VERSION,
        "max_links": config.max_links,
        "relative_links": config.relative_links,
        "hist": encode_hist(hist),
    }


def encode_hist(hist: np.ndarray) -> dict[str, Any]:
    """The histogram as its shape and non-zero cells (it is mostly zeros)."""
    cells = np.argwhere(hist != 0)
    return {
        "shape": list(hist.shape),
        "cells": [[*map(int, c), int(hist[tuple(c)])] for c in cells],
    }


def decode_hist(data: Any) -> np.ndarray | None:
    if not isinstance(data, dict) or "shape" not in data:
        return None
    hist = np.zeros(tuple(data["shape"]), np.int64)
    for *at, count in data["cells"]:
        hist[tuple(at)] = count
    return hist


def last_covered(ws: Workspace) -> Covered | None:
    """The marker of the latest resolve; ``None`` when there was none."""
    row = ws.one("SELECT run_at, report FROM identity_runs ORDER BY run_at DESC LIMIT 1")
    if row is None:
        return None
    report = json.loads(row[1])

    def number(key: str) -> Any:
        value = report.get(key)
        return value if isinstance(value, int | float) else None

    return Covered(
        run_at=row[0],
        rules=report.get("rules"),
        high_water=number("high_water"),
        covered=number("covered"),
        blocks=report.get("blocks"),
        schema=number("schema"),
        max_links=number("max_links"),
        relative_links=number("relative_links"),
        hist=decode_hist(report.get("hist")),
        appended=number("journey_appended") or 0,
    )
