"""API keys of a workspace: made once, stored only as a slow hash, revocable (docs/server.md).

A key is ``jsk_<id>.<secret>``: the id (public, shown by ``keys list``) finds the row, the
secret (32 random bytes from :mod:`secrets`) is never stored — only its scrypt hash under a
per-key salt, compared in constant time. A leaked database therefore gives no usable key,
and a key lives in one workspace's own table, so it cannot open another workspace.

Roles: ``read`` reads reports, ``write`` only sends events (collection), ``admin`` manages
keys and reads reports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from journeyscope.errors import InputError, Location, NotFound

if TYPE_CHECKING:
    from journeyscope.events.workspace import Workspace

ROLES: Final = ("read", "write", "admin")
PREFIX: Final = "jsk_"
_KEY_SHAPE: Final = re.compile(r"^jsk_([0-9a-f]{12})\.([A-Za-z0-9_-]{20,100})$")
# scrypt's interactive-login cost (RFC 7914 §2): ~16 MiB and tens of ms per check
_SCRYPT: Final = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: never its secret nor its hash."""

    key_id: str
    name: str | None
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.key_id,
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True)
class StoredKey:
    """A key's row, hash included: for checking a presented key, nothing else."""

    info: KeyInfo
    salt: bytes
    digest: bytes


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(
            f"unknown key role {role!r}",
            f"không có vai trò khoá {role!r}",
            location=Location(field="--role"),
            hint_en="choose one of: " + ", ".join(ROLES),
            hint_vi="hãy chọn một trong: " + ", ".join(ROLES),
            code="invalid_option",
        )
    return role


def create_key(ws: Workspace, role: str, name: str | None = None) -> tuple[KeyInfo, str]:
    """A new key: its public info and the full key, which is shown once and never stored."""
    check_role(role)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    now = datetime.now(UTC).replace(tzinfo=None)
    with ws.transaction() as con:
        con.execute(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, NULL)",
            [key_id, name, role, salt, _hash(secret, salt), now],
        )
        ws.audit("key_created", json.dumps({"id": key_id, "role": role}))
    return KeyInfo(key_id, name, role, now, None), f"{PREFIX}{key_id}.{secret}"


def _info(row: tuple[object, ...]) -> KeyInfo:
    key_id, name, role, created, revoked = row
    return KeyInfo(str(key_id), name, str(role), created, revoked)  # type: ignore[arg-type]


def list_keys(ws: Workspace) -> list[KeyInfo]:
    """Every key of the workspace, oldest first, revoked ones included (marked)."""
    rows = ws.con.execute(
        "SELECT key_id, name, role, created_at, revoked_at FROM api_keys "
        "ORDER BY created_at, key_id"
    ).fetchall()
    return [_info(row) for row in rows]


def revoke_key(ws: Workspace, key_id: str) -> KeyInfo:
    """Revoke a key for good; revoking it again is harmless (the first date is kept)."""
    row = ws.one("SELECT key_id FROM api_keys WHERE key_id = ?", [key_id])
    if row is None:
        raise NotFound(
            f"no key {key_id!r} in this workspace",
            f"workspace này không có khoá {key_id!r}",
            location=Location(str(ws.root)),
            hint_en="`journeyscope keys list -w DIR` shows the key ids",
            hint_vi="`journeyscope keys list -w DIR` cho xem mã các khoá",
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    with ws.transaction() as con:
        con.execute(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?",
            [now, key_id],
        )
        ws.audit("key_revoked", json.dumps({"id": key_id}))
    found = ws.one(
        "SELECT key_id, name, role, created_at, revoked_at FROM api_keys WHERE key_id = ?",
        [key_id],
    )
    assert found is not None
    return _info(found)


def key_id_of(token: str) -> str | None:
    """The id part of a well-formed key, else None (no database is read for junk)."""
    match = _KEY_SHAPE.match(token)
    return match.group(1) if match else None


def find_key(ws: Workspace, key_id: str) -> StoredKey | None:
    row = ws.one(
        "SELECT key_id, name, role, created_at, revoked_at, salt, digest FROM api_keys "
        "WHERE key_id = ?",
        [key_id],
    )
    if row is None:
        return None
    return StoredKey(_info(row[:5]), bytes(row[5]), bytes(row[6]))


def stored_keys(ws: Workspace) -> list[StoredKey]:
    """Every key's row, hashes included (the collection routes index them by id)."""
    rows = ws.con.execute(
        "SELECT key_id, name, role, created_at, revoked_at, salt, digest FROM api_keys"
    ).fetchall()
    return [StoredKey(_info(row[:5]), bytes(row[5]), bytes(row[6])) for row in rows]


def secret_matches(stored: StoredKey, token: str) -> bool:
    """Whether ``token`` is this key, compared in constant time."""
    match = _KEY_SHAPE.match(token)
    if match is None or match.group(1) != stored.info.key_id:
        return False
    return hmac.compare_digest(_hash(match.group(2), stored.salt), stored.digest)
