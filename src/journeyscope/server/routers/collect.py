"""Segment's HTTP Tracking API (and RudderStack's paths): events in, durably, then 200.

A route reads the body (bounded in size and time), checks the write key, and hands the
body to the workspace's collector (``journeyscope.collect``, docs/collection.md): the 200
comes only after the events are fsynced in the workspace's log. A body from a key already
checked goes to a parser process when the server has them (``collect/parsing.py``), and
the event loop writes the rows it gets back; else, or when the body has a refused message,
a small one is parsed and written on the event loop (no step of it waits for a disk, the
keys or scrypt) and any other on a worker thread. The request's coroutine then
awaits the group commit's fsync, which one thread waits for on behalf of every request
(``collect/durable.py``), so the event loop keeps answering. ``FastCollect`` answers
these POSTs straight from ASGI, before FastAPI's routing; the routes stay for ``/docs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, get_args

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from journeyscope.collect import PATHS, decode_body, parse_body
from journeyscope.collect.collector import Accepted
from journeyscope.collect.segment import MAX_BATCH, MAX_MESSAGE, too_large
from journeyscope.collect.structs import Kind
from journeyscope.errors import JourneyScopeError
from journeyscope.events.keys import KeyInfo
from journeyscope.server.collection import Collection, NotReady, source_name
from journeyscope.server.deps import key_of
from journeyscope.server.errors import ErrorBody, error_response

router = APIRouter(tags=["collection"])

#: Seconds a client has to send its whole body (a slow-loris sender gets 408, nothing kept).
BODY_SECONDS = 30.0
#: A body up to this size (not gzipped) is parsed on the event loop: ~1 ms for 100 events,
#: ~15-25 ms at worst (hundreds of tiny messages, all refused).
INLINE_BYTES = 32 * 1024
#: Compressed bodies may not be larger than what they may inflate to.
_SUCCESS: dict[str, Any] = {"success": True}

_HEADER_LIST = re.compile(r"^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+){0,20}$")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, Authorization, X-Retry-Count",
    "Access-Control-Max-Age": "86400",
}


class BodyTimeout(JourneyScopeError, TimeoutError):
    """The client did not send its body in time."""

    code = "body_timeout"
    http_status = 408


def collection(request: Request) -> Collection:
    found: Collection = request.app.state.collection
    return found


async def read_body(headers: Headers, chunks: AsyncIterator[bytes], limit: int, kind: str) -> bytes:
    """The raw body, refused past ``limit`` bytes (413) or :data:`BODY_SECONDS` (408)."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(kind, int(declared))

    async def gather() -> bytes:
        parts: list[bytes] = []
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise too_large(kind, size)
            parts.append(chunk)
        return b"".join(parts)

    try:
        return await asyncio.wait_for(gather(), BODY_SECONDS)
    except TimeoutError as exc:
        raise BodyTimeout(
            f"the body did not arrive within {BODY_SECONDS:g} s",
            f"nội dung không đến trong {BODY_SECONDS:g} giây",
            hint_en="send the whole request at once",
            hint_vi="hãy gửi cả yêu cầu một lần",
        ) from exc


def accept(
    found: Collection,
    kind: str,
    raw: bytes,
    encoding: str | None,
    token: str | None,
    key: tuple[str, KeyInfo] | None = None,
    received_at: datetime | None = None,
) -> Accepted:
    """Check the key, validate, write to the log; ``wait()`` on the answer before replying.
    ``key``: the header's key, already checked on the event loop."""
    if key is None and token is not None:  # a key in the header is checked before parsing
        key = found.authorise(token)
    parsed = parse_body(kind, decode_body(raw, encoding, kind=kind), received_at=received_at)
    if key is None:  # Analytics.js 2.0 puts its write key in the body
        key = found.authorise(parsed.write_key)
    name, info = key
    return found.collector(name).accept_parsed(parsed, source=source_name(info), wait=False)


async def collected(
    found: Collection, kind: str, headers: Headers, chunks: AsyncIterator[bytes]
) -> None:
    """Read, check, validate and write one collection call's body; back once its events
    are on disk (a refusal is raised as its ``JourneyScopeError``)."""
    limit = MAX_BATCH if kind == "batch" else MAX_MESSAGE
    raw = await read_body(headers, chunks, limit, kind)
    received_at = datetime.now(UTC)
    token = key_of(headers.get("authorization", ""))
    encoding = headers.get("content-encoding")
    pending = key = None
    if found.ready(token):
        # on the event loop: a thread hop per request cost about a quarter of the
        # throughput (bench/RESULTS.md); no step of it waits for an fsync, reads the
        # keys or runs scrypt (NotReady before anything is done if it would)
        with contextlib.suppress(NotReady):
            key = found.authorise(token, inline=True)
    if key is not None and found.parsers is not None:
        # parsed in a worker process: the event loop only writes the rows it gets back
        lines = await found.parsers.parse(kind, raw, encoding, received_at)
        if lines is not None:
            source = source_name(key[1])
            pending = found.collector(key[0]).accept_lines(lines, source=source, wait=False)
    if pending is None and key is not None and len(raw) <= INLINE_BYTES and not encoding:
        pending = accept(found, kind, raw, encoding, token, key=key, received_at=received_at)
    if pending is None:
        pending = await run_in_threadpool(
            accept, found, kind, raw, encoding, token, key=key, received_at=received_at
        )
    await pending.settled()  # on disk (group commit) before the answer
    pending.raise_for_problems()


def _endpoint(kind: str) -> Any:
    async def collect(request: Request) -> JSONResponse:
        await collected(collection(request), kind, request.headers, request.stream())
        return JSONResponse(_SUCCESS, headers=CORS)

    collect.__name__ = f"collect_{kind}"
    return collect


#: the 200 of a collection call, as ``JSONResponse(_SUCCESS, headers=CORS)`` sends it
_DONE = b'{"success":true}'
_DONE_HEADERS = [
    (b"content-length", str(len(_DONE)).encode()),
    (b"content-type", b"application/json"),
    *((name.lower().encode(), value.encode()) for name, value in CORS.items()),
]


class FastCollect:
    """The collection POSTs answered straight from ASGI, before FastAPI's routing,
    exception middleware and dependency solving: at hundreds of batches a second those
    layers took a sixth of the event loop (bench/RESULTS.md). The same :func:`collected`
    runs as in the routes (which stay, for the OpenAPI document), inside ``Around`` (request
    id, security headers, metrics, the log line), and a refusal gets the API's one error
    body from :func:`journeyscope.server.errors.error_response`."""

    def __init__(self, app: ASGIApp, collection: Collection, routes: list[BaseRoute]) -> None:
        self.app = app
        self.collection = collection
        self.paths = {
            route.path: (route.endpoint.__name__.removeprefix("collect_"), route)
            for route in routes
            if isinstance(route, APIRoute)
            and route.endpoint.__name__.startswith("collect_")
            and "POST" in (route.methods or ())
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.paths.get(scope["path"]) if scope["type"] == "http" else None
        if found is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        kind, route = found
        scope["route"] = route  # the template for the metrics and the log, as routing sets
        try:
            await collected(self.collection, kind, Headers(scope=scope), _chunks(receive))
        except JourneyScopeError as exc:
            await error_response(Request(scope, receive), exc)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": _DONE_HEADERS})
        await send({"type": "http.response.body", "body": _DONE})


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The body's parts as ``Request.stream`` gives them (a client gone: ClientDisconnect)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        body = message.get("body", b"")
        if body:
            yield body
        if not message.get("more_body", False):
            return


#: The answers the collection routes document (OpenAPI): 200, and each refusal in the one
#: error shape (schemathesis checks what we send against this: tests/server/test_fuzz.py).
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every event of the body is on disk",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"success": {"type": "boolean", "const": True}},
                    "required": ["success"],
                }
            }
        },
    },
    **{
        status: {"model": ErrorBody, "description": text}
        for status, text in (
            (400, "Not JSON, broken gzip, or refused events (`problems` lists them)"),
            (401, "No write key, or one unknown to every served workspace or revoked"),
            (403, "A read or admin key: only write keys collect"),
            (408, "The body did not arrive in time"),
            (413, "Over 32 KB a message or 500 KB a batch"),
            (429, "The loader is behind or the key's rate is spent: wait for Retry-After"),
            (503, "The disk is full: nothing acknowledged"),
        )
    },
}

#: The body of a Segment call (OpenAPI only: ``parse_body`` validates, message by message,
#: and keeps fields not listed here out of the event).
_MESSAGE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": list(get_args(Kind))},
        "messageId": {"type": "string"},
        "userId": {"type": "string"},
        "anonymousId": {"type": "string"},
        "previousId": {"type": "string"},
        "groupId": {"type": "string"},
        "event": {"type": "string"},
        "name": {"type": "string"},
        "properties": {"type": "object"},
        "traits": {"type": "object"},
        "context": {"type": "object"},
        "timestamp": {"type": "string", "format": "date-time"},
        "sentAt": {"type": "string", "format": "date-time"},
        "writeKey": {"type": "string"},
    },
}
_BATCH: dict[str, Any] = {
    "type": "object",
    "properties": {
        "batch": {"type": "array", "items": _MESSAGE},
        "context": {"type": "object"},
        "sentAt": {"type": "string", "format": "date-time"},
        "writeKey": {"type": "string"},
    },
    "required": ["batch"],
}


def _body(kind: str) -> dict[str, Any]:
    schema = _BATCH if kind == "batch" else _MESSAGE
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_DESCRIPTION = (
    "Segment's HTTP Tracking API: the body of a `{kind}` call; the write key as HTTP Basic "
    'user name (empty password) or `writeKey` in the body. 200 `{{"success": true}}` '
    "once the events are on disk. 400 lists refused events (the rest are stored), 401 a bad "
    "key, 413 over 32 KB a message / 500 KB a batch, 429 with Retry-After when the loader "
    "is behind or the key's rate is spent, 503 when the disk is full."
)

for _path, _kind in PATHS.items():
    router.add_api_route(
        _path,
        _endpoint(_kind),
        methods=["POST"],
        summary=f"Collect ({_kind})",
        description=_DESCRIPTION.format(kind=_kind),
        response_model=None,
        responses=_ANSWERS,
        openapi_extra=_body(_kind),
        include_in_schema=_path == f"/v1/{_kind}",  # the short aliases stay out of the docs
    )


@router.options("/v1/{rest:path}", include_in_schema=False)
@router.options("/beacon/v1/batch", include_in_schema=False)
def preflight(request: Request) -> Response:
    """Browsers ask before a cross-origin POST with JSON: any site may send events, with
    the headers it asks for (Analytics.js adds ``X-Retry-Count`` to its retries)."""
    asked = request.headers.get("access-control-request-headers", "")
    headers = dict(CORS)
    if _HEADER_LIST.match(asked):
        headers["Access-Control-Allow-Headers"] = f"{CORS['Access-Control-Allow-Headers']}, {asked}"
    return Response(status_code=204, headers=headers)


@router.get(
    "/v1/projects/{write_key}/settings",
    summary="Analytics.js 2.0 settings (what Segment's CDN would send)",
    responses={
        status: {"model": ErrorBody, "description": text}
        for status, text in (
            (401, "A key unknown to every served workspace, or revoked"),
            (403, "A read or admin key: only write keys collect"),
            (429, "The key's rate is spent: wait for Retry-After"),
        )
    },
)
def settings(write_key: str, request: Request) -> JSONResponse:
    """Point Analytics.js at this server: `AnalyticsBrowser.load({writeKey, cdnURL:
    "http://HOST:PORT"})` reads this and then sends its events to this server's `/v1`."""
    collection(request).authorise(write_key)
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    body = {
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": f"{host}/v1",
                "protocol": request.url.scheme,
                "unbundledIntegrations": [],
                "addBundledMetadata": False,
                "maybeBundledConfigIds": {},
            }
        },
        "plan": {"track": {"__default": {"enabled": True, "integrations": {}}}},
        "edgeFunction": {},
        "analyticsNextEnabled": True,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": {"sampleRate": 0},
        "legacyVideoPluginsEnabled": False,
        "remotePlugins": [],
    }
    return JSONResponse(body, headers=CORS)
