"""Every error the API sends has one shape: ``JourneyScopeError.to_dict(lang)``.

Our own errors keep their ``http_status``; request validation (pydantic) is a 422, an
unknown route a 404 and anything unexpected a 500 — all in that shape, in the client's
language, and never with a traceback (the traceback goes to the server log, tagged with the
request id, so an operator can find it).
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from journeyscope.errors import JourneyScopeError, Location

log = logging.getLogger("journeyscope.server")

LANGS = ("en", "vi")


class Unauthorized(JourneyScopeError, PermissionError):
    """No key, or a key this workspace does not know (or has revoked)."""

    code = "unauthorized"
    http_status: ClassVar[int] = 401


class Forbidden(JourneyScopeError, PermissionError):
    """A valid key whose role does not allow this request."""

    code = "forbidden"
    http_status: ClassVar[int] = 403


class ErrorLocation(BaseModel):
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    hint: str | None = None
    location: ErrorLocation | None = None
    docs: str
    problems: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """OpenAPI: the one error shape (``JourneyScopeError.to_dict``); ``problems`` on 422."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad input (a value the report cannot use)"),
        (401, "No key, or a key unknown to this workspace or revoked"),
        (403, "The key's role does not allow this"),
        (404, "No such workspace, customer or map"),
        (409, "The workspace is busy (a long write holds it)"),
        (422, "Invalid or unknown parameters"),
        (429, "Too many requests for this key: wait for Retry-After"),
    )
}


def request_lang(request: Request) -> str:
    """``?lang=`` if it names a language we speak, else the web app's language cookie, else
    the best of Accept-Language, else en."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    chosen = request.cookies.get("journeyscope_lang")  # the web app's language switch
    if chosen in LANGS:
        return chosen
    best, best_q = "en", 0.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def error_response(request: Request, exc: JourneyScopeError) -> JSONResponse:
    headers = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="journeyscope"'
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):  # 429: collector behind, or a key's rate spent
        headers["Retry-After"] = str(retry_after)
    lang = request_lang(request)
    body = exc.to_dict(lang)
    _as_parameters(request, body["error"])  # type: ignore[arg-type]
    problems = getattr(exc, "problems", None)
    if isinstance(problems, list):  # collection's 400: which events, and why
        body["error"]["problems"] = [p.to_dict(lang) for p in problems]  # type: ignore[index]
    return JSONResponse(body, status_code=exc.http_status, headers=headers)


_OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")
#: the commands' period options, as the API's parameters
_PERIOD = {"from": "since", "to": "until"}


def _as_parameters(request: Request, error: dict[str, Any]) -> None:
    """The command options an error names (``--window``), as this route's query
    parameters (``window``): the same checks answer the CLI and the API, and an API user
    has no ``--window`` to fix. An option the route has no parameter for stays as it is
    (a hint may quote another command); ``--from``/``--to`` are the period (``since``,
    ``until``) unless the route has its own ``from``/``to`` and the error is not a date."""
    if request.headers.get("x-journeyscope-names") == "options":
        return  # the web app puts the options in its own words (its fields' labels)
    names, renamed = _query_parameters(request)
    if not names:
        return

    def parameter(option: str) -> str | None:
        if option in renamed:  # a route whose options and parameters differ (insights)
            return renamed[option]
        if option in _PERIOD and (error.get("code") == "invalid_date" or option not in names):
            return _PERIOD[option] if _PERIOD[option] in names else None
        name = option.replace("-", "_")
        return name if name in names else None

    def rename(found: re.Match[str]) -> str:
        return parameter(found.group(1)) or found.group(0)

    for key in ("message", "hint"):
        if isinstance(error.get(key), str):
            error[key] = _OPTION.sub(rename, error[key])
    location = error.get("location")
    field = location.get("field") if isinstance(location, dict) else None
    if isinstance(field, str) and _OPTION.fullmatch(field):
        location["field"] = parameter(field[2:]) or field  # type: ignore[index]


def _query_parameters(request: Request) -> tuple[set[str], dict[str, str]]:
    """The names (aliases) of the query parameters of the route that answered, and the
    options its parameters' model names otherwise (``cli_names``: option → parameter)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    names: set[str] = set()
    renamed: dict[str, str] = {}
    for field in getattr(dependant, "query_params", ()):
        model = getattr(field.field_info, "annotation", None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            names.update(info.alias or name for name, info in model.model_fields.items())
            renamed.update(getattr(model, "cli_names", {}))
        else:
            names.add(field.alias)
    return names, renamed


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = exc.errors()
    first: dict[str, Any] = problems[0] if problems else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    what = str(first.get("msg", "invalid request"))
    error = JourneyScopeError(
        f"{where}: {what}" if where else what,
        f"{where}: giá trị không hợp lệ ({what})" if where else f"yêu cầu không hợp lệ ({what})",
        location=Location(field=where or None),
        hint_en="see /docs for this route's parameters",
        hint_vi="xem /docs để biết các tham số của đường dẫn này",
        code="invalid_request",
    )
    body = error.to_dict(request_lang(request))
    body["error"]["problems"] = [  # type: ignore[index]
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
        for e in problems
    ]
    return JSONResponse(body, status_code=422)


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:
        error = JourneyScopeError(
            f"no such route: {request.method} {request.url.path}",
            f"không có đường dẫn: {request.method} {request.url.path}",
            hint_en="see /docs for every route",
            hint_vi="xem /docs để biết mọi đường dẫn",
            code="no_route",
        )
    elif exc.status_code == 405:
        error = JourneyScopeError(
            f"{request.method} is not allowed on {request.url.path}",
            f"không dùng được {request.method} với {request.url.path}",
            code="method_not_allowed",
        )
    else:
        error = JourneyScopeError(str(exc.detail), code="http_error")
    return JSONResponse(error.to_dict(request_lang(request)), status_code=exc.status_code)


def unexpected_response(request: Request, exc: Exception) -> JSONResponse:
    rid = getattr(request.state, "request_id", "?")
    log.error("request %s failed", rid, exc_info=exc)
    error = JourneyScopeError(
        "internal error; the server log has the details",
        "lỗi nội bộ; nhật ký máy chủ có chi tiết",
        hint_en=f"quote request id {rid} when reporting it",
        hint_vi=f"hãy gửi kèm mã yêu cầu {rid} khi báo lỗi",
        code="internal_error",
    )
    return JSONResponse(error.to_dict(request_lang(request)), status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers: ours, validation, HTTP (404/405) and the last resort."""

    async def ours(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, JourneyScopeError)
        return error_response(request, exc)

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation(request, exc)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return _http(request, exc)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_response(request, exc)

    app.add_exception_handler(JourneyScopeError, ours)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, unexpected)
