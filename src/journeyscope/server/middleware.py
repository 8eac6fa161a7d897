"""Around every request: a request id, security headers, metrics and one log line.

The log line names the route template (``/api/v1/workspaces/{name}/customers/{ref}``),
never the filled-in path, the query string or a header: customer references (a phone
number) and keys stay out of the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journeyscope.server.errors import unexpected_response
from journeyscope.server.metrics import Metrics

log = logging.getLogger("journeyscope.server")

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

#: API answers are data, never a page: nothing may load, frame or run from them
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: the OpenAPI pages (Swagger UI, ReDoc) load their script and style from FastAPI's CDN
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; frame-ancestors 'none'; "
    "base-uri 'none'"
)
#: the web app: its own files only; styles may be set by its scripts (charts position
#: tooltips with style attributes); map previews are blob: images
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
COLLECT_PREFIXES = ("/v1/", "/beacon/v1/")
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def csp_for(path: str) -> str:
    if path in DOCS_PATHS:
        return DOCS_CSP
    if path == "/" or path.startswith("/static/"):
        return WEB_CSP
    return API_CSP


def request_id(given: str) -> str:
    """The client's X-Request-ID when it is a plain token, else a fresh one."""
    return given if _CLIENT_ID.match(given) else uuid.uuid4().hex


def route_name(scope: Scope) -> str:
    """The matched route's template, or ``unmatched`` (keeps metric labels bounded)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class Around:
    """A plain ASGI middleware, not ``@app.middleware("http")``: Starlette's
    ``BaseHTTPMiddleware`` runs each request in a task group and streams its answer through
    a memory channel — about a millisecond a request, most of the event loop's time when
    collection takes hundreds of batches a second."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(Headers(scope=scope).get("x-request-id", ""))
        scope.setdefault("state", {})["request_id"] = rid
        path: str = scope["path"]
        started = time.perf_counter()
        status = 499  # ended without an answer (the client left, or the server stopped)
        answered = False

        async def sending(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                message["headers"] = secured(list(message.get("headers", [])), path, rid)
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # a bug: logged with its traceback, answered without it
            if answered:  # too late for another answer: the server closes the connection
                raise
            await unexpected_response(Request(scope), exc)(scope, receive, sending)
        finally:  # counted and logged however it ended
            elapsed = time.perf_counter() - started
            route = route_name(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            log.info(
                "request %s %s %s %d %.1fms", rid, scope["method"], route, status, elapsed * 1000
            )


#: the security headers as an answer carries them (ASGI's lower-case byte pairs)
_SECURITY_RAW = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_ANY_ORIGIN = (b"access-control-allow-origin", b"*")


def secured(raw: list[tuple[bytes, bytes]], path: str, rid: str) -> list[tuple[bytes, bytes]]:
    """An answer's headers with ours: each security header unless the route set its own,
    the page's CSP, ``X-Request-ID``, and ``no-cache`` for the web app's files (which
    replace any the route set); collection answers (errors too) readable by any site. On
    the raw pairs: Starlette's ``MutableHeaders`` scans the list once per header, and every
    collection batch pays it."""
    replaced = {b"content-security-policy": csp_for(path).encode(), b"x-request-id": rid.encode()}
    if path.startswith("/static/"):  # revalidated by ETag, never stale
        replaced[b"cache-control"] = b"no-cache"
    out = [(name, value) for name, value in raw if name.lower() not in replaced]
    present = {name.lower() for name, _ in out} | replaced.keys()
    out += [pair for pair in _SECURITY_RAW if pair[0] not in present]
    if path.startswith(COLLECT_PREFIXES) and _ANY_ORIGIN[0] not in present:
        out.append(_ANY_ORIGIN)
    out += replaced.items()
    return out


def install(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(Around, metrics=metrics)
