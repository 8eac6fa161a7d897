"""identity explain names the rule that excluded an identifier, in the user's language."""

from __future__ import annotations

from typing import Any

from tests.conftest import MakeWorkspace


def test_explain_names_the_placeholder_rule(cli: Any, make_workspace: MakeWorkspace) -> None:
    ws = make_workspace(
        [
            {
                "event_id": "1",
                "event": "a",
                "ts": "2026-01-01T00:00:00Z",
                "email": "test@test.com",
                "user_id": "u1",
            },
            {
                "event_id": "2",
                "event": "a",
                "ts": "2026-01-02T00:00:00Z",
                "email": "test@test.com",
                "user_id": "u2",
            },
        ]
    )
    root = ws.root
    ws.close()
    found = cli("identity", "explain", "user_id:u1", "-w", root, "--json").json()
    assert found["status"] == "linked"
    email = "email:test@test.com"
    data = cli("identity", "explain", email, "-w", root, "--json").json()
    assert data.get("rule") == "placeholder", data
    assert "identity.deny" in data["why"]
    vi = cli("--lang", "vi", "identity", "explain", email, "-w", root)
    assert "giá trị giữ chỗ" in vi.out
