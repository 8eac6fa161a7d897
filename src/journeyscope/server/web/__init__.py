"""The web app: a single page of ES modules and vendored assets, served at ``/``.

Every page calls the REST API (``/api/v1/...``) with the session cookie, so nothing the
browser shows is computed differently from the CLI's ``--json``. Nothing is fetched from
another host: ECharts is vendored under ``static/vendor/`` with its licence, so the app
works on a shop's LAN without internet.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from journeyscope.server.errors import request_lang

STATIC = Path(__file__).parent / "static"


@cache
def _index() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


def install(app: FastAPI) -> None:
    """Serve the app's page at ``/`` and its files under ``/static``."""

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        # before sign-in the browser's Accept-Language decides; after, the user's choice
        # (a cookie the language switch sets)
        return HTMLResponse(_index().replace("{{lang}}", request_lang(request)))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
