"""A customer: the profile of ``customers show`` and the stage timeline of
``stages --customer``, both by customer id or ``TYPE:VALUE`` (``phone:0903123456``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import Field

from journeyscope.app.queries import CustomerQuery, CustomerStagesQuery
from journeyscope.app.reports import CustomerReport, CustomerStagesReport
from journeyscope.server.deps import Lang, ReadWorkspace
from journeyscope.server.routers.reports import Body, Params, StagesParams, answer, shape

router = APIRouter(prefix="/api/v1/workspaces/{name}/customers", tags=["customers"])

Ref = Annotated[str, PathParam(description="A customer id or TYPE:VALUE (phone:0903123456).")]


class ProfileParams(Params):
    limit: int = Field(500, ge=0, description="Most timeline events to send.")


@router.get(
    "/{ref}",
    summary="A customer's profile (journeyscope customers show)",
    responses=shape(CustomerReport),
)
def profile(
    ref: Ref, params: Annotated[ProfileParams, Query()], ws: ReadWorkspace, lang: Lang
) -> Body:
    return answer(CustomerQuery(ref=ref, **params.query_fields()), ws, lang)


@router.get(
    "/{ref}/stages",
    summary="A customer's stages (journeyscope stages --customer)",
    responses=shape(CustomerStagesReport),
)
def stages(
    ref: Ref, params: Annotated[StagesParams, Query()], ws: ReadWorkspace, lang: Lang
) -> Body:
    return answer(CustomerStagesQuery(customer=ref, **params.query_fields()), ws, lang)
