"""The workspace's web users, for admins: list, add, change a role, sign out everywhere,
remove. The same library as ``journeyscope users``; passwords only ever arrive in a body."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.server.deps import AdminReadWorkspace, AdminWorkspace
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}/users", tags=["users"])

Email = Annotated[str, PathParam(max_length=320, description="The user's e-mail address.")]
Role = Literal["viewer", "editor", "admin"]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    role: Role
    password: str = Field(min_length=1, max_length=1024)
    name: str | None = Field(None, max_length=200)


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role


@router.get("", summary="The workspace's web users (never a password or its hash)")
def users(params: Annotated[Params, Query()], ws: AdminReadWorkspace) -> dict[str, Any]:
    from journeyscope.events.users import list_users

    return {"users": [u.to_dict() for u in list_users(ws)]}


@router.post("", status_code=201, summary="Add a web user")
def add(body: NewUser, ws: AdminWorkspace) -> dict[str, Any]:
    from journeyscope.events.users import add_user

    return add_user(ws, body.email, body.role, body.password, body.name).to_dict()


@router.put("/{email}/role", summary="Change a user's role")
def role(email: Email, body: RoleChange, ws: AdminWorkspace) -> dict[str, Any]:
    from journeyscope.events.users import set_role

    return set_role(ws, email, body.role).to_dict()


@router.post("/{email}/sign-out", summary="End every session of a user")
def sign_out(email: Email, ws: AdminWorkspace) -> dict[str, Any]:
    from journeyscope.events.users import get_user, sign_out_everywhere

    get_user(ws, email)
    return {"signed_out": sign_out_everywhere(ws, email)}


@router.delete("/{email}", summary="Remove a user (their sessions end)")
def remove(email: Email, ws: AdminWorkspace) -> dict[str, Any]:
    from journeyscope.events.users import remove_user

    remove_user(ws, email)
    return {"removed": email}
