"""Mapping files: how a source file's columns become event fields.

A mapping renames columns, sets constants (``channel: shopee`` for a marketplace export),
says how to read times, and maps the source's event and channel names to ours. A file whose
columns already carry our field names needs no mapping at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from journeyscope.errors import InputError, Location
from journeyscope.events.schema import EVENT_FIELDS
from journeyscope.maps.io import Positions, load_data, position_of

#: Inputs to channel grouping, mappable like event fields.
GROUPING_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "referrer")
MAPPABLE = (*EVENT_FIELDS, *GROUPING_FIELDS)
FORMATS = ("csv", "tsv", "jsonl", "parquet", "xlsx")


class TimestampSpec(BaseModel):
    """How to read ``ts``: ``auto``, ``iso``, ``epoch_s``, ``epoch_ms`` or a strftime pattern."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(
        "auto",
        description="auto (ISO 8601, dd/mm/yyyy HH:MM[:SS], epoch s/ms), iso, epoch_s, "
        "epoch_ms, or a pattern such as '%d/%m/%Y %H:%M'",
    )
    timezone: str | None = Field(
        None, description="Zone of times without an offset; default: the workspace's."
    )

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in {"auto", "iso", "epoch_s", "epoch_ms"} and "%" not in value:
            raise ValueError(
                "format must be auto, iso, epoch_s, epoch_ms or a pattern like '%d/%m/%Y %H:%M'"
            )
        return value


class EventRule(BaseModel):
    """A rule on one source column that picks the event name of a row (``event_when``).

    Values are compared as text after trimming; the value is bound as a parameter, never
    written into the SQL."""

    model_config = ConfigDict(extra="forbid")

    column: str = Field(description="The source column the rule reads.")
    starts_with: str | None = Field(None, description="True when the text starts with this.")
    equals: str | None = Field(None, description="True when the text is exactly this.")
    one_of: list[str] | None = Field(None, description="True when the text is one of these.")
    event: str | None = Field(
        None, description="The event name of the rows it matches (refund_when: `refund`)."
    )

    @model_validator(mode="after")
    def _one_test(self) -> EventRule:
        given = [t for t in (self.starts_with, self.equals, self.one_of) if t is not None]
        if len(given) != 1:
            raise ValueError("a rule needs exactly one of starts_with, equals, one_of")
        return self


class Mapping(BaseModel):
    """A mapping file (YAML or JSON)."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field("", description="Name of the source; event ids are unique within it.")
    format: Literal["csv", "tsv", "jsonl", "parquet", "xlsx"] | None = None
    delimiter: str | None = Field(None, description="CSV column delimiter (sniffed when absent).")
    sheet: str | None = Field(None, description="XLSX sheet (default: the first).")
    columns: dict[str, str] = Field(
        default_factory=dict, description="Our field -> the source column that holds it."
    )
    constants: dict[str, str | int | float] = Field(
        default_factory=dict, description="Our field -> a value for every row."
    )
    timestamp: TimestampSpec = Field(default_factory=TimestampSpec)
    events: dict[str, str] = Field(
        default_factory=dict, description="Source event name -> ours (e.g. 'Đặt hàng': purchase)."
    )
    channels: dict[str, str] = Field(
        default_factory=dict, description="Source channel name -> ours."
    )
    properties: list[str] | None = Field(
        None, description="Source columns kept in properties; default: every unmapped column."
    )
    revenue_product: list[str] | None = Field(
        None, description="Revenue as the product of these columns (quantity × unit price)."
    )
    group_by: list[str] | None = Field(
        None,
        description="Rows sharing these columns' values are one event (an order of "
        "invoice lines): revenue summed, the first line's time and fields, event id = the key.",
    )
    lines: list[str] | None = Field(
        None,
        description="With group_by: columns kept for each line in the list "
        "properties.lines (left out of the order's own properties).",
    )
    event_when: list[EventRule] = Field(
        default_factory=list,
        description="Rules naming the event of matching rows, first match wins "
        "(before `events:` renames).",
    )
    refund_when: EventRule | None = Field(
        None,
        description="Rows that are refunds or cancellations: event `refund` (or the rule's "
        "event) with revenue stored negative, so revenue sums are net.",
    )

    @field_validator("group_by", mode="before")
    @classmethod
    def _key_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("event_when")
    @classmethod
    def _named(cls, value: list[EventRule]) -> list[EventRule]:
        for rule in value:
            if not rule.event:
                raise ValueError("every event_when rule needs `event: <name>`")
        return value

    @model_validator(mode="after")
    def _lines_need_groups(self) -> Mapping:
        if self.lines is not None and not self.group_by:
            raise ValueError("`lines` needs `group_by` (the column that makes lines one event)")
        return self

    @field_validator("columns", "constants")
    @classmethod
    def _known_fields(cls, value: dict[str, object]) -> dict[str, object]:
        for key in value:
            if key not in MAPPABLE:
                raise ValueError(f"unknown field {key!r}; fields are: {', '.join(MAPPABLE)}")
        return value


@dataclass
class LoadedMapping:
    """A mapping with where it came from, so problems can point at its lines."""

    mapping: Mapping
    path: Path | None = None
    positions: Positions = field(default_factory=dict)

    def location(self, *key: str) -> Location:
        if self.path is None:
            return Location(field=".".join(key) if key else None)
        _, pos = position_of(self.positions, key)
        line, col = pos if pos else (None, None)
        return Location(str(self.path), line, col, ".".join(key) or None)


def load_mapping(path: Path | None) -> LoadedMapping:
    """Read and validate a mapping file; ``None`` gives the empty mapping."""
    if path is None:
        return LoadedMapping(Mapping())
    data, positions = load_data(path, unique_keys=False)  # a settings file: last one wins
    loaded = LoadedMapping(Mapping(), path, positions)
    for section in ("columns", "constants"):
        entries = data.get(section) if isinstance(data, dict) else None
        for key in entries if isinstance(entries, dict) else ():
            if key not in MAPPABLE:
                raise InputError(
                    f"mapping: unknown field {key!r} in {section}",
                    f"tệp ánh xạ: không có trường {key!r} trong {section}",
                    location=loaded.location(section, str(key)),
                    hint_en=f"fields are: {', '.join(MAPPABLE)}",
                    hint_vi=f"các trường: {', '.join(MAPPABLE)}",
                    code="invalid_mapping",
                )
    try:
        loaded.mapping = Mapping.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = tuple(str(p) for p in first["loc"])
        msg = first["msg"].removeprefix("Value error, ")
        raise InputError(
            f"mapping: {msg}",
            f"tệp ánh xạ: {msg}",
            location=loaded.location(*key),
            hint_en="see docs/data.md#mapping-files for the mapping format",
            hint_vi="xem định dạng tệp ánh xạ ở docs/data.md#mapping-files",
            code="invalid_mapping",
        ) from exc
    return loaded
