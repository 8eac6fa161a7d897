"""Identity, read side: why an identifier belongs to its customer (``identity explain``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from journeyscope.identity.explain import explain
from journeyscope.server.deps import ReadWorkspace
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/identity", tags=["identity"])


class ExplainParams(Params):
    identifier: str = Field(description="TYPE:VALUE, e.g. email:lan@example.com.")


@router.get("/explain", summary="The links that put an identifier in its customer")
def explain_identifier(
    params: Annotated[ExplainParams, Query()], ws: ReadWorkspace
) -> dict[str, Any]:
    return explain(ws, params.identifier)
