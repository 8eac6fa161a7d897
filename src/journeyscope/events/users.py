"""Web users of a workspace and their sign-in sessions (docs/server.md, "Web users").

Passwords are kept only as argon2id hashes (``argon2.PasswordHasher``'s defaults): a slow,
memory-hard hash, because people choose guessable passwords and a leaked database must not
make guessing cheap. Passwords are NFC-normalised first, so the same Vietnamese password
typed by an input method that composes accents (NFC) or one that does not (NFD) still signs in.

A session token is ``jss_<id>.<secret>``: the id (12 hex digits) finds the row, the secret
(32 random bytes from :mod:`secrets`) is never stored — only its SHA-256. A slow hash would
add nothing there: 256 random bits cannot be guessed, however fast each guess is, and a
cheap digest keeps every request's session check fast. The CSRF token is
HMAC-SHA256(secret, "csrf"): it cannot be computed without the cookie's secret, so nothing
more is stored and the server checks a presented ``X-CSRF-Token`` against the cookie alone.

Sign-in never says whether an e-mail exists: an unknown e-mail and a wrong password give the
same error, and an unknown e-mail is still checked against a dummy hash so both take as long.
After :data:`MAX_FAILURES` wrong passwords in a row the account is locked for
:data:`LOCKOUT`. Times are naive UTC, like every other table of the workspace.

Audit records name the user (a staff member's e-mail, needed to know who was given access;
never a customer's data), never a password, hash or token.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Final, NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from journeyscope.errors import InputError, JourneyScopeError, Location, NotFound

if TYPE_CHECKING:
    from journeyscope.events.workspace import Workspace

ROLES: Final = ("viewer", "editor", "admin")
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 1024  # argon2 takes any length; a cap keeps junk requests cheap
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(minutes=15)
SESSION_LIFETIME: Final = timedelta(hours=12)
PREFIX: Final = "jss_"
_TOKEN_SHAPE: Final = re.compile(r"^jss_([0-9a-f]{12})\.([A-Za-z0-9_-]{20,100})$")
_EMAIL_SHAPE: Final = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_USER_COLUMNS: Final = "email, name, role, created_at, locked_until"


class BadCredentials(JourneyScopeError, PermissionError):
    """An unknown e-mail or a wrong password: one error for both, so no one can learn
    which e-mails have accounts by trying them."""

    code = "bad_credentials"
    http_status: ClassVar[int] = 401


class LockedOut(JourneyScopeError, PermissionError):
    """Too many wrong passwords in a row: the account refuses sign-in until ``until``;
    ``retry_after`` (whole seconds) is what the server sends as ``Retry-After``."""

    code = "locked_out"
    http_status: ClassVar[int] = 429
    until: datetime | None = None
    retry_after: int = 0


@dataclass(frozen=True)
class UserInfo:
    """What may be shown about a user: never the password hash."""

    email: str
    name: str | None
    role: str
    created_at: datetime
    locked_until: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


@dataclass(frozen=True)
class SessionGrant:
    """A new session: ``token`` goes in the cookie, ``csrf`` in the page (never stored)."""

    token: str
    csrf: str
    user: UserInfo
    expires_at: datetime


@dataclass(frozen=True)
class SessionInfo:
    """A valid session, as the server sees it on a request."""

    session_id: str
    user: UserInfo
    csrf: str
    expires_at: datetime


def _utc(now: datetime | None) -> datetime:
    """``now`` (or the clock) as naive UTC, the workspace's convention."""
    if now is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(UTC).replace(tzinfo=None)
    return now


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash no password matches, verified for unknown e-mails so they cost the same time."""
    return _hasher().hash(secrets.token_urlsafe(32))


def _password_text(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def normalise_email(email: str) -> str:
    """The e-mail as stored: trimmed and lower-cased; an InputError if it cannot be one."""
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL_SHAPE.match(value):
        raise InputError(
            f"{email!r} is not an e-mail address",
            f"{email!r} không phải là địa chỉ e-mail",
            location=Location(field="EMAIL"),
            hint_en="write it as name@domain, e.g. lan@shop.vn",
            hint_vi="hãy viết dạng tên@tên-miền, ví dụ lan@shop.vn",
            code="invalid_email",
        )
    return value


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(
            f"unknown user role {role!r}",
            f"không có vai trò người dùng {role!r}",
            location=Location(field="--role"),
            hint_en="choose one of: " + ", ".join(ROLES),
            hint_vi="hãy chọn một trong: " + ", ".join(ROLES),
            code="invalid_option",
        )
    return role


def check_password(password: str) -> str:
    """The password to hash (NFC); an InputError if it is too short or absurdly long."""
    text = _password_text(password)
    if len(text) < MIN_PASSWORD or len(text) > MAX_PASSWORD:
        raise InputError(
            f"the password has {len(text)} characters; it needs {MIN_PASSWORD} to {MAX_PASSWORD}",
            f"mật khẩu có {len(text)} ký tự; cần từ {MIN_PASSWORD} đến {MAX_PASSWORD}",
            location=Location(field="password"),
            hint_en="a short sentence is easy to remember and hard to guess",
            hint_vi="một câu ngắn vừa dễ nhớ vừa khó đoán",
            code="password_too_short",
        )
    return text


def _name(name: str | None) -> str | None:
    return (name or "").strip() or None


def _info(row: tuple[Any, ...], now: datetime) -> UserInfo:
    """A user row; a lock whose time has passed is shown as none."""
    email, name, role, created, locked = row
    return UserInfo(
        str(email), name, str(role), created, locked if locked and locked > now else None
    )


def add_user(
    ws: Workspace, email: str, role: str, password: str, name: str | None = None
) -> UserInfo:
    """A new web user; the password is stored only as its argon2id hash."""
    address = normalise_email(email)
    check_role(role)
    password_hash = _hasher().hash(check_password(password))
    if ws.one("SELECT 1 FROM web_users WHERE email = ?", [address]) is not None:
        raise InputError(
            f"a user {address} already exists in this workspace",
            f"workspace này đã có người dùng {address}",
            location=Location(field="EMAIL"),
            hint_en="change their role or password with `journeyscope users role|password`",
            hint_vi="đổi vai trò hoặc mật khẩu bằng `journeyscope users role|password`",
            code="user_exists",
        )
    now = _utc(None)
    with ws.transaction() as con:
        con.execute(
            "INSERT INTO web_users VALUES (?, ?, ?, ?, ?, 0, NULL, NULL)",
            [address, _name(name), role, password_hash, now],
        )
        ws.audit("user_added", json.dumps({"email": address, "role": role}))
    return UserInfo(address, _name(name), role, now, None)


def list_users(ws: Workspace) -> list[UserInfo]:
    """Every web user, oldest first."""
    now = _utc(None)
    rows = ws.con.execute(
        f"SELECT {_USER_COLUMNS} FROM web_users ORDER BY created_at, email"
    ).fetchall()
    return [_info(tuple(row), now) for row in rows]


def _unknown_user(ws: Workspace, address: str) -> NotFound:
    known = [str(r[0]) for r in ws.con.execute("SELECT email FROM web_users").fetchall()]
    close = difflib.get_close_matches(address, known, n=1)
    see_en = "`journeyscope users list -w DIR` shows the users"
    see_vi = "`journeyscope users list -w DIR` cho xem các người dùng"
    return NotFound(
        f"no user {address} in this workspace",
        f"workspace này không có người dùng {address}",
        location=Location(str(ws.root), field="EMAIL"),
        hint_en=f"did you mean {close[0]}? " + see_en if close else see_en,
        hint_vi=f"có phải ý bạn là {close[0]}? " + see_vi if close else see_vi,
        code="unknown_user",
    )


def get_user(ws: Workspace, email: str) -> UserInfo:
    """One user, by e-mail (any case); NotFound, with the nearest e-mail, if unknown."""
    address = email.strip().lower()
    row = ws.one(f"SELECT {_USER_COLUMNS} FROM web_users WHERE email = ?", [address])
    if row is None:
        raise _unknown_user(ws, address)
    return _info(row, _utc(None))


def set_role(ws: Workspace, email: str, role: str) -> UserInfo:
    """Change a user's role; their open sessions get the new role from their next request."""
    check_role(role)
    user = get_user(ws, email)
    with ws.transaction() as con:
        con.execute("UPDATE web_users SET role = ? WHERE email = ?", [role, user.email])
        ws.audit("user_role_set", json.dumps({"email": user.email, "role": role}))
    return get_user(ws, user.email)


def _end_sessions(ws: Workspace, email: str, now: datetime) -> int:
    """Invalidate every session of ``email`` made before ``now`` (inside a transaction);
    how many of them had not expired yet."""
    ws.con.execute("UPDATE web_users SET sessions_valid_after = ? WHERE email = ?", [now, email])
    rows = ws.con.execute(
        "DELETE FROM web_sessions WHERE email = ? RETURNING expires_at", [email]
    ).fetchall()
    return sum(1 for (expires,) in rows if expires > now)


def set_password(ws: Workspace, email: str, password: str) -> None:
    """A new password: every session of the user ends, and a lockout is lifted (an admin
    setting the password is how a locked-out user is let back in early)."""
    user = get_user(ws, email)
    password_hash = _hasher().hash(check_password(password))
    with ws.transaction() as con:
        con.execute(
            "UPDATE web_users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
            "WHERE email = ?",
            [password_hash, user.email],
        )
        _end_sessions(ws, user.email, _utc(None))
        ws.audit("user_password_set", json.dumps({"email": user.email}))


def remove_user(ws: Workspace, email: str) -> None:
    """Remove a user and every session they have."""
    user = get_user(ws, email)
    with ws.transaction() as con:
        con.execute("DELETE FROM web_sessions WHERE email = ?", [user.email])
        con.execute("DELETE FROM web_users WHERE email = ?", [user.email])
        ws.audit("user_removed", json.dumps({"email": user.email}))


def _bad_credentials() -> BadCredentials:
    return BadCredentials(
        "wrong e-mail or password",
        "sai e-mail hoặc mật khẩu",
        hint_en=f"check both; after {MAX_FAILURES} wrong passwords in a row the account is "
        f"locked for {LOCKOUT.seconds // 60} minutes",
        hint_vi=f"hãy kiểm tra cả hai; sai mật khẩu {MAX_FAILURES} lần liên tiếp thì tài "
        f"khoản bị khoá {LOCKOUT.seconds // 60} phút",
    )


def _locked_out(until: datetime, now: datetime) -> LockedOut:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    at = until.strftime("%Y-%m-%d %H:%M UTC")
    error = LockedOut(
        f"this account is locked after too many failed sign-ins; try again in {minutes} "
        f"minute(s), at {at}",
        f"tài khoản này đang bị khoá vì đăng nhập sai quá nhiều lần; hãy thử lại sau "
        f"{minutes} phút, lúc {at}",
        hint_en="an admin can let you in earlier by setting a new password",
        hint_vi="quản trị viên có thể cho vào sớm hơn bằng cách đặt mật khẩu mới",
    )
    error.until = until
    error.retry_after = max(1, int((until - now).total_seconds() + 0.999))
    return error


def _verify(password_hash: str, password: str) -> bool:
    # no stored password is this long, even typed as NFD: no match, at a dummy check's cost
    if len(password) > 4 * MAX_PASSWORD:
        _verify(_dummy_hash(), "")
        return False
    try:
        return _hasher().verify(password_hash, _password_text(password))
    except (VerificationError, InvalidHashError):
        return False


def _failed(ws: Workspace, email: str, now: datetime) -> NoReturn:
    """Count a wrong password (in SQL, so two at once both count); the MAX_FAILURES-th
    locks the account and starts the count again."""
    until = now + LOCKOUT
    with ws.transaction() as con:
        [(count,)] = con.execute(
            "UPDATE web_users SET failed_logins = failed_logins + 1 WHERE email = ? "
            "RETURNING failed_logins",
            [email],
        ).fetchall()
        if count >= MAX_FAILURES:
            con.execute(
                "UPDATE web_users SET failed_logins = 0, locked_until = ? WHERE email = ?",
                [until, email],
            )
            ws.audit("user_locked", json.dumps({"email": email, "until": until.isoformat()}))
    if count >= MAX_FAILURES:
        raise _locked_out(until, now)
    raise _bad_credentials()


def sign_in(ws: Workspace, email: str, password: str, now: datetime | None = None) -> SessionGrant:
    """Check an e-mail and password and open a session of :data:`SESSION_LIFETIME`.

    The attempt that reaches MAX_FAILURES already answers ``locked_out``, so the user learns
    at once why the next try will be refused; while locked, even the right password is."""
    at = _utc(now)
    address = email.strip().lower()
    row = ws.one(
        f"SELECT {_USER_COLUMNS}, password_hash FROM web_users WHERE email = ?",
        [address],
    )
    if row is None:
        _verify(_dummy_hash(), password)  # the same time as a known e-mail's check
        raise _bad_credentials()
    locked_until, password_hash = row[4], str(row[5])
    if locked_until is not None and locked_until > at:
        raise _locked_out(locked_until, at)
    if not _verify(password_hash, password):
        _failed(ws, address, at)
    return _open_session(ws, _info(row[:5], at), password_hash, password, at)


def _open_session(
    ws: Workspace, user: UserInfo, password_hash: str, password: str, now: datetime
) -> SessionGrant:
    session_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    with ws.transaction() as con:
        con.execute(
            "UPDATE web_users SET failed_logins = 0, locked_until = NULL WHERE email = ?",
            [user.email],
        )
        if _hasher().check_needs_rehash(password_hash):
            con.execute(
                "UPDATE web_users SET password_hash = ? WHERE email = ?",
                [_hasher().hash(_password_text(password)), user.email],
            )
        con.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [now])
        con.execute(
            "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
            [session_id, _digest(secret), user.email, now, expires],
        )
        ws.audit("user_signed_in", json.dumps({"email": user.email, "session": session_id}))
    return SessionGrant(f"{PREFIX}{session_id}.{secret}", _csrf(secret), user, expires)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _csrf(secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def _parts(token: str) -> tuple[str, str] | None:
    match = _TOKEN_SHAPE.match(token)
    return (match.group(1), match.group(2)) if match else None


def csrf_matches(token: str, presented: str) -> bool:
    """Whether ``presented`` is the CSRF token of session ``token``, in constant time."""
    parts = _parts(token)
    if parts is None:
        return False
    return hmac.compare_digest(_csrf(parts[1]).encode(), presented.encode())


def session_of(ws: Workspace, token: str, now: datetime | None = None) -> SessionInfo | None:
    """The session a token opens, or None (malformed, unknown, expired, signed out, or its
    user gone). Only reads, so it works on a workspace opened read-only."""
    parts = _parts(token)
    if parts is None:
        return None
    row = ws.one(f"SELECT {_SESSION_COLUMNS} {_SESSION_FROM} WHERE s.session_id = ?", [parts[0]])
    return _opened_by(row, parts, _utc(now))


_SESSION_COLUMNS = (
    "s.digest, s.created_at, s.expires_at, u.sessions_valid_after, "
    "u.email, u.name, u.role, u.created_at, u.locked_until"
)
_SESSION_FROM = "FROM web_sessions s JOIN web_users u ON u.email = s.email"


def _opened_by(
    row: tuple[Any, ...] | None, parts: tuple[str, str], at: datetime
) -> SessionInfo | None:
    session_id, secret = parts
    if row is None or not hmac.compare_digest(bytes(row[0]), _digest(secret)):
        return None
    created, expires, valid_after = row[1], row[2], row[3]
    if expires <= at or (valid_after is not None and created < valid_after):
        return None
    return SessionInfo(session_id, _info(row[4:], at), _csrf(secret), expires)


@dataclass(frozen=True)
class HeldSessions:
    """A workspace's session rows read once, when a long job took the workspace for
    writing: the server checks a session against them meanwhile, as it checks keys against
    the key rows read then (a sign-out during the job counts once the job ends)."""

    rows: dict[str, tuple[Any, ...]]


def held_sessions(ws: Workspace, now: datetime | None = None) -> HeldSessions:
    rows = ws.con.execute(
        f"SELECT s.session_id, {_SESSION_COLUMNS} {_SESSION_FROM} WHERE s.expires_at > ?",
        [_utc(now)],
    ).fetchall()
    return HeldSessions({str(r[0]): tuple(r[1:]) for r in rows})


def session_in(held: HeldSessions, token: str, now: datetime | None = None) -> SessionInfo | None:
    """:func:`session_of` against rows read before (:func:`held_sessions`)."""
    parts = _parts(token)
    if parts is None:
        return None
    return _opened_by(held.rows.get(parts[0]), parts, _utc(now))


def sign_out(ws: Workspace, token: str) -> None:
    """End one session (the one this token opens); a token that opens none is ignored."""
    parts = _parts(token)
    if parts is None:
        return
    row = ws.one("SELECT digest FROM web_sessions WHERE session_id = ?", [parts[0]])
    if row is None or not hmac.compare_digest(bytes(row[0]), _digest(parts[1])):
        return
    ws.con.execute("DELETE FROM web_sessions WHERE session_id = ?", [parts[0]])


def sign_out_everywhere(ws: Workspace, email: str, now: datetime | None = None) -> int:
    """End every session of a user, on every device; how many were open."""
    user = get_user(ws, email)
    with ws.transaction():
        ended = _end_sessions(ws, user.email, _utc(now))
        ws.audit("user_signed_out", json.dumps({"email": user.email, "sessions": ended}))
    return ended
