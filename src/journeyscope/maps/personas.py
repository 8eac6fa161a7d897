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
    segment: Text | None = None
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
