"""Thin routes the web app's Customers and Data pages need, each over one library call:

- ``GET /customers?q=`` — the customers a typed text names (``identity.search``: a
  customer id, ``TYPE:VALUE``, or a bare phone / e-mail / id the normaliser reads);
- ``GET /activity`` — events stored per source in the last hour and day, and the recent
  imports (``events.activity.arrivals``);
- ``GET /imports/quarantine?file=`` — the rows an import refused, for admins (the rows
  hold people's data), read from the file its result names.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from journeyscope.server.deps import AdminReadWorkspace, ReadWorkspace
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}", tags=["customers"])


class SearchParams(Params):
    q: str = Field(
        max_length=320,
        description="A customer id, TYPE:VALUE, or a phone number, e-mail or id as written.",
    )


class QuarantineParams(Params):
    file: str = Field(max_length=200, description="The `quarantine` value of an import's result.")
    limit: int = Field(200, ge=1, le=5000, description="Most rows to send.")


@router.get("/customers", summary="Customers a phone, e-mail, id or TYPE:VALUE names")
def search(params: Annotated[SearchParams, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    from journeyscope.identity.search import find_customers

    return find_customers(ws, params.q)


@router.get("/activity", tags=["imports"], summary="Events received per source lately")
def activity(params: Annotated[Params, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    from journeyscope.events.activity import arrivals

    return arrivals(ws)


@router.get("/imports/quarantine", tags=["imports"], summary="The rows an import refused (admins)")
def quarantine(
    params: Annotated[QuarantineParams, Query()], ws: AdminReadWorkspace
) -> dict[str, Any]:
    from journeyscope.events.activity import read_quarantine

    return read_quarantine(ws, params.file, params.limit)
