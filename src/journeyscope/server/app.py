"""The HTTP face: one FastAPI app serving one or more workspaces (docs/server.md).

Routes parse, authorise, call the application layer (or the identity/maps/keys library)
and serialise; no SQL and no analytics live here.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from journeyscope.server import errors, middleware
from journeyscope.server.metrics import Metrics
from journeyscope.server.routers import customers, health, identity, keys, maps, reports
from journeyscope.server.state import ServerState

API_DESCRIPTION = """\
JourneyScope's REST API: every report of the CLI with the same parameters and the same JSON
as `--json`, customer profiles, identity, maps and API keys, per workspace under
`/api/v1/workspaces/{name}`. Authenticate with `Authorization: Bearer KEY`
(`journeyscope keys create -w DIR --role read`).
"""


def create_app(workspaces: dict[str, Path], *, title: str = "JourneyScope") -> FastAPI:
    """An app serving ``workspaces`` (URL name → folder); nothing is opened until asked."""
    from journeyscope import __version__

    app = FastAPI(title=title, version=__version__, description=API_DESCRIPTION)
    app.state.journeyscope = ServerState(dict(workspaces))
    app.state.metrics = Metrics()
    errors.install(app)
    middleware.install(app, app.state.metrics)
    app.include_router(health.router)
    for router in (reports, customers, identity, maps, keys):
        app.include_router(router.router, responses=errors.ERROR_RESPONSES)
    return app
