"""`journeyscope feedback import`: survey answers, marketplace reviews and ticket notes in.

A feedback row becomes an event (``survey_response``, ``review``, ``ticket``) through the
event import itself (events/ingest.py), so identity, quarantine and idempotency are the
import's own: the same file imported twice adds nothing, and a row with a bad time is
quarantined with its line exactly as in ``ingest``. On top, each row's scores are checked in
the same SQL (an NPS of 11, a star that is not 1–5, a row with no customer identifier or
with neither score nor text are quarantined with a reason in English and Vietnamese). The
scores and text of the stored events then land in the ``feedback`` table, keyed by the
event's ``seq``, with the sentiment and aspects of the text computed once, in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from journeyscope.errors import InputError, Location
from journeyscope.events.ingest import FileResult, Plan, Quarantine, _store, staging_sql
from journeyscope.events.mapping import Mapping
from journeyscope.events.query import Query, quote
from journeyscope.events.readers import Staged, fresh_scratch, import_failed, stage
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.suppression import drop_suppressed
from journeyscope.events.workspace import Workspace
from journeyscope.feedback.shapes import (
    RANGES,
    SCORES,
    Chosen,
    detect,
    has_identifier,
    load_feedback_mapping,
)

#: what a score problem says, in both languages ({lo}, {hi}: the range)
_SCORE_REASON = (
    "{name} must be a whole number from {lo} to {hi} / {name} phải là số nguyên từ {lo} đến {hi}"
)
_NO_ID = (
    "no customer identifier (phone, e-mail, ids) / "
    "không có định danh khách hàng (số điện thoại, e-mail, mã)"
)
_EMPTY = "neither a score nor a text / không có điểm cũng không có nội dung"


@dataclass
class FeedbackImport:
    """What one feedback file gave: the event import's counts plus the feedback rows."""

    kind: str
    shape: str
    source: str
    result: FileResult
    feedback: int = 0
    scores: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "file": r.file,
            "kind": self.kind,
            "shape": self.shape,
            "source": self.source,
            "accepted": r.accepted,
            "duplicates": r.duplicates,
            "rejected": r.rejected,
            "conflicts": r.conflicts,
            "suppressed": r.suppressed,
            "feedback": self.feedback,
            "quarantine": r.quarantine,
            "columns": self.scores,
        }


def _number(expr: str) -> str:
    """A score as a number: '9', ' 4,5 ', 9.0; NULL when unreadable."""
    return f"try_cast(replace(trim(CAST({expr} AS VARCHAR)), ',', '.') AS DOUBLE)"


def _raw(expr: str) -> str:
    return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"


def _checks(q: Query, chosen: Chosen) -> str:
    """SQL ``WHEN … THEN 'field|reason'`` branches for the feedback rules (src alias ``r``)."""
    branches: list[str] = []
    for name in SCORES:
        column = chosen.scores.get(name)
        if column is None:
            continue
        lo, hi = RANGES[name]
        raw, value = _raw(f"r.{quote(column)}"), _number(f"r.{quote(column)}")
        reason = _SCORE_REASON.format(name=name.upper(), lo=lo, hi=hi)
        branches.append(
            f"WHEN {raw} IS NOT NULL AND ({value} IS NULL OR {value} <> floor({value}) "
            f"OR {value} < {lo} OR {value} > {hi}) THEN {q.bind(f'{column}|{reason}')}"
        )
    ids = ", ".join((*(f"s.{name}" for name in IDENTIFIER_TYPES), "NULL"))
    branches.append(f"WHEN coalesce({ids}) IS NULL THEN {q.bind('identifier|' + _NO_ID)}")
    given = [_raw(f"r.{quote(c)}") for c in chosen.scores.values()]
    if given:
        branches.append(
            f"WHEN coalesce({', '.join(given)}) IS NULL THEN {q.bind('text|' + _EMPTY)}"
        )
    return " ".join(branches)


def checked_sql(plan: Plan, chosen: Chosen, now: datetime) -> Query:
    """The event import's staging SELECT with the feedback rules added to its ``_problem``
    (the import's own problems, such as an unreadable time, come first)."""
    q = staging_sql(plan, now)
    rules = _checks(q, chosen)
    q.sql = f"""
        SELECT s.* REPLACE (coalesce(s._problem, CASE {rules} END) AS _problem)
        FROM ({q.sql}) AS s JOIN src AS r ON r._rec = s._rec"""
    return q


def _link_orders(ws: Workspace, staged: Staged, chosen: Chosen) -> None:
    """A review export without the buyer's identifiers takes them from the order it reviews.

    Marketplace review exports name the order, not the buyer's phone; the order export
    (imported with ``ingest``, order id as event id) has it. The identifier columns the file
    lacks are added to ``src`` from the events of the same channel with that event id, so
    the review is stitched to the buyer like the order is. Rows whose order is unknown keep
    no identifier and are quarantined as such."""
    mapping = chosen.loaded.mapping
    order = mapping.columns.get("event_id")
    have = {c.lower() for c in staged.columns} | set(mapping.columns)
    absent = [name for name in IDENTIFIER_TYPES if name not in have]
    channel = mapping.constants.get("channel")
    if (
        chosen.kind != "review"
        or order is None
        or channel is None
        or len(absent) < len(IDENTIFIER_TYPES)
    ):
        return
    q = Query()
    picks = ", ".join(f"max({name}) AS {name}" for name in absent)
    key = f"trim(CAST(f.{quote(order)} AS VARCHAR))"
    ws.con.execute("CREATE OR REPLACE TEMP TABLE fb_src AS SELECT * FROM src")
    ws.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE fb_orders AS
        SELECT event_id, {picks} FROM events
        WHERE channel = {q.bind(str(channel))} AND source <> {q.bind(mapping.source)}
          AND event_id IN (SELECT {key} FROM fb_src f)
        GROUP BY event_id""",
        q.params,
    )
    ws.con.execute(
        f"""CREATE OR REPLACE TEMP VIEW src AS
        SELECT f.*, {", ".join(f"o.{name}" for name in absent)} FROM fb_src f
        LEFT JOIN fb_orders o ON o.event_id = {key}"""
    )
    staged.columns.update(dict.fromkeys(absent, "VARCHAR"))


def _check_columns(path: Path, columns: list[str], chosen: Chosen) -> Chosen:
    """The chosen shape, checked against the file: its columns exist, a customer is named."""
    for name, column in chosen.scores.items():
        if column not in columns:
            raise InputError(
                f"the mapping names column {column!r} ({name}), which {path.name} does not have",
                f"tệp ánh xạ dùng cột {column!r} ({name}) nhưng {path.name} không có cột đó",
                location=chosen.loaded.location("feedback", name),
                hint_en=f"columns in the file: {', '.join(columns)}",
                hint_vi=f"các cột trong tệp: {', '.join(columns)}",
                code="missing_column",
            )
    if not has_identifier(chosen, columns):
        names = ", ".join(IDENTIFIER_TYPES)
        raise InputError(
            f"{path.name} has no column naming the customer ({names})",
            f"{path.name} không có cột nào xác định khách hàng ({names})",
            location=Location(file=str(path)),
            hint_en="feedback is tied to customers by the same identifiers as events: add a "
            "phone or email column, or map one with -m (`columns: {phone: <column>}`)",
            hint_vi="phản hồi được gắn với khách hàng bằng cùng định danh như sự kiện: thêm cột "
            "phone hoặc email, hoặc ánh xạ bằng -m (`columns: {phone: <cột>}`)",
            code="missing_identifier",
        )
    mapping_ = chosen.loaded.mapping
    if mapping_.properties is not None:  # scores and text must reach the event's properties
        keep = [c for c in chosen.scores.values() if c not in mapping_.properties]
        chosen.loaded.mapping = mapping_.model_copy(
            update={"properties": [*mapping_.properties, *keep]}
        )
    return chosen


def import_feedback(
    ws: Workspace,
    path: Path,
    *,
    kind: str | None = None,
    mapping: Path | None = None,
    now: datetime | None = None,
    quarantine: Quarantine | None = None,
    encoding: str | None = None,
) -> FeedbackImport:
    """Import one feedback file (shape from ``mapping``, else detected from its header)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    quarantine = quarantine or Quarantine(ws.root / "quarantine" / f"feedback-{stamp}.csv")
    reading = load_feedback_mapping(mapping, kind).loaded.mapping if mapping else Mapping()
    con = ws.con
    try:
        staged = stage(con, path, reading, encoding=encoding, scratch=fresh_scratch(ws.root))
    except duckdb.Error as exc:
        raise import_failed(path, exc) from exc
    try:
        columns = [c for c in staged.columns if c != "_rec"]
        chosen = (
            load_feedback_mapping(mapping, kind) if mapping else detect(columns, kind, str(path))
        )
        _link_orders(ws, staged, chosen)
        chosen = _check_columns(path, [c for c in staged.columns if c != "_rec"], chosen)
        plan = Plan(staged, chosen.loaded, ws.config.timezone, ws.config.currency)
        query = checked_sql(plan, chosen, now)
        suppressed = drop_suppressed(ws, query)
        result = _store(ws, staged, plan, query, now, None, quarantine)
        result.suppressed = suppressed
    except duckdb.Error as exc:
        raise import_failed(path, exc) from exc
    finally:
        for sql in ("DROP VIEW IF EXISTS src", "DROP VIEW IF EXISTS src_file"):
            con.execute(sql)
        con.execute("DROP TABLE IF EXISTS src_raw")
        for table in ("fb_src", "fb_orders"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        staged.close()
    source = chosen.loaded.mapping.source
    added = store_feedback(ws, source, chosen)
    return FeedbackImport(chosen.kind, chosen.name, source, result, added, chosen.scores)


def _path(column: str) -> str:
    """The JSON path of a property named ``column`` (any characters)."""
    return '$."' + column.replace("\\", "\\\\").replace('"', '\\"') + '"'


def store_feedback(ws: Workspace, source: str, chosen: Chosen) -> int:
    """Fill ``feedback`` for every event of ``source`` that has no row there yet.

    Read from the stored events' properties, so a run that stopped between the two steps
    is completed by the next import of the file (which itself adds no event)."""
    from journeyscope.feedback import analyse

    q = Query()
    values = {
        s: f"CAST({_number(f'json_extract_string(e.properties, {q.bind(_path(c))})')} AS SMALLINT)"
        for s, c in chosen.scores.items()
        if s in SCORES
    }
    text_col = chosen.scores.get("text")
    text = (
        _raw(f"json_extract_string(e.properties, {q.bind(_path(text_col))})")
        if text_col
        else "CAST(NULL AS VARCHAR)"
    )
    score_sql = ", ".join(f"{values.get(s, 'CAST(NULL AS SMALLINT)')} AS {s}" for s in SCORES)
    event = q.bind(chosen.loaded.mapping.constants["event"])
    q.sql = f"""SELECT e.seq, {score_sql}, {text} AS text FROM events e
        WHERE e.source = {q.bind(source)} AND e.event = {event}
          AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.seq = e.seq)
        ORDER BY e.seq"""
    rows = ws.con.execute(q.sql, q.params).fetchall()
    if not rows:
        return 0
    texts = [r[5] or "" for r in rows]
    found = analyse(texts)
    import pyarrow as pa

    table = pa.table(
        {
            "seq": [r[0] for r in rows],
            "kind": [chosen.kind] * len(rows),
            **{s: [r[1 + i] for r in rows] for i, s in enumerate(SCORES)},
            "text": [r[5] for r in rows],
            "sentiment": [f.label if t else None for f, t in zip(found, texts, strict=True)],
            "sentiment_score": [f.score if t else None for f, t in zip(found, texts, strict=True)],
            "aspects": [f.aspects if t else [] for f, t in zip(found, texts, strict=True)],
        }
    )
    ws.con.register("feedback_new", table)
    try:
        with ws.transaction():
            ws.con.execute(
                "INSERT INTO feedback SELECT n.seq, n.kind, n.nps, n.csat, n.ces, n.stars, n.text, "
                "n.sentiment, n.sentiment_score, n.aspects FROM feedback_new n "
                "WHERE NOT EXISTS (SELECT 1 FROM feedback f WHERE f.seq = n.seq)"
            )
    finally:
        ws.con.unregister("feedback_new")
    return len(rows)
