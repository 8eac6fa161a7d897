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
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

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


def request_id(request: Request) -> str:
    """The client's X-Request-ID when it is a plain token, else a fresh one."""
    given = request.headers.get("x-request-id", "")
    return given if _CLIENT_ID.match(given) else uuid.uuid4().hex


def route_name(request: Request) -> str:
    """The matched route's template, or ``unmatched`` (keeps metric labels bounded)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


def install(app: FastAPI, metrics: Metrics) -> None:
    @app.middleware("http")
    async def around(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request_id(request)
        request.state.request_id = rid
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # a bug: logged with its traceback, answered without it
            response = unexpected_response(request, exc)
        elapsed = time.perf_counter() - started
        route = route_name(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = csp_for(request.url.path)
        if request.url.path.startswith("/static/"):  # revalidated by ETag, never stale
            response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Request-ID"] = rid
        if request.url.path.startswith(COLLECT_PREFIXES):  # errors too: browsers may read them
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        metrics.observe(request.method, route, response.status_code, elapsed)
        log.info(
            "request %s %s %s %d %.1fms",
            rid,
            request.method,
            route,
            response.status_code,
            elapsed * 1000,
        )
        return response
