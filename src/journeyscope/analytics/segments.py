"""Customer segments: a name for a set of customers, defined once and used everywhere.

A segment is either a **rule** over facts about each customer (``orders >= 2 and channel in
(shopee, lazada)``, :mod:`journeyscope.analytics.segments_rule`) or a **static list** of
customers (from a file, or saved from a churn or dropped-at-step list). Segments live in the
workspace folder as ``segments.yaml``, written whole or not at all. Reports filter by them
(``--where "segment = vip"``), personas carry them, and insights break changes down by them.

A rule is evaluated when used, on every stitched event, so its members follow the data. A
static list is kept as identifiers (``email:…``, ``phone:…``; a customer id only where a
customer has no identifier), because customer ids are renumbered by each resolve while
identifiers are not; entries that match no customer today are counted, not fatal.
Segments are computed on the embedded engine (the workspace's DuckDB file); a Spark report
filtered by one receives the member ids as one bound array.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from journeyscope.analytics.scope import Clause, Filter
from journeyscope.analytics.segments_rule import Rule, facts_sql, parse_rule
from journeyscope.engine.dialect import Sql
from journeyscope.errors import DocumentError, InputError, Location, NotFound
from journeyscope.events.workspace import Workspace

__all__ = [
    "SEGMENTS_FILE",
    "Segment",
    "add_segment",
    "bind_segments",
    "check_rule",
    "every_segment",
    "get_segment",
    "identifiers_for",
    "load_segments",
    "members",
    "read_member_file",
    "read_member_lines",
    "remove_segment",
    "save_segments",
    "segment_clause",
]

SEGMENTS_FILE = "segments.yaml"
#: Which identifier names a customer in a static list, best first (stable, actionable)
PREFERRED = ("user_id", "email", "phone", "loyalty_id", "zalo_id", "fb_psid", "device_id")
_NAME = r"^[a-z0-9][a-z0-9_\-]*$"


class Segment(BaseModel):
    """One segment: a rule or a static list of members (``42`` or ``TYPE:VALUE``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=_NAME, max_length=64)
    description: str | None = None
    rule: str | None = None
    members: list[str] | None = None
    source: str | None = Field(None, description="Where a static list came from.")

    @model_validator(mode="after")
    def _one_kind(self) -> Segment:
        if (self.rule is None) == (self.members is None):
            raise ValueError("a segment has either a rule or members, not both or neither")
        return self

    @property
    def kind(self) -> str:
        return "rule" if self.rule is not None else "static"


class UnknownSegment(NotFound):
    """A segment name the workspace does not have."""

    code = "unknown_segment"


# -- the file -------------------------------------------------------------------------------


def _file(root: Path) -> Path:
    return root / SEGMENTS_FILE


def load_segments(root: Path) -> dict[str, Segment]:
    """The workspace's segments by name (none when the file is absent)."""
    path = _file(root)
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = data.get("segments", []) if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ValueError("expected `segments:` with a list")
        found = [Segment.model_validate(item) for item in items]
    except (yaml.YAMLError, ValueError, ValidationError) as exc:
        raise DocumentError(
            f"cannot read the segments: {exc}",
            f"không đọc được các phân khúc: {exc}",
            location=Location(file=str(path)),
            hint_en="fix the file, or remove the segment with `journeyscope segment remove`",
            hint_vi="sửa tệp, hoặc xoá phân khúc bằng `journeyscope segment remove`",
        ) from None
    return {s.name: s for s in found}


def save_segments(root: Path, segments: Iterable[Segment]) -> None:
    """Write ``segments.yaml`` whole (a temporary file renamed over it)."""
    from journeyscope.maps.io import write_atomic

    items = [s.model_dump(exclude_none=True) for s in sorted(segments, key=lambda s: s.name)]
    text = yaml.safe_dump(
        {"schema_version": 1, "segments": items}, allow_unicode=True, sort_keys=False
    )
    write_atomic(_file(root), "# customer segments: `journeyscope segment --help`\n" + text)


def get_segment(root: Path, name: str, field: str = "segment") -> Segment:
    """The named segment, or an error suggesting the closest names."""
    found = load_segments(root)
    if name in found:
        return found[name]
    close = difflib.get_close_matches(name, list(found), n=3, cutoff=0.5)
    shown = ", ".join(sorted(found)) or "(none)"
    if close:
        hint_en = f"did you mean {' or '.join(close)}? Segments: {shown}"
        hint_vi = f"có phải ý bạn là {' hoặc '.join(close)}? Các phân khúc: {shown}"
    else:
        hint_en = f"segments: {shown}; add one with `journeyscope segment add`"
        hint_vi = f"các phân khúc: {shown}; thêm bằng `journeyscope segment add`"
    return _raise_unknown(name, field, hint_en, hint_vi)


def _raise_unknown(name: str, field: str, hint_en: str, hint_vi: str) -> Segment:
    raise UnknownSegment(
        f"no segment {name!r} in this workspace",
        f"workspace không có phân khúc {name!r}",
        location=Location(field=field),
        hint_en=hint_en,
        hint_vi=hint_vi,
    )


def check_name(name: str) -> None:
    import re

    if not re.fullmatch(_NAME, name) or len(name) > 64:
        raise InputError(
            f"{name!r} cannot be a segment name",
            f"{name!r} không dùng làm tên phân khúc được",
            location=Location(field="NAME"),
            hint_en="lower-case letters, digits, '-' and '_', e.g. vip or khach-shopee",
            hint_vi="chữ thường không dấu, chữ số, '-' và '_', ví dụ vip hoặc khach-shopee",
            code="invalid_name",
        )


def add_segment(ws: Workspace, segment: Segment, *, replace: bool = False) -> Segment:
    """Store ``segment`` after checking it against the workspace (a rule's events,
    channels and traits exist; a static list's entries read)."""
    check_name(segment.name)
    found = load_segments(ws.root)
    if segment.name in found and not replace:
        raise InputError(
            f"the segment {segment.name!r} exists already",
            f"phân khúc {segment.name!r} đã có",
            location=Location(field="NAME"),
            hint_en="pick another name, or replace it with --replace",
            hint_vi="chọn tên khác, hoặc thay nó bằng --replace",
            code="segment_exists",
        )
    if segment.rule is not None:
        check_rule(ws, parse_rule(segment.rule))
    else:
        segment = segment.model_copy(update={"members": identifiers_for(ws, segment.members or [])})
    found[segment.name] = segment
    save_segments(ws.root, found.values())
    return segment


def remove_segment(root: Path, name: str) -> Segment:
    found = load_segments(root)
    gone = get_segment(root, name, "NAME")
    del found[name]
    save_segments(root, found.values())
    return gone


# -- checks against the data ------------------------------------------------------------------


def check_rule(ws: Workspace, rule: Rule, field: str = "--rule") -> None:
    """Names in a rule that the events lack are errors with a suggestion, never 0."""
    from journeyscope.analytics.vocabulary import Vocabulary, unknown
    from journeyscope.engine.runner import Runner

    names = Vocabulary(Runner(ws))
    for event in rule.events:
        names.check_event(event, field)
    channels = names.values("channel") if rule.channels else set()
    for value, where in rule.channels:
        if channels and value not in channels:
            raise unknown("channel", value, channels, f"{field} {where}")
    if rule.traits:
        keys = trait_keys(ws)
        for key in rule.traits:
            if key not in keys:
                raise unknown("field", f"traits.{key}", [f"traits.{k}" for k in keys], field)


def trait_keys(ws: Workspace) -> set[str]:
    """Trait keys stored by identify calls (``properties.traits``)."""
    rows = ws.con.execute(
        """SELECT DISTINCT unnest(json_keys(x.properties, '$.traits'))
        FROM journey_events j JOIN events x ON x.seq = j.seq
        WHERE j.event = 'identify' AND json_type(x.properties, '$.traits') = 'OBJECT'"""
    ).fetchall()
    return {str(r[0]) for r in rows}


# -- members ------------------------------------------------------------------------------------


def members(ws: Workspace, segment: Segment) -> list[int]:
    """The segment's customer ids today, ascending."""
    if segment.rule is not None:
        q = Sql()
        text = facts_sql(q, parse_rule(segment.rule), ws.config.timezone, _passive(ws))
        rows = ws.con.execute(f"SELECT customer_id FROM ({text}) s ORDER BY 1", q.params)
        return [int(r[0]) for r in rows.fetchall()]
    return sorted(set(_static_ids(ws, segment.members or [])[0]))


def unmatched(ws: Workspace, segment: Segment) -> int:
    """How many entries of a static list match no customer today (0 for a rule)."""
    return 0 if segment.members is None else _static_ids(ws, segment.members)[1]


def _passive(ws: Workspace) -> list[str]:
    return list(ws.config.events.passive)


def _parse_entry(ws: Workspace, entry: str, where: str) -> tuple[str, str | int]:
    """``("id", 42)`` or ``(TYPE, normalised value)``; unreadable entries are errors."""
    from journeyscope.identity.normalize import parse_identifier
    from journeyscope.identity.rules import Rules

    text = entry.strip()
    if text.isascii() and text.isdigit():
        return "id", int(text)
    try:
        rules = Rules.from_config(ws.config.identity)
        return parse_identifier(text, ws.config.identity.default_region, rules)
    except InputError as exc:
        exc.location = Location(field=where)
        raise


def _static_ids(ws: Workspace, entries: list[str]) -> tuple[list[int], int]:
    """Customer ids of a static list's entries, and how many matched none."""
    import pyarrow as pa

    if not entries:
        return [], 0
    pairs = [_parse_entry(ws, e, f"members.{i}") for i, e in enumerate(entries)]
    table = pa.table(
        {
            "pos": list(range(len(pairs))),
            "id_type": [t for t, _ in pairs],
            "value": [str(v) for _, v in pairs],
        }
    )
    ws.con.register("sg_entries", table)
    try:
        rows = ws.con.execute(
            """SELECT e.pos, coalesce(c.customer_id, n.customer_id)
            FROM sg_entries e
            LEFT JOIN identity_customers c
                ON e.id_type = 'id' AND c.customer_id = TRY_CAST(e.value AS BIGINT)
            LEFT JOIN identity_nodes n ON n.id_type = e.id_type AND n.value = e.value"""
        ).fetchall()
    finally:
        ws.con.unregister("sg_entries")
    found = [int(c) for _, c in rows if c is not None]
    return found, sum(1 for _, c in rows if c is None)


def identifiers_for(ws: Workspace, entries: list[str]) -> list[str]:
    """A static list as stored: each customer id becomes that customer's preferred
    identifier (ids change at the next resolve); identifiers are kept, normalised."""
    ids = [int(e) for e in entries if e.strip().isascii() and e.strip().isdigit()]
    best = preferred_identifiers(ws, ids)
    out: list[str] = []
    for i, entry in enumerate(entries):
        kind, value = _parse_entry(ws, entry, f"members.{i}")
        text = best.get(int(value), str(value)) if kind == "id" else f"{kind}:{value}"
        if text not in out:
            out.append(text)
    return out


def preferred_identifiers(ws: Workspace, customer_ids: list[int]) -> dict[int, str]:
    """Each customer's most useful identifier (``PREFERRED`` order, then the value)."""
    if not customer_ids:
        return {}
    order = "CASE id_type " + " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(PREFERRED))
    rows = ws.con.execute(
        f"""SELECT customer_id, arg_min(id_type || ':' || value, ({order} ELSE 99 END, value))
        FROM identity_nodes WHERE list_contains($ids, customer_id) GROUP BY 1""",
        {"ids": customer_ids},
    ).fetchall()
    return {int(c): str(v) for c, v in rows}


def read_member_file(path: Path) -> list[str]:
    """Entries from a CSV or a plain list: the column ``customer_id``, ``identifier`` or
    ``id`` when the header has one (so a churn or dropped list feeds back in), else the
    first column; blank lines are skipped."""
    return [entry for _, entry in read_member_lines(path)]


def read_member_lines(path: Path) -> list[tuple[int, str]]:
    """:func:`read_member_file`'s entries with the line of the file each is on (from 1),
    so a bad entry is reported where the user can find it."""
    from journeyscope.errors import missing_file

    if not path.is_file():
        raise missing_file(path)
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, r) for r in reader if r and any(c.strip() for c in r)]
    if not rows:
        raise InputError(
            f"{path}: no customers listed",
            f"{path}: không có khách hàng nào",
            location=Location(file=str(path)),
            hint_en="one customer id or TYPE:VALUE per line (phone:0903123456)",
            hint_vi="mỗi dòng một mã khách hàng hoặc LOẠI:GIÁ_TRỊ (phone:0903123456)",
            code="invalid_input",
        )
    header = [c.strip().lower() for c in rows[0][1]]
    column = next((header.index(n) for n in ("customer_id", "identifier", "id") if n in header), -1)
    if column >= 0:
        return [
            (line, r[column].strip())
            for line, r in rows[1:]
            if len(r) > column and r[column].strip()
        ]
    return [(line, r[0].strip()) for line, r in rows if r[0].strip()]


# -- the --where field -----------------------------------------------------------------------


def bind_segments(ws: Workspace, where: Filter, field: str = "--where") -> Filter:
    """``segment = NAME`` / ``segment in (A, B)`` / ``!=`` / ``not in``: each clause gets its
    customers (the union of the segments named), so the filter renders without a lookup."""
    clauses: list[Clause] = []
    for c in where.clauses:
        if c.field != "segment":
            clauses.append(c)
            continue
        if c.op not in ("=", "!=", "in", "not in"):
            raise InputError(
                f"segment takes =, !=, in or not in, not {c.op}",
                f"segment dùng =, !=, in hoặc not in, không dùng {c.op}",
                location=Location(field=field),
                hint_en='e.g. --where "segment = vip" or "segment in (vip, new)"',
                hint_vi='ví dụ --where "segment = vip" hoặc "segment in (vip, new)"',
                code="invalid_filter",
            )
        ids: set[int] = set()
        for name in c.values:
            ids.update(members(ws, get_segment(ws.root, name, field)))
        clauses.append(Clause("segment", c.op, c.values, tuple(sorted(ids))))
    return Filter(tuple(clauses))


def facts(ws: Workspace, rule: str | None = None) -> list[dict[str, Any]]:
    """Every customer's facts (a rule's extra columns included), for notebooks and tests."""
    q = Sql()
    parsed = parse_rule(rule) if rule else None
    text = facts_sql(q, parsed, ws.config.timezone, _passive(ws))
    cur = ws.con.execute(f"SELECT * FROM ({text}) s ORDER BY customer_id", q.params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def segment_clause(
    ws: Workspace, *, rule: str | None = None, name: str | None = None, label: str = "persona"
) -> Clause | None:
    """A ``segment`` filter clause for a persona's ``segment_rule`` or ``segment_name``
    (``None`` without either), to add to a report's scope: ``Filter((*f.clauses, clause))``."""
    if rule is not None:
        parsed = parse_rule(rule, "segment_rule")
        check_rule(ws, parsed, "segment_rule")
        ids = members(ws, Segment(name="persona", rule=rule))
    elif name is not None:
        ids = members(ws, get_segment(ws.root, name, "segment_name"))
    else:
        return None
    return Clause("segment", "=", (label,), tuple(ids))


def every_segment(ws: Workspace) -> dict[str, list[int]]:
    """Each segment's customer ids today, by name (for breakdowns by segment, e.g. insights)."""
    return {name: members(ws, s) for name, s in load_segments(ws.root).items()}
