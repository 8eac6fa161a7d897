"""`journeyscope users`: the password comes from standard input (piped, or typed twice at a
terminal), never from an argument; users are listed without hashes, and every change
is a located, bilingual error when it cannot be made."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from journeyscope.events.users import session_of, sign_in
from journeyscope.events.workspace import Workspace
from tests.conftest import Result

Cli = Callable[..., Result]
PASSWORD = "một câu đủ dài để nhớ"
COMMAND = (sys.executable, "-m", "journeyscope.cli", "users")


@pytest.fixture
def ws(cli: Cli, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert cli("init", "-w", root).code == 0
    return root


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_add_reads_the_password_from_stdin_and_list_shows_no_hash(
    cli: Cli, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, PASSWORD + "\nthe second line is not read\n")
    made = cli(
        "users", "add", "-w", ws, "Lan@Shop.vn", "--role", "editor", "--name", "Lan", "--json"
    )
    assert made.code == 0, made.err
    assert made.json()["email"] == "lan@shop.vn" and made.json()["role"] == "editor"
    listed = cli("users", "list", "-w", ws, "--json")
    assert listed.code == 0
    [user] = listed.json()["users"]
    assert (user["email"], user["name"], user["locked_until"]) == ("lan@shop.vn", "Lan", None)
    assert "argon2" not in listed.out and PASSWORD not in listed.out
    table = cli("users", "list", "-w", ws, "--lang", "vi")
    assert "lan@shop.vn" in table.out and "Vai trò" in table.out
    with Workspace.open(ws) as opened:
        assert sign_in(opened, "lan@shop.vn", PASSWORD).user.name == "Lan"
        with pytest.raises(Exception, match="wrong e-mail or password"):
            sign_in(opened, "lan@shop.vn", "the second line is not read")


def test_role_password_sign_out_and_remove(
    cli: Cli, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    assert cli("users", "add", "-w", ws, "an@shop.vn", "--role", "viewer").code == 0
    with Workspace.open(ws) as opened:
        token = sign_in(opened, "an@shop.vn", PASSWORD).token
    role = cli("users", "role", "-w", ws, "AN@shop.vn", "admin", "--lang", "vi")
    assert role.code == 0 and "an@shop.vn" in role.out and "admin" in role.out
    out = cli("users", "sign-out", "-w", ws, "an@shop.vn", "--json")
    assert out.code == 0 and out.json()["sessions_ended"] == 1
    with Workspace.open(ws, read_only=True) as opened:
        assert session_of(opened, token) is None
    _stdin(monkeypatch, "mật khẩu mới cũng dài\r\n")
    changed = cli("users", "password", "-w", ws, "an@shop.vn")
    assert changed.code == 0, changed.err
    with Workspace.open(ws) as opened:
        assert sign_in(opened, "an@shop.vn", "mật khẩu mới cũng dài").user.role == "admin"
    assert cli("users", "remove", "-w", ws, "an@shop.vn").code == 0
    assert cli("users", "list", "-w", ws, "--json").json() == {"users": []}
    gone = cli("users", "remove", "-w", ws, "an@shop.vn", "--json")
    assert gone.code == 2 and gone.json()["error"]["code"] == "unknown_user"


def test_the_password_is_never_an_argument(
    cli: Cli, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "")
    extra = cli("users", "add", "-w", ws, "lan@shop.vn", PASSWORD, "--role", "viewer")
    assert extra.code == 2 and "unexpected extra argument" in extra.err
    option = cli("users", "add", "-w", ws, "lan@shop.vn", "--role", "viewer", "--password", "x")
    assert option.code == 2 and "--password" in option.err
    empty = cli("users", "add", "-w", ws, "lan@shop.vn", "--role", "viewer", "--json")
    assert empty.code == 2 and empty.json()["error"]["code"] == "missing_password"
    assert cli("users", "list", "-w", ws, "--json").json() == {"users": []}


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        (("lan@shop.vn", "--role", "owner"), PASSWORD, "invalid_option"),
        (("lan", "--role", "viewer"), PASSWORD, "invalid_email"),
        (("lan@shop.vn", "--role", "viewer"), "short", "password_too_short"),
    ],
)
def test_bad_input_is_a_located_error_in_both_languages(
    cli: Cli,
    ws: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    stdin: str,
    code: str,
) -> None:
    _stdin(monkeypatch, stdin + "\n")
    res = cli("users", "add", "-w", ws, *args, "--json")
    assert res.code == 2 and res.json()["error"]["code"] == code
    assert res.json()["error"]["location"]["field"]
    _stdin(monkeypatch, stdin + "\n")
    vi = cli("users", "add", "-w", ws, *args, "--lang", "vi")
    assert vi.code == 2 and "lỗi[" in vi.err and "Traceback" not in vi.err


def test_duplicate_user_is_refused(cli: Cli, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for expected in (0, 2):
        _stdin(monkeypatch, PASSWORD + "\n")
        res = cli("users", "add", "-w", ws, "lan@shop.vn", "--role", "viewer")
        assert res.code == expected
    assert "user_exists" in res.err


def _run(ws: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args, "-w", str(ws)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_command_reads_a_piped_password(ws: Path) -> None:
    done = _run(ws, "add", "lan@shop.vn", "--role", "admin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    with Workspace.open(ws, read_only=True) as opened:
        assert opened.scalar("SELECT role FROM web_users") == "admin"


def _read_until(fd: int, marker: bytes, seen: bytearray, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while marker not in seen:
        assert time.monotonic() < deadline, bytes(seen)
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            seen += chunk


def _at_a_terminal(ws: Path, first: str, second: str) -> tuple[int, str]:
    """Run `users add` with a terminal for its standard input, typing the two answers."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [*COMMAND, "add", "-w", str(ws), "lan@shop.vn", "--role", "viewer"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    seen = bytearray()
    try:
        _read_until(leader, b"Password: ", seen)
        os.write(leader, first.encode() + b"\n")
        _read_until(leader, b"Password again: ", seen)
        os.write(leader, second.encode() + b"\n")
        code = child.wait(timeout=120)
        _read_until(leader, b"\x00", seen, limit=2)  # the rest, until the terminal closes
    finally:
        if child.poll() is None:
            child.kill()
        os.close(leader)
    return code, seen.decode(errors="replace")


def test_at_a_terminal_the_password_is_asked_twice(ws: Path) -> None:
    code, shown = _at_a_terminal(ws, "mật khẩu gõ một lần", "mật khẩu gõ hai lần")
    assert code == 2 and "password_mismatch" in shown, shown
    assert "mật khẩu gõ" not in shown  # not echoed
    with Workspace.open(ws, read_only=True) as opened:
        assert opened.scalar("SELECT count(*) FROM web_users") == 0
    code, shown = _at_a_terminal(ws, PASSWORD, PASSWORD)
    assert code == 0, shown
    with Workspace.open(ws) as opened:
        assert sign_in(opened, "lan@shop.vn", PASSWORD).user.role == "viewer"
