"""Customer segments: ``journeyscope segment list|show|add|remove`` over HTTP.

Read keys list segments (with their size today) and read one (``segment show --json``);
web editors and admin keys add and remove them. Segments are ``segments.yaml`` beside the
store, so a write holds the workspace read-only and the file under its folder's lock, as
persona writes do. A list a report wrote (the churn list, who dropped at a step) becomes a
segment by posting its ``customer_id`` values (or identifiers) as ``members``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.server.deps import EditorReadWorkspace, ReadWorkspace
from journeyscope.server.routers.bodies import folder_lock
from journeyscope.server.routers.reports import Params

router = APIRouter(prefix="/api/v1/workspaces/{name}", tags=["segments"])

SegmentName = Annotated[str, PathParam(description="The segment's name.")]


class SegmentBody(BaseModel):
    """A new segment: a ``rule`` over customer facts, or ``members`` (a static list)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Lower-case letters, digits, '-' and '_'.")
    rule: str | None = Field(None, description='e.g. "orders >= 2 and channel = shopee".')
    members: list[str | int] | None = Field(
        None,
        description="Customer ids or TYPE:VALUE identifiers (e.g. the customer_id column "
        "of a churn or dropped-at list).",
        max_length=1_000_000,
    )
    description: str | None = None
    source: str | None = Field(None, description="Where a list came from (kept with it).")
    replace: bool = False


@router.get("/segments", summary="Segments with their size today (journeyscope segment list)")
def list_segments(params: Annotated[Params, Query()], ws: ReadWorkspace) -> list[dict[str, Any]]:
    from journeyscope.app import segments

    return segments.list_segments(ws)


@router.get("/segments/{segment}", summary="One segment (journeyscope segment show --json)")
def get_segment(
    segment: SegmentName, params: Annotated[Params, Query()], ws: ReadWorkspace
) -> dict[str, Any]:
    from journeyscope.app import segments

    return segments.show(ws, segment).for_language(params.lang or "en")


@router.post(
    "/segments",
    summary="Add a segment: a rule or a static list (journeyscope segment add)",
    status_code=201,
)
def post_segment(
    body: SegmentBody, params: Annotated[Params, Query()], ws: EditorReadWorkspace
) -> dict[str, Any]:
    from journeyscope.app import segments

    with folder_lock(ws.root):
        return segments.add(
            ws,
            body.name,
            rule=body.rule,
            members=None if body.members is None else [str(m) for m in body.members],
            description=body.description,
            source=body.source,
            replace=body.replace,
        )


@router.delete("/segments/{segment}", summary="Remove a segment (journeyscope segment remove)")
def delete_segment(
    segment: SegmentName, params: Annotated[Params, Query()], ws: EditorReadWorkspace
) -> dict[str, Any]:
    from journeyscope.app import segments

    with folder_lock(ws.root):
        gone = segments.remove(ws, segment)
    return {"deleted": gone["name"]}
