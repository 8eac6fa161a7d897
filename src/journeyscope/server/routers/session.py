"""Sign in and out of the web app (``server/sessions.py`` says how the cookie works).

Signing in takes a JSON body only, so a form of another site cannot post it; each sign-in
makes a new session token (a token planted in the browser before is signed out, so a
session cannot be fixed). Wrong e-mail and wrong password are the same 401; repeated
failures lock the account for a while (429).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.events.workspace import Workspace
from journeyscope.server.deps import State, WorkspaceName
from journeyscope.server.sessions import (
    check_csrf,
    clear_cookie,
    parse_cookie,
    set_cookie,
    signed_out,
)

router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


def session_body(name: str, session: Any, csrf: str) -> dict[str, Any]:
    return {
        "workspace": name,
        "user": session.user.to_dict(),
        "csrf": csrf,
        "expires_at": session.expires_at.isoformat(),
    }


@router.get("/api/v1/workspaces", summary="The workspaces this server serves (names only)")
def served(state: State) -> dict[str, Any]:
    return {"workspaces": sorted(state.workspaces)}


@router.post(
    "/api/v1/workspaces/{name}/session",
    summary="Sign in to the web app (sets an HttpOnly session cookie)",
)
def sign_in(
    name: WorkspaceName, body: Credentials, request: Request, response: Response, state: State
) -> dict[str, Any]:
    from journeyscope.events.users import sign_in as start
    from journeyscope.events.users import sign_out

    path = state.path(name)
    client = request.client.host if request.client else "-"
    state.signin_limiter.take(f"{name}|{client}")
    old = parse_cookie(request)
    with state.gates[name].writing():
        ws = Workspace.open(path)
        try:
            if old is not None and old[0] == name:
                sign_out(ws, old[1])  # never keep a session someone else may have planted
            grant = start(ws, body.email, body.password)
        finally:
            ws.close()
    set_cookie(request, response, name, grant.token, grant.expires_at)
    return session_body(name, grant, grant.csrf)


@router.get("/api/v1/session", summary="Who is signed in, and the CSRF token for changes")
def whoami(request: Request, state: State) -> dict[str, Any]:
    from journeyscope.events.users import session_of

    parsed = parse_cookie(request)
    if parsed is None or parsed[0] not in state.workspaces:
        raise signed_out()
    name, token = parsed
    with state.gates[name].reading():
        ws = Workspace.open(state.path(name), read_only=True)
        try:
            session = session_of(ws, token)
        finally:
            ws.close()
    if session is None:
        raise signed_out()
    return session_body(name, session, session.csrf)


def _end(request: Request, response: Response, state: State, *, everywhere: bool) -> int:
    from journeyscope.events.users import session_of, sign_out, sign_out_everywhere

    parsed = parse_cookie(request)
    if parsed is None or parsed[0] not in state.workspaces:
        raise signed_out()
    name, token = parsed
    check_csrf(request, token)
    ended = 1
    with state.gates[name].writing():
        ws = Workspace.open(state.path(name))
        try:
            session = session_of(ws, token)
            if session is None:
                raise signed_out()
            if everywhere:
                ended = sign_out_everywhere(ws, session.user.email)
            else:
                sign_out(ws, token)
        finally:
            ws.close()
    clear_cookie(request, response)
    return ended


@router.delete("/api/v1/session", summary="Sign out (this browser)")
def sign_out_here(request: Request, response: Response, state: State) -> dict[str, Any]:
    return {"signed_out": _end(request, response, state, everywhere=False)}


@router.post("/api/v1/session/everywhere", summary="Sign out on every device")
def sign_out_all(request: Request, response: Response, state: State) -> dict[str, Any]:
    return {"signed_out": _end(request, response, state, everywhere=True)}
