"""Personas (chân dung khách hàng): reusable documents that maps reference by id."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journeyscope.maps.text import Slug, Text


class Demographics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age_range: str | None = Field(None, pattern=r"^\d{1,3}\s*[-–]\s*\d{1,3}$|^\d{1,3}\+$")
    gender: Text | None = None
    income_vnd_month: tuple[int, int] | None = Field(
        None, description="Monthly income range in VND, [low, high]"
    )
    location: Text | None = None
    occupation: Text | None = None
    family: Text | None = None
    education: Text | None = None

    @model_validator(mode="after")
    def _income_ordered(self) -> Demographics:
        if self.income_vnd_month is not None:
            low, high = self.income_vnd_month
            if low < 0 or high < low:
                raise ValueError("income_vnd_month must be [low, high] with 0 <= low <= high")
        return self


class Persona(BaseModel):
    """A named representative of a customer segment."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    kind: Literal["persona"] = "persona"
    id: Slug
    name: Text
    segment: Text | None = Field(
        None, description="Who they are, in words (shown under the name on the card)."
    )
    segment_rule: str | None = Field(
        None,
        description="The customers this persona stands for, as a segment rule over customer "
        'facts, e.g. "orders >= 2 and channel in (shopee, lazada)" (docs/analytics.md '
        '"Segments"); `persona show -w DIR` then shows their live numbers.',
    )
    segment_name: Slug | None = Field(
        None, description="Or the name of a segment saved in the workspace (segments.yaml)."
    )
    quote: Text | None = None
    demographics: Demographics | None = None
    biography: Text | None = None
    lifestyle: Text | None = None
    personality: list[Text] = []
    shopping_preferences: list[Text] = []
    information_sources: list[Text] = []
    goals: list[Text] = []
    motivations: list[Text] = []
    needs: list[Text] = []
    pain_points: list[Text] = []
    emotional_side: list[Text] = []
    channels: list[str] = Field(default_factory=list, description="Channel ids the persona uses")
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")

    @model_validator(mode="after")
    def _one_segment(self) -> Persona:
        if self.segment_rule is not None and self.segment_name is not None:
            raise ValueError("give segment_rule or segment_name, not both")
        return self
