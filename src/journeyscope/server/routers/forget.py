"""Forget a person (Vietnam's Decree 13/2023), for admin keys: the same library calls as
``journeyscope forget --identifier | --list | --unsuppress`` and the same JSON.

``POST /forget`` deletes every trace of the person and suppresses their identifiers (and
deletes the workspace's export files waiting for download);
``GET /forget`` is the suppression list (keyed hashes and counts, never an identifier)
and the deletion log; ``DELETE /forget`` takes one identifier off the suppression list.
The identifier travels in the JSON body, never in the URL, so it stays out of access logs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.server.deps import AdminReadWorkspace, AdminWorkspace, WorkspaceName
from journeyscope.server.jobs import JobRegistry, registry
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/forget", tags=["forget"])


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: str = Field(max_length=1000, description="TYPE:VALUE of the person.")


@router.post("", summary="Delete every trace of a person and suppress them (forget)")
def forget_person(
    name: WorkspaceName,
    body: Person,
    params: Annotated[Params, Query()],
    ws: AdminWorkspace,
    jobs: Annotated[JobRegistry, Depends(registry)],
) -> dict[str, Any]:
    """Also deletes the workspace's export files: one made before must not keep them."""
    from journeyscope.identity.forget import forget

    done = forget(ws, body.identifier)
    jobs.discard_downloads(name)
    return done


@router.get("", summary="The suppression list (hashes only) and the log (forget --list)")
def suppression_list(params: Annotated[Params, Query()], ws: AdminReadWorkspace) -> dict[str, Any]:
    from journeyscope.identity.forget import suppression_list as listing

    return listing(ws)


@router.delete("", summary="Let an identifier be imported again (forget --unsuppress)")
def unsuppress_identifier(
    body: Person, params: Annotated[Params, Query()], ws: AdminWorkspace
) -> dict[str, Any]:
    from journeyscope.identity.forget import unsuppress

    return unsuppress(ws, body.identifier)
