"""A name that does not exist is an error with a suggestion, never a report of zeros;
a step that exists but that nobody reached in the period is a warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeWorkspace

EVENTS: list[dict[str, Any]] = [
    {
        "event_id": "a1",
        "ts": "2026-05-01T09:00:00+07:00",
        "event": "product_view",
        "channel": "shopee",
        "phone": "0903123456",
        "properties": {"category": "bags"},
    },
    {
        "event_id": "a2",
        "ts": "2026-05-01T09:05:00+07:00",
        "event": "add_to_cart",
        "channel": "shopee",
        "phone": "0903123456",
    },
    {
        "event_id": "a3",
        "ts": "2026-05-01T09:10:00+07:00",
        "event": "purchase",
        "channel": "shopee",
        "phone": "0903123456",
        "revenue": 250000,
    },
    {
        "event_id": "b1",
        "ts": "2026-06-02T10:00:00+07:00",
        "event": "product_view",
        "channel": "lazada",
        "phone": "0912000111",
    },
]


@pytest.fixture
def root(make_workspace: MakeWorkspace) -> Path:
    ws = make_workspace(EVENTS)
    root = ws.root
    ws.close()
    return root


@pytest.mark.parametrize(
    ("args", "code", "field", "suggestion"),
    [
        (
            ("funnel", "--steps", "product_view,add_to_crt"),
            "unknown_event",
            "--steps",
            "add_to_cart",
        ),
        (
            ("funnel", "--steps", "product_view[categry=bags],purchase"),
            "unknown_field",
            "--steps",
            "category",
        ),
        (
            ("funnel", "--steps", "product_view,purchase", "--where", "channel = shoppe"),
            "unknown_channel",
            "--where",
            "shopee",
        ),
        (
            ("funnel", "--steps", "product_view,purchase", "--by", "chanel"),
            "unknown_field",
            "--by",
            "channel",
        ),
        (
            ("funnel", "--steps", "product_view,purchase", "--exclude", "refnd"),
            "unknown_event",
            "--exclude",
            None,
        ),
        (("paths", "--from", "product_veiw"), "unknown_event", "--from", "product_view"),
        (("touchpoints", "--conversion", "purchse"), "unknown_event", "--conversion", "purchase"),
        (("attribution", "--conversion", "purchse"), "unknown_event", "--conversion", "purchase"),
        (("retention", "--cohort-event", "purchse"), "unknown_event", "--cohort-event", "purchase"),
    ],
)
def test_unknown_names_are_errors_with_a_suggestion(
    cli: Any, root: Path, args: tuple[str, ...], code: str, field: str, suggestion: str | None
) -> None:
    result = cli(*args, "-w", root, "--json")
    assert result.code == 2, result.out + result.err
    error = result.json()["error"]
    assert error["code"] == code
    assert error["location"]["field"] == field
    if suggestion:
        assert f"did you mean {suggestion}" in error["hint"]


def test_the_message_speaks_vietnamese(cli: Any, root: Path) -> None:
    result = cli("--lang", "vi", "funnel", "--steps", "product_view,add_to_crt", "-w", root)
    assert result.code == 2
    assert "có phải ý bạn là add_to_cart" in result.err
    assert "không sự kiện nào trong workspace có sự kiện 'add_to_crt'" in result.err


def test_a_real_step_nobody_reached_is_a_warning(cli: Any, root: Path) -> None:
    result = cli(
        "funnel", "--steps", "product_view,purchase", "-w", root, "--from", "2026-06-01", "--json"
    )
    assert result.code == 0
    assert [s["customers"] for s in result.json()["steps"]] == [1, 0]
    assert "no customer reached step purchase" in result.err


def test_known_names_still_answer(cli: Any, root: Path) -> None:
    result = cli(
        "funnel",
        "--steps",
        "product_view[category=bags],purchase",
        "-w",
        root,
        "--where",
        "channel in (shopee, lazada)",
        "--by",
        "channel",
        "--json",
    )
    assert result.code == 0, result.err
    assert [s["customers"] for s in result.json()["steps"]] == [1, 1]


def test_a_stage_rule_naming_a_missing_event_is_an_error(
    cli: Any, root: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "model: retail5\n"
        "rules:\n"
        "  - {stage: awareness, events: [product_view]}\n"
        "  - {stage: purchase, events: [purchse]}\n",
        encoding="utf-8",
    )
    result = cli("stages", "-w", root, "--rules", rules, "--json")
    assert result.code == 2, result.out
    error = result.json()["error"]
    assert error["code"] == "unknown_event"
    assert error["location"] == {
        "file": str(rules),
        "line": None,
        "column": None,
        "field": "rules.1.events",
    }
    assert "did you mean purchase" in error["hint"]
