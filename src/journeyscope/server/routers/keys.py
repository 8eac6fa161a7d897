"""A workspace's API keys, for admin keys: list (no secrets), create (the key is in the
answer once, never again), revoke. The same library as ``journeyscope keys``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.events.keys import create_key, list_keys, revoke_key
from journeyscope.server.deps import AdminReadWorkspace, AdminWorkspace
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/keys", tags=["keys"])

KeyId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$", description="The key's id.")]


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["read", "write", "admin"]
    name: str | None = Field(None, max_length=200)


@router.get("", summary="The workspace's keys (ids, names, roles; never secrets)")
def keys(params: Annotated[Params, Query()], ws: AdminReadWorkspace) -> dict[str, Any]:
    return {"keys": [k.to_dict() for k in list_keys(ws)]}


@router.post("", status_code=201, summary="A new key; its secret is shown only here")
def new_key(body: NewKey, ws: AdminWorkspace) -> dict[str, Any]:
    info, key = create_key(ws, body.role, body.name)
    return {"key": key, **info.to_dict()}


@router.delete("/{key_id}", summary="Revoke a key for good")
def revoke(key_id: KeyId, ws: AdminWorkspace) -> dict[str, Any]:
    return revoke_key(ws, key_id).to_dict()
