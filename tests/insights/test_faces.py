"""`journeyscope insights` in a terminal (vi and en), as JSON, and over HTTP: one report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from journeyscope.events.keys import create_key
from journeyscope.events.workspace import Workspace
from journeyscope.server.app import Limits, create_app
from tests.conftest import Result

Shop = Callable[[int, bool], tuple[Path, Any]]


def test_the_terminal_tells_what_changed_in_both_languages(
    shop: Shop, cli: Callable[..., Result]
) -> None:
    ws, _ = shop(7, True)
    en = cli("insights", "-w", ws)
    assert en.code == 0, en.err
    assert "What changed" in en.out and "platform = android" in en.out
    assert "payment_error" in en.out and "2026-03-09 … 2026-03-29" in en.out
    assert "See the evidence:" in en.out and "journeyscope funnel -w" in en.out
    vi = cli("--lang", "vi", "insights", "-w", ws)
    assert vi.code == 0, vi.err
    assert "Điều gì đã thay đổi" in vi.out and "Khách bị ảnh hưởng" in vi.out
    assert "khách mới đến nhưng chỉ" in vi.out


def test_nothing_changed_is_said_plainly(shop: Shop, cli: Callable[..., Result]) -> None:
    ws, _ = shop(8, False)
    res = cli("--lang", "vi", "insights", "-w", ws)
    assert res.code == 0, res.err
    assert "Không có thay đổi đáng kể" in res.out


def test_bad_input_exits_2_with_a_located_message(shop: Shop, cli: Callable[..., Result]) -> None:
    ws, _ = shop(7, True)
    res = cli("insights", "-w", ws, "--by", "platfrom", "--json")
    assert res.code == 2
    error = res.json()["error"]
    assert (error["code"], error["location"]["field"]) == ("unknown_field", "--by")
    assert "did you mean platform?" in error["hint"]


def test_the_api_sends_what_the_cli_prints_naming_the_workspace_as_served(
    shop: Shop, cli: Callable[..., Result]
) -> None:
    ws, _ = shop(7, True)
    with Workspace.open(ws) as opened:
        key = create_key(opened, "read", "insights test")[1]
    printed = cli("insights", "-w", ws, "--json", "--since", "2026-05-01")
    assert printed.code == 0, printed.err
    app = create_app({"demo": ws}, limits=Limits(0, 0))
    with TestClient(app) as client:
        answer = client.get(
            "/api/v1/workspaces/demo/insights",
            params={"changes_since": "2026-05-01"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["findings"] and "-w demo " in body["findings"][0]["command"]
    assert str(ws) not in answer.text  # the server's folders are not told
    expected = printed.json()
    for finding in expected["findings"]:
        finding["command"] = finding["command"].replace(f"-w {ws} ", "-w demo ")
        for related in finding.get("related", []):
            related["command"] = related["command"].replace(f"-w {ws} ", "-w demo ")
    assert body == expected
