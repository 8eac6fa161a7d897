"""Liveness, readiness and Prometheus metrics: no key needed, no data sent."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from journeyscope.errors import JourneyScopeError
from journeyscope.events.workspace import Workspace
from journeyscope.server.deps import State
from journeyscope.server.metrics import CONTENT_TYPE_LATEST

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process answers")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


class Readiness(BaseModel):
    """``/readyz``'s answer, 200 or 503: a health state for probes, not an error."""

    status: Literal["ok", "unavailable"]
    workspaces: dict[str, str]


@router.get(
    "/readyz",
    summary="Every served workspace can be opened, its events read since the start",
    response_model=Readiness,
    responses={
        503: {
            "model": Readiness,
            "description": "A workspace cannot be opened, or its events are still being "
            "read after the start (`warming`, at most 60 s)",
        }
    },
)
def readyz(state: State, request: Request) -> Response:
    """200 when each workspace opens read-only at this version's schema and its start-up
    scan is done, else 503 with the state per workspace: an error code, or ``warming``
    (codes only: no paths or messages for an unauthenticated caller)."""
    warmer = getattr(request.app.state, "warmer", None)
    workspaces: dict[str, str] = {}
    for name, path in state.workspaces.items():
        try:
            with state.gates[name].reading():
                Workspace.open(path, read_only=True).close()
            workspaces[name] = "warming" if warmer and warmer.is_warming(name) else "ok"
        except JourneyScopeError as exc:
            workspaces[name] = exc.code
    ready = all(v == "ok" for v in workspaces.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "workspaces": workspaces},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.text(), media_type=CONTENT_TYPE_LATEST)
