"""The shapes of feedback files: which column holds the time, the customer, the scores, the text.

A feedback row is imported as an event (``survey_response``, ``review`` or ``ticket``) through
the ordinary event mapping, so the shapes below are event mappings plus the columns that hold
scores and text. Built-in shapes cover a generic survey CSV, Shopee, Lazada and TikTok Shop
review exports and a hotline/Zalo ticket export; a file is matched to one by its header, or a
mapping file with a ``feedback:`` section says it all (docs/feedback.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from journeyscope.errors import InputError, Location
from journeyscope.events.mapping import LoadedMapping, Mapping, TimestampSpec
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.maps.io import load_data

KINDS = ("survey", "review", "ticket")
Kind = Literal["survey", "review", "ticket"]
EVENT_OF_KIND = {"survey": "survey_response", "review": "review", "ticket": "ticket"}
SCORES = ("nps", "csat", "ces", "stars")
#: the whole-number range of each score
RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "stars": (1, 5)}
#: the research questions of the survey kit: extra columns, kept in the event's properties
RESEARCH_COLUMNS = (
    "heard_from",
    "first_noticed",
    "problem",
    "compare_time",
    "decision_reason",
    "met_again",
)
#: the generic survey CSV: what `feedback survey --format csv` writes and the survey shape reads
SURVEY_COLUMNS = (
    "response_id",
    "submitted_at",
    "phone",
    "email",
    "touchpoint",
    "channel",
    "nps",
    "csat",
    "ces",
    "comment",
    *RESEARCH_COLUMNS,
)


@dataclass(frozen=True)
class Shape:
    """A feedback file's shape: event fields and score/text columns, by source column."""

    name: str
    kind: Kind
    source: str
    columns: dict[str, str]  # event field -> source column, used when the file has it
    scores: dict[str, str]  # nps/csat/ces/stars/text -> source column, when present
    required: tuple[str, ...]  # source columns the file must have
    constants: dict[str, str] = field(default_factory=dict)
    ts_format: str = "auto"

    @property
    def event(self) -> str:
        return EVENT_OF_KIND[self.kind]


def _review(name: str, cols: tuple[str, str, str, str, str], channel: str) -> Shape:
    """A marketplace review export: (order id, time, buyer phone, stars, text) columns."""
    order, when, phone, stars, text = cols
    return Shape(
        name=name,
        kind="review",
        source=f"{name}_reviews",
        columns={"event_id": order, "ts": when, "phone": phone},
        scores={"stars": stars, "text": text},
        required=(order, when, stars),
        constants={"channel": channel, "touchpoint": f"{channel}:review"},
    )


BUILT_IN: tuple[Shape, ...] = (
    Shape(
        name="survey",
        kind="survey",
        source="survey",
        columns={"event_id": "response_id", "ts": "submitted_at"},
        scores={"nps": "nps", "csat": "csat", "ces": "ces", "text": "comment"},
        required=("submitted_at",),
        constants={"channel": "survey"},
    ),
    _review(
        "shopee",
        ("Mã đơn hàng", "Thời gian đánh giá", "Số điện thoại", "Số sao", "Nội dung đánh giá"),
        "shopee",
    ),
    _review(
        "lazada",
        ("Order Number", "Review Time", "Buyer Phone", "Rating", "Review Content"),
        "lazada",
    ),
    _review(
        "tiktok_shop",
        ("Order ID", "Create Time", "Buyer Phone", "Star Rating", "Review Text"),
        "tiktok_shop",
    ),
    Shape(
        name="ticket",
        kind="ticket",
        source="tickets",
        columns={"event_id": "ticket_id", "ts": "created_at", "touchpoint": "queue"},
        scores={"csat": "csat", "text": "note"},
        required=("created_at", "note"),
        constants={"channel": "hotline"},
    ),
)


class FeedbackColumns(BaseModel):
    """The ``feedback:`` section of a mapping file: the kind and the score/text columns."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = Field(None, description="survey, review or ticket.")
    nps: str | None = None
    csat: str | None = None
    ces: str | None = None
    stars: str | None = None
    text: str | None = None


@dataclass
class Chosen:
    """The shape a file is read with, as an event mapping plus its score/text columns."""

    kind: Kind
    name: str
    loaded: LoadedMapping
    scores: dict[str, str]


def _lower(columns: Iterable[str]) -> dict[str, str]:
    return {c.strip().lower(): c for c in columns}


def _missing(shape: Shape, columns: Iterable[str]) -> list[str]:
    have = _lower(columns)
    return [c for c in shape.required if c.lower() not in have]


def _fit(shape: Shape, columns: list[str]) -> Chosen:
    """The shape's mapping, narrowed to the columns this file has (names matched any case)."""
    have = _lower(columns)
    mapped = {f: have[c.lower()] for f, c in shape.columns.items() if c.lower() in have}
    scores = {s: have[c.lower()] for s, c in shape.scores.items() if c.lower() in have}
    constants = {k: v for k, v in shape.constants.items() if k not in mapped and k not in have}
    mapping = Mapping(
        source=shape.source,
        columns=mapped,
        constants={**constants, "event": shape.event},
        timestamp=TimestampSpec(format=shape.ts_format),
    )
    return Chosen(shape.kind, shape.name, LoadedMapping(mapping), scores)


def detect(columns: list[str], kind: str | None, file: str) -> Chosen:
    """The built-in shape whose required columns the header has (of ``kind`` when given)."""
    if kind is not None and kind not in KINDS:
        raise InputError(
            f"unknown feedback kind {kind!r}",
            f"loại phản hồi không hợp lệ {kind!r}",
            hint_en="use --kind survey, review or ticket",
            hint_vi="dùng --kind survey, review hoặc ticket",
            code="invalid_option",
        )
    candidates = [s for s in BUILT_IN if kind is None or s.kind == kind]
    for shape in candidates:
        if not _missing(shape, columns):
            return _fit(shape, columns)
    closest = min(candidates, key=lambda s: len(_missing(s, columns)))
    lacking = ", ".join(_missing(closest, columns))
    raise InputError(
        f"cannot tell what kind of feedback {Path(file).name} holds: the closest shape "
        f"({closest.name}) needs the columns {lacking}",
        f"không nhận ra loại phản hồi trong {Path(file).name}: dạng gần nhất "
        f"({closest.name}) cần các cột {lacking}",
        location=Location(file=file),
        hint_en=f"columns in the file: {', '.join(columns)}; name the columns with a mapping "
        "file (-m, with a `feedback:` section) or rename them (docs/feedback.md#feedback-in)",
        hint_vi=f"các cột trong tệp: {', '.join(columns)}; chỉ rõ các cột bằng tệp ánh xạ "
        "(-m, có mục `feedback:`) hoặc đổi tên cột (docs/feedback.md#feedback-in)",
        code="unknown_feedback_shape",
    )


def load_feedback_mapping(path: Path, kind: str | None) -> Chosen:
    """A mapping file with a ``feedback:`` section (kind, score and text columns); the rest
    is an ordinary event mapping (docs/data.md#mapping-files)."""
    data, positions = load_data(path)
    loaded = LoadedMapping(Mapping(), path, positions)
    body = dict(data) if isinstance(data, dict) else {}
    section = body.pop("feedback", None) or {}
    try:
        columns = FeedbackColumns.model_validate(section)
        mapping = Mapping.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = tuple(str(p) for p in first["loc"])
        if isinstance(section, dict) and key and key[0] in FeedbackColumns.model_fields:
            key = ("feedback", *key)
        msg = first["msg"].removeprefix("Value error, ")
        raise InputError(
            f"mapping: {msg}",
            f"tệp ánh xạ: {msg}",
            location=loaded.location(*key),
            hint_en="see docs/feedback.md#feedback-in for the `feedback:` section",
            hint_vi="xem mục `feedback:` ở docs/feedback.md#feedback-in",
            code="invalid_mapping",
        ) from exc
    chosen_kind = kind or columns.kind
    if chosen_kind not in KINDS:
        raise InputError(
            "the mapping does not say which kind of feedback the file holds",
            "tệp ánh xạ không nói tệp chứa loại phản hồi nào",
            location=loaded.location("feedback"),
            hint_en="add `feedback: {kind: survey|review|ticket}` or pass --kind",
            hint_vi="thêm `feedback: {kind: survey|review|ticket}` hoặc dùng --kind",
            code="invalid_mapping",
        )
    event = EVENT_OF_KIND[chosen_kind]
    loaded.mapping = mapping.model_copy(
        update={
            "source": mapping.source or f"feedback_{chosen_kind}",
            "constants": {**mapping.constants, "event": event},
        }
    )
    scores = {s: c for s in (*SCORES, "text") if (c := getattr(columns, s)) is not None}
    return Chosen(cast("Kind", chosen_kind), "mapping", loaded, scores)


def has_identifier(chosen: Chosen, columns: list[str]) -> bool:
    """Whether the file has a column that names the customer (mapped, or by our field name)."""
    mapped = set(chosen.loaded.mapping.columns)
    have = _lower(columns)
    return any(name in mapped or name in have for name in IDENTIFIER_TYPES)
