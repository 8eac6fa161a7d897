"""The data's own text is printed as text: a funnel step's [filter], or an event or
channel named with brackets, is neither swallowed as rich markup nor a crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeWorkspace, Result

Cli = Callable[..., Result]
ODD_EVENT = "[/promo]"
ODD_CHANNEL = "[bold]zalo"


def _event(eid: str, minute: int, event: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": eid,
        "ts": f"2026-05-01T09:{minute:02d}:00Z",
        "event": event,
        "phone": "0903123456",
        **extra,
    }


@pytest.fixture
def root(make_workspace: MakeWorkspace) -> Path:
    ws = make_workspace(
        [
            _event("1", 0, "product_view", channel=ODD_CHANNEL, properties={"category": "bags"}),
            _event("2", 5, ODD_EVENT, channel=ODD_CHANNEL, touchpoint=ODD_EVENT),
            _event("3", 10, "purchase", revenue=250000),
        ]
    )
    root: Path = ws.root
    ws.close()
    return root


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_step_filter_shows_in_the_funnel_table(cli: Cli, root: Path) -> None:
    steps = "product_view[category=bags],purchase"
    r = cli("funnel", "-w", root, "--steps", steps, "--by", "channel")
    assert r.code == 0, r.err
    assert "product_view[category=bags]" in _flat(r.out)
    assert f"channel={ODD_CHANNEL}" in r.out  # the breakdown's value, as stored


def test_bracketed_names_print_in_every_report(cli: Cli, root: Path) -> None:
    for args, expected in (
        (("paths",), ODD_EVENT),
        (("attribution", "--level", "channel"), ODD_CHANNEL),
        (("touchpoints",), ODD_EVENT),
    ):
        r = cli(*args, "-w", root)
        assert r.code == 0, (args, r.err)
        assert expected in r.out, (args, r.out)


def test_a_warning_keeps_the_steps_filter(cli: Cli, root: Path) -> None:
    steps = "product_view[category=bags],purchase"
    r = cli("funnel", "-w", root, "--steps", steps, "--from", "2026-06-01")
    assert r.code == 0, r.err
    assert "step product_view[category=bags]" in _flat(r.err)
