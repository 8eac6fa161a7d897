"""Feedback numbers over HTTP: ``GET /feedback/summary`` is `journeyscope feedback summary
--json` (the same library call), for readers of the workspace."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from journeyscope.feedback.summary import feedback_summary
from journeyscope.server.deps import ReadWorkspace

router = APIRouter(prefix="/api/v1/workspaces/{name}", tags=["feedback"])


class SummaryParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: Literal["touchpoint", "channel", "kind"] = Field(
        "touchpoint", description="Group the numbers by touchpoint, channel or feedback kind."
    )
    since: str | None = Field(None, description="First day (YYYY-MM-DD or ISO time).")
    until: str | None = Field(None, description="Last day, included.")


@router.get(
    "/feedback/summary",
    summary="NPS, CSAT, CES, stars, sentiment and aspects per group (feedback summary)",
)
def summary(params: Annotated[SummaryParams, Query()], ws: ReadWorkspace) -> dict[str, Any]:
    return feedback_summary(ws, params.by, params.since, params.until).to_dict()
