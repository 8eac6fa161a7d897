"""The dependencies routes declare: the client's language and an authorised workspace.

A key arrives as ``Authorization: Bearer KEY`` or, as Segment's HTTP API sends write keys,
HTTP Basic with the key as the user name and no password. Without a key, the web app's
session cookie is checked instead (``server/sessions.py``): a signed-in user acts with their
role, and every request that changes something must carry the session's CSRF token.
Either is checked against the tables of the workspace named in the URL — a key or session
of another workspace is simply unknown there. A reader's workspace is opened read-only for
the request only; a manager's (keys) read-write, under the workspace's gate so no read-only
connection of this process is open at the same time (DuckDB allows only one configuration
per file in a process).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request

from journeyscope.events.keys import KeyInfo, StoredKey, find_key, key_id_of, secret_matches
from journeyscope.events.workspace import Workspace
from journeyscope.server.errors import Forbidden, Unauthorized, request_lang
from journeyscope.server.sessions import session_principal, session_token
from journeyscope.server.state import ServerState

READERS = frozenset({"read", "editor", "admin"})
EDITORS = frozenset({"editor", "admin"})
ADMINS = frozenset({"admin"})


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.journeyscope
    return state


def language(request: Request) -> str:
    return request_lang(request)


State = Annotated[ServerState, Depends(server_state)]
Lang = Annotated[str, Depends(language)]
WorkspaceName = Annotated[
    str, Path(description="The workspace's name (its folder name unless given with NAME=DIR).")
]


def presented_key(request: Request) -> str | None:
    """The key in ``Authorization``: Bearer, or Basic with the key as the user name."""
    return key_of(request.headers.get("authorization", ""))


def key_of(authorization: str) -> str | None:
    """The key in an ``Authorization`` header's value (see :func:`presented_key`)."""
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


def _no_key() -> Unauthorized:
    return Unauthorized(
        "an API key is required",
        "cần có khoá API",
        hint_en="send `Authorization: Bearer KEY`; `journeyscope keys create -w DIR` makes one",
        hint_vi="gửi `Authorization: Bearer KHOÁ`; `journeyscope keys create -w DIR` tạo khoá",
    )


def _bad_key() -> Unauthorized:
    return Unauthorized(
        "this key is not valid for this workspace (unknown or revoked)",
        "khoá này không dùng được cho workspace này (không tồn tại hoặc đã bị thu hồi)",
        hint_en="each workspace has its own keys: `journeyscope keys list -w DIR`",
        hint_vi="mỗi workspace có khoá riêng: `journeyscope keys list -w DIR`",
    )


def authorise(
    state: ServerState, name: str, ws: Workspace, token: str, roles: frozenset[str]
) -> KeyInfo:
    """The key's info if it belongs to this workspace, is active and has one of ``roles``."""
    key_id = key_id_of(token)
    return check_key(state, name, find_key(ws, key_id) if key_id else None, token, roles)


def check_key(
    state: ServerState, name: str, stored: StoredKey | None, token: str, roles: frozenset[str]
) -> KeyInfo:
    """:func:`authorise` once the key's row is found (``None``: no such key); the jobs
    routes find it in the keys a running job read when it took the workspace."""
    key_id = key_id_of(token)
    if stored is None or key_id is None or not stored.info.active:
        raise _bad_key()
    seen = (name, key_id, ServerState.fingerprint(token))
    if not state.checked(seen, lambda: secret_matches(stored, token)):
        raise _bad_key()
    if stored.info.role not in roles:
        allowed = ", ".join(sorted(roles))
        raise Forbidden(
            f"a key with role {stored.info.role} cannot do this (allowed roles: {allowed})",
            f"khoá vai trò {stored.info.role} không làm được việc này "
            f"(vai trò được phép: {allowed})",
            hint_en="write keys only send events; read keys read reports; admin keys manage keys",
            hint_vi="khoá write chỉ gửi sự kiện; khoá read đọc báo cáo; khoá admin quản lý khoá",
        )
    return stored.info


def _opened(
    request: Request, state: ServerState, name: str, roles: frozenset[str], *, write: bool
) -> Iterator[Workspace]:
    path = state.path(name)
    token = presented_key(request)
    session = None if token is not None else session_token(request, name)
    if token is None and session is None:
        raise _no_key()
    gate = state.gates[name]
    with gate.writing() if write else gate.reading():
        ws = Workspace.open(path, read_only=not write)
        try:
            if token is not None:
                request.state.key = authorise(state, name, ws, token, roles)
            else:
                assert session is not None
                request.state.key = session_principal(request, ws, session, roles)
            state.api_limiter.take(request.state.key.key_id)
            yield ws
        finally:
            ws.close()


def read_workspace(request: Request, state: State, name: WorkspaceName) -> Iterator[Workspace]:
    """The workspace opened read-only for this request, for a read or admin key."""
    yield from _opened(request, state, name, READERS, write=False)


def admin_read_workspace(
    request: Request, state: State, name: WorkspaceName
) -> Iterator[Workspace]:
    """The workspace opened read-only for this request, for an admin key."""
    yield from _opened(request, state, name, ADMINS, write=False)


def admin_workspace(request: Request, state: State, name: WorkspaceName) -> Iterator[Workspace]:
    """The workspace opened for writing for this request, for an admin key."""
    yield from _opened(request, state, name, ADMINS, write=True)


def editor_read_workspace(
    request: Request, state: State, name: WorkspaceName
) -> Iterator[Workspace]:
    """The workspace opened read-only for this request, for a web editor or admin, or an
    admin key (maps and personas are files beside the store, written under their own lock)."""
    yield from _opened(request, state, name, EDITORS, write=False)


ReadWorkspace = Annotated[Workspace, Depends(read_workspace)]
EditorReadWorkspace = Annotated[Workspace, Depends(editor_read_workspace)]
AdminReadWorkspace = Annotated[Workspace, Depends(admin_read_workspace)]
AdminWorkspace = Annotated[Workspace, Depends(admin_workspace)]


def admin_key(request: Request, state: State, name: WorkspaceName) -> KeyInfo:
    """An admin key, checked with the workspace opened and closed again at once: for routes
    that go on to read a long body (an upload) without holding the workspace meanwhile."""
    for _ws in _opened(request, state, name, ADMINS, write=False):
        pass
    info: KeyInfo = request.state.key
    return info


no_key = _no_key
AdminKey = Annotated[KeyInfo, Depends(admin_key)]
