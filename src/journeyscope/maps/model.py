"""The journey-map document: one pydantic model for the four map types of the articles.

A map is a grid: stages across (columns), lanes down (rows), and in each cell a list of
items. Emotions are curves, one per persona, scored on the scale ``EMOTION_MIN`` to
``EMOTION_MAX`` (−2 very negative … 0 neutral … +2 very positive).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)

from journeyscope.maps.bindings import Binding
from journeyscope.maps.lanes import LaneKind
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import Localized, NonEmpty, Slug, Text, nfc

EMOTION_MIN = -2.0
EMOTION_MAX = 2.0

MapType = Literal["current_state", "day_in_the_life", "future_state", "service_blueprint"]
MAP_TYPES: dict[str, tuple[str, str]] = {
    "current_state": ("Current state", "Hiện trạng"),
    "day_in_the_life": ("Day in the life", "Một ngày của khách hàng"),
    "future_state": ("Future state", "Trạng thái tương lai"),
    "service_blueprint": ("Service blueprint", "Bản thiết kế dịch vụ"),
}


class Item(BaseModel):
    """A cell entry with attributes: a touchpoint's channel, a blueprint action's tags."""

    model_config = ConfigDict(extra="forbid")

    text: Text
    channel: str | None = Field(None, description="Channel id, e.g. zalo, shopee, store")
    tags: list[Slug] = Field(default_factory=list, description="e.g. people, technology")
    metric: Binding | None = Field(
        None, description="A number drawn from a workspace (docs/maps.md, Maps bound to data)"
    )
    events: list[NonEmpty] = Field(
        default_factory=list,
        description="Events (e.g. add_to_cart) or touchpoints (e.g. web:/cart) the item stands "
        "for; `event:` takes one. `map compare` follows real journeys through them",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_event(cls, data: object) -> object:
        """``event: purchase`` is ``events: [purchase]`` (beside any ``events:`` given); without
        ``text`` the event names the item."""
        if isinstance(data, dict) and "event" in data:
            rest = {k: v for k, v in data.items() if k != "event"}
            more = rest.get("events")
            extra = more if isinstance(more, list) else [] if more is None else [more]
            if "text" not in rest and "metric" not in rest and isinstance(data["event"], str):
                rest["text"] = data["event"]  # an item may be just its event
            return {**rest, "events": [data["event"], *extra]}
        return data

    @model_validator(mode="before")
    @classmethod
    def _label_of_bound_item(cls, data: object) -> object:
        """A bound item may leave out ``text``: its label is then the metric's expression."""
        if isinstance(data, dict) and "text" not in data and isinstance(data.get("metric"), dict):
            metric = data["metric"]
            name = metric.get("name")
            if isinstance(name, str) and name:
                args = [str(metric[k]) for k in ("stage", "touchpoint") if metric.get(k)]
                return {**data, "text": f"={name}({', '.join(args)})"}
        return data

    @property
    def has_label(self) -> bool:
        """Whether the text is the author's (not the expression a bound item was given)."""
        return self.metric is None or not (
            isinstance(self.text, str) and self.text.startswith(f"={self.metric.name}(")
        )


def _entry_kind(value: object) -> str:
    if isinstance(value, Item) or (
        isinstance(value, dict) and ("text" in value or "metric" in value or "event" in value)
    ):
        return "Item"
    return "Localized" if isinstance(value, dict | Localized) else "str"


CellEntry = Annotated[
    Annotated[NonEmpty, Tag("str")]
    | Annotated[Localized, Tag("Localized")]
    | Annotated[Item, Tag("Item")],
    Discriminator(_entry_kind),
]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str | dict) else value


Cell = Annotated[list[CellEntry], BeforeValidator(_as_list)]


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    name: Text
    description: Text | None = None
    time: str | None = Field(
        None,
        pattern=r"^([01]\d|2[0-3]):[0-5]\d(\s*[-–]\s*([01]\d|2[0-3]):[0-5]\d)?$",
        description="Time of day for day-in-the-life maps, 'HH:MM' or 'HH:MM-HH:MM'",
    )


class Lane(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    kind: LaneKind
    title: Text | None = Field(None, description="Defaults to the kind's name")
    cells: dict[str, Cell] = Field(default_factory=dict, description="stage id -> items")


Score = Annotated[float, Field(ge=EMOTION_MIN, le=EMOTION_MAX)]


class EmotionPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Score
    note: Text | None = None


def _point_kind(value: object) -> str:
    return "EmotionPoint" if isinstance(value, dict | EmotionPoint) else "float"


ScoreOrPoint = Annotated[
    Annotated[Score, Tag("float")] | Annotated[EmotionPoint, Tag("EmotionPoint")],
    Discriminator(_point_kind),
]


class EmotionCurve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persona: Slug
    points: dict[str, ScoreOrPoint] = Field(
        default_factory=dict, description="stage id -> score (-2..+2) or {score, note}"
    )


def _persona_kind(value: object) -> str:
    return "Persona" if isinstance(value, dict | Persona) else "str"


PersonaRef = Annotated[
    Annotated[Slug, Tag("str")] | Annotated[Persona, Tag("Persona")],
    Discriminator(_persona_kind),
]


class JourneyMap(BaseModel):
    """A customer journey map (bản đồ hành trình khách hàng)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    kind: Literal["journey_map"] = "journey_map"
    id: Slug
    type: MapType
    title: Text
    description: Text | None = None
    language: Literal["en", "vi"] = "vi"
    stage_model: str | None = Field(None, description="Id of the stage model the stages follow")
    owner: str | None = None
    reviewed: dt.date | None = Field(None, description="Date of the last review")
    review_every: Literal["monthly", "quarterly", "yearly"] | None = None
    vision: Text | None = Field(None, description="Future state: the envisioned experience")
    goals: list[Text] = Field(default_factory=list, description="Business goals of the map")
    personas: list[PersonaRef] = Field(
        default_factory=list, description="Persona ids (from the library) or inline personas"
    )
    stages: list[Stage] = Field(min_length=1)
    lanes: list[Lane] = Field(default_factory=list)
    emotions: list[EmotionCurve] = Field(default_factory=list)
    #: The map as written, when this copy shows its bound cells' values (``living.bind.fill``):
    #: a spreadsheet keeps it, so the workbook reads back as written, not as the values.
    _as_written: JourneyMap | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _composed(cls, data: object) -> object:
        """Text in NFC, however it arrives (a file, the editor, the API, Excel)."""
        return nfc(data)

    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def persona_ids(self) -> list[str]:
        return [p if isinstance(p, str) else p.id for p in self.personas]


def as_item(entry: CellEntry) -> Item:
    """Every cell entry seen as an :class:`Item`."""
    return entry if isinstance(entry, Item) else Item(text=entry)


def emotion_point(value: float | EmotionPoint) -> EmotionPoint:
    return value if isinstance(value, EmotionPoint) else EmotionPoint(score=value)
