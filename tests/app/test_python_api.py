"""The public Python API: the examples in docs/python-api.md and in the Workspace's
docstring run as doctests, against a real workspace."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

import journeyscope
from journeyscope.app import workspace as workspace_module

ROOT = Path(__file__).resolve().parents[2]

EVENTS = [
    ("e1", "2026-05-01T09:00:00+07:00", "product_view", "web", "0903123456"),
    ("e2", "2026-05-01T09:05:00+07:00", "add_to_cart", "web", "0903123456"),
    ("e3", "2026-05-01T09:10:00+07:00", "purchase", "web", "0903123456"),
    ("e4", "2026-05-02T10:00:00+07:00", "product_view", "zalo", "0912000111"),
    ("e5", "2026-05-02T10:03:00+07:00", "add_to_cart", "zalo", "0912000111"),
    ("e6", "2026-05-02T10:04:00+07:00", "page_view", "zalo", "0912000111"),
]


def _globals(tmp_path: Path) -> dict[str, object]:
    events = tmp_path / "events.jsonl"
    rows = [
        {"event_id": i, "ts": ts, "event": ev, "channel": ch, "phone": ph, "revenue": 100000}
        for i, ts, ev, ch, ph in EVENTS
    ]
    events.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return {"folder": tmp_path, "events_file": events, "journeyscope": journeyscope}


def test_docs_page_examples_run(tmp_path: Path) -> None:
    result = doctest.testfile(
        str(ROOT / "docs" / "python-api.md"),
        module_relative=False,
        globs=_globals(tmp_path),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 10
    assert result.failed == 0


def test_workspace_docstring_examples_run(tmp_path: Path) -> None:
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(workspace_module, globs=_globals(tmp_path))
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted >= 5
    assert results.failed == 0


def test_every_public_name_resolves() -> None:
    for name in journeyscope.__all__:
        assert getattr(journeyscope, name) is not None


def test_a_misspelt_option_is_an_error(tmp_path: Path) -> None:
    from pydantic import ValidationError

    ws = journeyscope.Workspace.create(tmp_path / "w")
    with pytest.raises(ValidationError, match="windw"):
        ws.funnel("a,b", windw="7d")
