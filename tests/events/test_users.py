"""Web users and sessions (events/users.py): argon2id hashes only, one error for a wrong
e-mail or password, lockout and unlock, sessions that expire, end and survive a read-only
reopen, and a CSRF token bound to the session."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from journeyscope.errors import InputError, NotFound
from journeyscope.events.users import (
    LOCKOUT,
    MAX_FAILURES,
    SESSION_LIFETIME,
    BadCredentials,
    LockedOut,
    add_user,
    csrf_matches,
    get_user,
    list_users,
    remove_user,
    session_of,
    set_password,
    set_role,
    sign_in,
    sign_out,
    sign_out_everywhere,
)
from journeyscope.events.workspace import Workspace

PASSWORD = "ngựa-vằn-ăn-cỏ-42"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "ws") as workspace:
        add_user(workspace, " Lan@Shop.VN ", "editor", PASSWORD, name=" Lan ")
        yield workspace


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_add_list_and_roles(ws: Workspace) -> None:
    [lan] = list_users(ws)
    assert (lan.email, lan.name, lan.role, lan.locked_until) == (
        "lan@shop.vn",
        "Lan",
        "editor",
        None,
    )
    add_user(ws, "an@shop.vn", "viewer", "mật khẩu đủ dài")
    assert [u.email for u in list_users(ws)] == ["lan@shop.vn", "an@shop.vn"]
    assert set_role(ws, "AN@shop.vn", "admin").role == "admin"
    assert get_user(ws, "an@shop.vn").role == "admin"
    as_dict = get_user(ws, "lan@shop.vn").to_dict()
    assert as_dict["email"] == "lan@shop.vn" and as_dict["locked_until"] is None
    assert not any("hash" in key or "password" in key for key in as_dict)
    audit = ws.con.execute("SELECT action, detail FROM audit_log").fetchall()
    assert ("user_added", '{"email": "an@shop.vn", "role": "viewer"}') in audit
    assert not any(PASSWORD in detail for _, detail in audit)


@pytest.mark.parametrize(
    ("email", "role", "password", "code"),
    [
        ("lan@shop.vn", "viewer", "mật khẩu đủ dài", "user_exists"),
        ("LAN@shop.vn ", "viewer", "mật khẩu đủ dài", "user_exists"),
        ("not-an-email", "viewer", "mật khẩu đủ dài", "invalid_email"),
        ("a@b", "viewer", "mật khẩu đủ dài", "invalid_email"),
        ("an@shop.vn", "owner", "mật khẩu đủ dài", "invalid_option"),
        ("an@shop.vn", "viewer", "ngắn quá", "password_too_short"),
        ("an@shop.vn", "viewer", "x" * 1025, "password_too_short"),
    ],
)
def test_bad_new_users_are_input_errors(
    ws: Workspace, email: str, role: str, password: str, code: str
) -> None:
    with pytest.raises(InputError) as exc:
        add_user(ws, email, role, password)
    assert exc.value.code == code and exc.value.message("vi") != exc.value.message("en")
    assert len(list_users(ws)) == 1


def test_unknown_user_suggests_the_closest(ws: Workspace) -> None:
    with pytest.raises(NotFound) as exc:
        get_user(ws, "lam@shop.vn")
    assert exc.value.code == "unknown_user" and "lan@shop.vn" in str(exc.value.hint_en)
    with pytest.raises(NotFound):
        set_role(ws, "nobody@shop.vn", "viewer")


def test_only_an_argon2id_hash_is_stored(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        add_user(ws, "lan@shop.vn", "admin", PASSWORD)
        stored = ws.scalar("SELECT password_hash FROM web_users")
        token = sign_in(ws, "lan@shop.vn", PASSWORD).token
    assert str(stored).startswith("$argon2id$")
    on_disk = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
    for secret in (PASSWORD, token, token.split(".", 1)[1]):
        assert secret.encode() not in on_disk


def test_sign_in_opens_a_session_readable_read_only(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        add_user(ws, "lan@shop.vn", "editor", PASSWORD)
        grant = sign_in(ws, "LAN@shop.vn ", PASSWORD)
    assert grant.token.startswith("jss_") and grant.user.email == "lan@shop.vn"
    assert grant.expires_at - _now() <= SESSION_LIFETIME
    with Workspace.open(root, read_only=True) as ro:
        found = session_of(ro, grant.token)
        assert found is not None
        assert (found.user.email, found.user.role, found.csrf) == (
            "lan@shop.vn",
            "editor",
            grant.csrf,
        )
        assert found.expires_at == grant.expires_at
        assert found.session_id == grant.token[4:16]


def test_nfd_typed_password_signs_in(ws: Workspace) -> None:
    assert sign_in(ws, "lan@shop.vn", unicodedata.normalize("NFD", PASSWORD)).user.role == "editor"


def test_bad_tokens_open_nothing(ws: Workspace) -> None:
    grant = sign_in(ws, "lan@shop.vn", PASSWORD)
    session_id, secret = grant.token.split(".")
    other = "A" if secret[0] != "A" else "B"
    for token in (
        "",
        "jss_nothex.secret",
        f"{session_id}.{other}{secret[1:]}",  # the right id, a wrong secret
        f"jss_000000000000.{secret}",
        grant.token + "x",
        "jsk_" + grant.token[4:],
    ):
        assert session_of(ws, token) is None, token
    assert session_of(ws, grant.token) is not None


def test_sessions_expire(ws: Workspace) -> None:
    start = _now()
    grant = sign_in(ws, "lan@shop.vn", PASSWORD, now=start)
    assert grant.expires_at == start + SESSION_LIFETIME
    almost = start + SESSION_LIFETIME - timedelta(seconds=1)
    assert session_of(ws, grant.token, now=almost) is not None
    assert session_of(ws, grant.token, now=start + SESSION_LIFETIME) is None


def test_wrong_email_and_wrong_password_are_the_same_error(ws: Workspace) -> None:
    with pytest.raises(BadCredentials) as unknown:
        sign_in(ws, "nobody@shop.vn", PASSWORD)
    with pytest.raises(BadCredentials) as wrong:
        sign_in(ws, "lan@shop.vn", "not the password")
    assert unknown.value.http_status == wrong.value.http_status == 401
    for lang in ("en", "vi"):
        assert unknown.value.to_dict(lang) == wrong.value.to_dict(lang)
    assert unknown.value.to_dict()["error"]["code"] == "bad_credentials"  # type: ignore[index]
    with pytest.raises(BadCredentials):  # refused at a dummy check's cost, not hashed whole
        sign_in(ws, "lan@shop.vn", PASSWORD * 1000)


def test_an_unknown_email_costs_a_hash_check_too(ws: Workspace) -> None:
    """Timing must not tell which e-mails exist: both paths run argon2 (tens of ms), so
    the unknown one is not orders of magnitude faster (the best of three of each)."""

    def best(email: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            with pytest.raises(BadCredentials):
                sign_in(ws, email, "not the password")
            times.append(time.perf_counter() - start)
        return min(times)

    wrong = best("lan@shop.vn")
    set_password(ws, "lan@shop.vn", PASSWORD)  # three failures counted: start again
    assert best("nobody@shop.vn") > 0.3 * wrong


def test_lockout_after_max_failures_then_unlock(ws: Workspace) -> None:
    start = _now()
    for attempt in range(MAX_FAILURES - 1):
        with pytest.raises(BadCredentials):
            sign_in(ws, "lan@shop.vn", "wrong password", now=start + timedelta(seconds=attempt))
    at = start + timedelta(seconds=MAX_FAILURES)
    with pytest.raises(LockedOut) as locked:
        sign_in(ws, "lan@shop.vn", "wrong password", now=at)
    assert locked.value.http_status == 429 and locked.value.code == "locked_out"
    assert locked.value.until == at + LOCKOUT
    assert locked.value.retry_after == int(LOCKOUT.total_seconds())
    assert "15" in locked.value.message("en") and "15" in locked.value.message("vi")
    assert get_user(ws, "lan@shop.vn").locked_until is not None
    with pytest.raises(LockedOut):  # even the right password, while locked
        sign_in(ws, "lan@shop.vn", PASSWORD, now=at + LOCKOUT - timedelta(seconds=1))
    later = at + LOCKOUT + timedelta(seconds=1)
    assert sign_in(ws, "lan@shop.vn", PASSWORD, now=later).user.email == "lan@shop.vn"
    # a success resets the count: four more failures do not lock
    for attempt in range(MAX_FAILURES - 1):
        with pytest.raises(BadCredentials):
            sign_in(ws, "lan@shop.vn", "wrong", now=later + timedelta(seconds=attempt + 1))
    assert sign_in(ws, "lan@shop.vn", PASSWORD, now=later + timedelta(minutes=1)).token
    assert ws.scalar("SELECT failed_logins FROM web_users") == 0


def test_set_password_lifts_a_lockout_and_ends_sessions(ws: Workspace) -> None:
    grant = sign_in(ws, "lan@shop.vn", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(BadCredentials):
            sign_in(ws, "lan@shop.vn", "wrong password")
    with pytest.raises(LockedOut):
        sign_in(ws, "lan@shop.vn", "wrong password")
    set_password(ws, "lan@shop.vn", "một mật khẩu mới hoàn toàn")
    assert session_of(ws, grant.token) is None
    with pytest.raises(BadCredentials):
        sign_in(ws, "lan@shop.vn", PASSWORD)
    assert sign_in(ws, "lan@shop.vn", "một mật khẩu mới hoàn toàn").user.role == "editor"
    with pytest.raises(InputError):
        set_password(ws, "lan@shop.vn", "short")


def test_sign_out_ends_only_that_session(ws: Workspace) -> None:
    first = sign_in(ws, "lan@shop.vn", PASSWORD)
    second = sign_in(ws, "lan@shop.vn", PASSWORD)
    session_id, secret = first.token.split(".")
    sign_out(ws, f"{session_id}.{'A' if secret[0] != 'A' else 'B'}{secret[1:]}")  # wrong secret
    assert session_of(ws, first.token) is not None
    sign_out(ws, first.token)
    sign_out(ws, "junk")
    assert session_of(ws, first.token) is None
    assert session_of(ws, second.token) is not None


def test_sign_out_everywhere_invalidates_old_tokens(ws: Workspace) -> None:
    add_user(ws, "an@shop.vn", "viewer", "mật khẩu đủ dài")
    tokens = [sign_in(ws, "lan@shop.vn", PASSWORD).token for _ in range(2)]
    theirs = sign_in(ws, "an@shop.vn", "mật khẩu đủ dài").token
    assert sign_out_everywhere(ws, "LAN@shop.vn") == 2
    assert all(session_of(ws, token) is None for token in tokens)
    assert session_of(ws, theirs) is not None
    assert ws.scalar("SELECT count(*) FROM web_sessions WHERE email = 'lan@shop.vn'") == 0
    fresh = sign_in(ws, "lan@shop.vn", PASSWORD)
    assert session_of(ws, fresh.token) is not None
    assert sign_out_everywhere(ws, "lan@shop.vn") == 1


def test_a_session_made_before_sign_out_everywhere_is_refused_even_if_its_row_is_back(
    ws: Workspace,
) -> None:
    """sessions_valid_after, not just the deleted rows, ends old sessions (a row restored
    from a backup, or written by a sign-in racing the sign-out, opens nothing)."""
    start = _now() - timedelta(minutes=5)
    grant = sign_in(ws, "lan@shop.vn", PASSWORD, now=start)
    row = ws.one("SELECT * FROM web_sessions")
    sign_out_everywhere(ws, "lan@shop.vn", now=start + timedelta(minutes=1))
    ws.con.execute("INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)", list(row or ()))
    assert session_of(ws, grant.token) is None


def test_role_changes_apply_to_open_sessions_and_removal_ends_them(ws: Workspace) -> None:
    grant = sign_in(ws, "lan@shop.vn", PASSWORD)
    set_role(ws, "lan@shop.vn", "viewer")
    found = session_of(ws, grant.token)
    assert found is not None and found.user.role == "viewer"
    remove_user(ws, "lan@shop.vn")
    assert session_of(ws, grant.token) is None
    assert ws.scalar("SELECT count(*) FROM web_sessions") == 0
    with pytest.raises(BadCredentials):
        sign_in(ws, "lan@shop.vn", PASSWORD)
    with pytest.raises(NotFound):
        remove_user(ws, "lan@shop.vn")


def test_csrf_token_is_bound_to_its_session(ws: Workspace) -> None:
    first = sign_in(ws, "lan@shop.vn", PASSWORD)
    second = sign_in(ws, "lan@shop.vn", PASSWORD)
    assert csrf_matches(first.token, first.csrf)
    assert len(first.csrf) == 64 and first.csrf not in first.token
    assert not csrf_matches(first.token, second.csrf)
    assert not csrf_matches(first.token, "")
    assert not csrf_matches("junk", first.csrf)
    assert not csrf_matches(first.token, first.csrf.upper())


def test_aware_times_are_read_as_utc(ws: Workspace) -> None:
    hanoi = datetime.now(timezone(timedelta(hours=7)))
    grant = sign_in(ws, "lan@shop.vn", PASSWORD, now=hanoi)
    assert grant.expires_at.tzinfo is None
    assert abs(grant.expires_at - (_now() + SESSION_LIFETIME)) < timedelta(minutes=1)
