"""`journeyscope keys`: a key is printed once, stored only as a hash, listed without
secrets, revoked for good; and the CLI still starts without the server's libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result


def test_create_list_revoke(cli: Callable[..., Result], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", "-w", ws).code == 0
    made = cli("keys", "create", "-w", ws, "--role", "write", "--name", "site", "--json")
    assert made.code == 0, made.err
    key = made.json()["key"]
    assert key.startswith("jsk_") and made.json()["role"] == "write"
    secret = key.split(".", 1)[1]
    stored = b"".join(p.read_bytes() for p in ws.iterdir() if p.is_file())
    assert secret.encode() not in stored and key.encode() not in stored  # only its hash
    listed = cli("keys", "list", "-w", ws, "--json")
    assert listed.code == 0
    [entry] = listed.json()["keys"]
    assert entry["id"] == made.json()["id"] and entry["name"] == "site"
    assert secret not in listed.out
    assert entry["revoked_at"] is None
    gone = cli("keys", "revoke", entry["id"], "-w", ws, "--json")
    assert gone.code == 0 and gone.json()["revoked_at"]
    assert cli("keys", "list", "-w", ws, "--json").json()["keys"][0]["revoked_at"]
    plain = cli("keys", "create", "-w", ws, "--role", "read", "--lang", "vi")
    assert plain.code == 0 and "chỉ hiện một lần" in plain.out


def test_bad_role_and_unknown_id_are_located_errors(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    assert cli("init", "-w", ws).code == 0
    bad = cli("keys", "create", "-w", ws, "--role", "root", "--json")
    assert bad.code == 2 and json.loads(bad.out)["error"]["location"]["field"] == "--role"
    missing = cli("keys", "revoke", "abcdefabcdef", "-w", ws)
    assert missing.code == 2 and "abcdefabcdef" in missing.err


def test_the_cli_starts_without_the_server_libraries() -> None:
    code = (
        "import sys, journeyscope.cli as c\n"
        "c.build_command(['--help'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'uvicorn', 'starlette', 'prometheus_client', 'httpx', 'httpx2') "
        "or m.startswith('journeyscope.server')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
