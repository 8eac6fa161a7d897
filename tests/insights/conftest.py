"""Workspaces of the demo's generated shop, with and without the planted incidents,
built once per run (each takes a few seconds)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

#: As many customers as `journeyscope demo` (the incidents are sized for it)
CUSTOMERS = 3000


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, bool], tuple[Path, Any]]:
    """``shop(seed, incidents)``: (resolved workspace folder, facts.json)."""
    from journeyscope.events.demo_data import generate
    from journeyscope.events.ingest import ingest_files
    from journeyscope.events.mapping import load_mapping
    from journeyscope.events.workspace import Workspace
    from journeyscope.identity.resolve import resolve

    made: dict[tuple[int, bool], tuple[Path, Any]] = {}

    def build(seed: int, incidents: bool) -> tuple[Path, Any]:
        if (seed, incidents) not in made:
            base = tmp_path_factory.mktemp(f"shop-{seed}-{int(incidents)}")
            facts = generate(base / "src", CUSTOMERS, seed, incidents=incidents)
            with Workspace.init(base / "ws") as ws:
                for item in facts["files"]:
                    mapping = base / "src" / item["mapping"] if item["mapping"] else None
                    ingest_files(ws, [base / "src" / item["file"]], load_mapping(mapping))
                resolve(ws)
            json.dumps(facts)
            made[(seed, incidents)] = (base / "ws", facts)
        return made[(seed, incidents)]

    return build
