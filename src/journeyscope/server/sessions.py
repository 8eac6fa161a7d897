"""The web app's sign-in: a session cookie standing in for an API key (docs/server.md).

The cookie ``journeyscope_session`` holds ``<workspace>~<token>`` (the token of
``events/users.py``): HttpOnly, so page scripts never see it; SameSite=Strict, so another
site's page cannot send it; Secure when the server is reached over HTTPS. A signed-in user
acts with a role mapped onto the key roles the routes already check (viewer → read,
editor → editor, admin → admin), as a principal whose id is ``user:<email>`` (rate limits,
job ownership and the audit log see the user). Every request that changes something and
arrives with the cookie must also carry the session's CSRF token in ``X-CSRF-Token``; a
page of another origin can neither read that token nor set that header.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, unquote

from fastapi import Request, Response

from journeyscope.events.keys import KeyInfo
from journeyscope.server.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from journeyscope.events.users import SessionInfo
    from journeyscope.events.workspace import Workspace

COOKIE: Final = "journeyscope_session"
LANG_COOKIE: Final = "journeyscope_lang"
CSRF_HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
#: the key role a web role acts as on the API's routes
ACTS_AS: Final = {"viewer": "read", "editor": "editor", "admin": "admin"}
WEB_ROLE: Final = {acting: role for role, acting in ACTS_AS.items()}


def cookie_value(name: str, token: str) -> str:
    return f"{quote(name, safe='')}~{token}"


def parse_cookie(request: Request) -> tuple[str, str] | None:
    """(workspace name, token) from the session cookie, or None."""
    raw = request.cookies.get(COOKIE)
    if not raw or "~" not in raw:
        return None
    name, _, token = raw.partition("~")
    return (unquote(name), token) if name and token else None


def session_token(request: Request, name: str) -> str | None:
    """The session token when the cookie is for workspace ``name``."""
    parsed = parse_cookie(request)
    return parsed[1] if parsed and parsed[0] == name else None


def signed_out() -> Unauthorized:
    return Unauthorized(
        "you are not signed in (or your session has ended)",
        "bạn chưa đăng nhập (hoặc phiên đăng nhập đã hết)",
        hint_en="sign in again",
        hint_vi="hãy đăng nhập lại",
        code="signed_out",
    )


def csrf_failed() -> Forbidden:
    return Forbidden(
        "this request lacks the session's CSRF token",
        "yêu cầu này thiếu mã CSRF của phiên đăng nhập",
        hint_en="send the `csrf` value of GET /api/v1/session in the X-CSRF-Token header",
        hint_vi="gửi giá trị `csrf` của GET /api/v1/session trong tiêu đề X-CSRF-Token",
        code="csrf_failed",
    )


def check_csrf(request: Request, token: str) -> None:
    """Unsafe methods need the CSRF token derived from the session's own token."""
    from journeyscope.events.users import csrf_matches

    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(CSRF_HEADER, "")
    if not presented or not csrf_matches(token, presented):
        raise csrf_failed()


def principal(session: SessionInfo) -> KeyInfo:
    """The signed-in user as the key-shaped principal the routes check."""
    user = session.user
    return KeyInfo(f"user:{user.email}", user.email, ACTS_AS[user.role], user.created_at, None)


def check_role(info: KeyInfo, roles: frozenset[str]) -> None:
    """A signed-in user's role (``info.role`` is the key role it acts as) must be allowed."""
    session_role = WEB_ROLE.get(info.role, info.role)
    if info.role not in roles:
        raise Forbidden(
            f"your role ({session_role}) cannot do this",
            f"vai trò của bạn ({session_role}) không làm được việc này",
            hint_en="viewers read; editors also edit maps and personas; admins manage data",
            hint_vi=(
                "người xem chỉ đọc; biên tập viên sửa được bản đồ và chân dung; "
                "quản trị viên quản lý dữ liệu"
            ),
        )


def session_principal(
    request: Request, ws: Workspace, token: str, roles: frozenset[str]
) -> KeyInfo:
    """The user behind ``token`` if their session is live and their role may do this."""
    from journeyscope.events.users import session_of

    session = session_of(ws, token)
    if session is None:
        raise signed_out()
    check_csrf(request, token)
    request.state.user = session
    info = principal(session)
    check_role(info, roles)
    return info


def secure(request: Request) -> bool:
    """Secure over HTTPS, or always when the server is told it sits behind an HTTPS proxy
    (`serve --secure-cookies`): the request it sees there is plain HTTP."""
    return request.url.scheme == "https" or bool(
        getattr(request.app.state, "secure_cookies", False)
    )


def set_cookie(
    request: Request, response: Response, name: str, token: str, expires: datetime
) -> None:
    aware = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    response.set_cookie(
        COOKIE,
        cookie_value(name, token),
        expires=aware,
        path="/",
        httponly=True,
        secure=secure(request),
        samesite="strict",
    )


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, secure=secure(request), samesite="strict"
    )
