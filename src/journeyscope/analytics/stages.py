"""Stages: where each customer is in a stage model, and how customers move between stages.

Stage rules (YAML) map events — by name, channel, a filter, or "a repeat of" — to the
stages of a built-in or custom stage model; the first matching rule wins. Built-in rules
exist for retail5, current5 and aida (``analytics/stage_rules.yaml``); any other model,
or other events, take a rules file: ``journeyscope stages --model M --rules FILE``.

Per stage: customers who reached it, customers there now, conversion to the next stage
(reached it at or after their first time in this stage), median and p90 time to it, and
customers *stalled* there (current stage, no activity for longer than ``--stall``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from journeyscope.analytics.scope import Scope, parse_filter
from journeyscope.engine.dialect import SparkSql, Sql
from journeyscope.engine.runner import Runner, as_runner
from journeyscope.errors import DocumentError, InputError, Location
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import local_iso
from journeyscope.maps.io import load_data, parse, position_of
from journeyscope.maps.problems import from_validation_error
from journeyscope.maps.stage_models import StageModel, get_stage_model
from journeyscope.maps.text import localize


class StageRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str
    events: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    where: str | None = None
    repeat: bool = False


class StageRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    rules: list[StageRule] = Field(min_length=1)


@cache
def builtin_rules() -> dict[str, StageRules]:
    text = resources.files("journeyscope.analytics").joinpath("stage_rules.yaml").read_text("utf-8")
    data, _ = parse(text, "stage_rules.yaml")
    return {r.model: r for r in (StageRules.model_validate(item) for item in data)}


def load_rules(path: Path) -> StageRules:
    """A rules file (one ``model:`` with ``rules:``), with the line of any mistake."""
    data, positions = load_data(path)
    try:
        return StageRules.model_validate(data)
    except ValidationError as exc:
        problem = from_validation_error(exc, data)[0]
        _, pos = position_of(positions, problem.path)
        raise DocumentError(
            f"invalid stage rules: {problem.message_en}",
            f"quy tắc giai đoạn không hợp lệ: {problem.message_vi}",
            location=Location(
                file=str(path),
                line=pos[0] if pos else None,
                field=".".join(str(p) for p in problem.path),
            ),
            hint_en="see docs/analytics.md, 'Stage rules', for an example",
            hint_vi="xem ví dụ ở docs/analytics.md, mục 'Stage rules'",
        ) from None


def rules_for(
    model_id: str, rules_file: Path | None = None, models: list[Path] | None = None
) -> tuple[StageModel, StageRules]:
    """The stage model and its rules, checked against each other."""
    model = get_stage_model(model_id, models)
    if rules_file:
        rules = load_rules(rules_file)
    elif model_id in builtin_rules():
        rules = builtin_rules()[model_id]
    else:
        raise InputError(
            f"stage model {model_id!r} has no built-in rules",
            f"mô hình giai đoạn {model_id!r} chưa có quy tắc dựng sẵn",
            hint_en=f"write a rules file and pass --rules FILE (built-in: "
            f"{', '.join(builtin_rules())}); docs/analytics.md shows one",
            hint_vi=f"viết tệp quy tắc và dùng --rules TỆP (dựng sẵn: "
            f"{', '.join(builtin_rules())}); xem docs/analytics.md",
            code="no_stage_rules",
        )
    known = [s.id for s in model.stages]
    for i, rule in enumerate(rules.rules):
        if rule.stage not in known:
            raise DocumentError(
                f"rule {i + 1} names stage {rule.stage!r}, which {model_id} does not have",
                f"quy tắc {i + 1} dùng giai đoạn {rule.stage!r}, {model_id} không có",
                location=Location(
                    file=str(rules_file) if rules_file else None, field=f"rules.{i}.stage"
                ),
                hint_en=f"stages of {model_id}: {', '.join(known)}",
                hint_vi=f"các giai đoạn của {model_id}: {', '.join(known)}",
            )
        if rule.where:
            parse_filter(rule.where, f"rules.{i}.where")
    return model, rules


def stage_case(model: StageModel, rules: StageRules, q: Sql, alias: str = "e") -> str:
    """SQL: the stage index (0-based, model order) of an event, NULL for none.

    Needs ``nth`` (the event's occurrence number for its customer and name) in scope.
    """
    index = {s.id: i for i, s in enumerate(model.stages)}
    whens = []
    for rule in rules.rules:
        parts = []
        if rule.events:
            names = ", ".join(q.bind(event_name(e)) for e in rule.events)
            parts.append(f"{alias}.event IN ({names})")
        if rule.channels:
            parts.append(f"{alias}.channel IN ({', '.join(q.bind(c) for c in rule.channels)})")
        if rule.where:
            parts.append(parse_filter(rule.where).sql(q, alias))
        if rule.repeat:
            parts.append("nth > 1")
        whens.append(f"WHEN {' AND '.join(parts) or 'TRUE'} THEN {index[rule.stage]}")
    return f"CASE {' '.join(whens)} END"


def staged_events_sql(
    ws: Workspace, model: StageModel, rules: StageRules, scope: Scope, q: Sql
) -> str:
    """Scoped customer events with ``stage`` (index or NULL)."""
    return staged_sql(Runner(ws), model, rules, scope, q)


def staged_sql(r: Runner, model: StageModel, rules: StageRules, scope: Scope, q: Sql) -> str:
    """:func:`staged_events_sql` on either engine."""
    case = stage_case(model, rules, q, "s")  # first: it may need the full event row
    base = r.source(scope, q, "e.*")
    return f"""
        SELECT *, {case} AS stage FROM (
            SELECT *, row_number() OVER (
                PARTITION BY customer_id, event ORDER BY ts, seq) AS nth
            FROM ({base}) b
        ) s"""


@dataclass(frozen=True)
class StageSpec:
    model: str = "retail5"
    rules: Path | None = None
    models: tuple[Path, ...] = ()
    stall: timedelta = timedelta(days=30)


def stages(
    ws: Runner | Workspace,
    spec: StageSpec,
    scope: Scope,
    lang: str = "en",
    export_to: Path | None = None,
) -> dict[str, Any]:
    """The stages report (the ``--json`` shape of ``journeyscope stages``); with
    ``export_to``, every customer's stages are written from the same staged events."""
    return stages_on(as_runner(ws), spec, scope, lang, export_to)


def stages_on(
    r: Runner,
    spec: StageSpec,
    scope: Scope,
    lang: str = "en",
    export_to: Path | None = None,
) -> dict[str, Any]:
    """The stages report on either engine (the export too): on DuckDB from one scan into
    arrays (:mod:`~journeyscope.analytics.stages_arrays`), on Spark, and for an export,
    with the SQL below."""
    model, rules = rules_for(spec.model, spec.rules, list(spec.models))
    if export_to is None and not isinstance(r.sql(), SparkSql):
        from journeyscope.analytics import events_arrays

        try:
            ev = events_arrays.read_events(r, scope, (model, rules))
        except events_arrays.NotServed:
            pass  # a NULL code or no perfect hash of the names: SQL answers
        else:
            return stages_report(ev, model, spec, scope, r.zone, lang)
    q = r.sql()
    exported = None
    first_seq = q.value_at_min("seq", q.row("ts", "seq"))
    with r.scratch("st_rows", "st_customers"):
        r.table(
            "st_rows",
            f"SELECT customer_id, ts, seq, stage FROM ({staged_sql(r, model, rules, scope, q)}) t",
            q,
        )
        r.table(
            "st_customers",
            # entry: the first event in (ts, seq) order — ties keep the source's order
            f"SELECT customer_id, stage, min(ts) AS first_at, {first_seq} AS first_seq "
            "FROM st_rows WHERE stage IS NOT NULL GROUP BY customer_id, stage",
        )
        q = r.sql()
        rows = r.rows(_per_stage_sql(q, spec.stall.total_seconds()), q)
        end = r.rows("SELECT max(ts) FROM st_rows")[0][0]
        unstaged = r.rows("SELECT count(*) FILTER (WHERE stage IS NULL), count(*) FROM st_rows")[0]
        if export_to is not None:
            exported = _write_customer_stages(r, model, export_to)
    report = _report(
        rows, end, (int(unstaged[0]), int(unstaged[1])), model, spec, scope, r.zone, lang
    )
    if export_to is not None:
        report |= {"output": str(export_to), "exported": exported}
    return report


def stages_report(
    ev: Any, model: StageModel, spec: StageSpec, scope: Scope, zone: str, lang: str = "en"
) -> dict[str, Any]:
    """The report from the scoped events as arrays, read with this model's stages."""
    from journeyscope.analytics.stages_arrays import per_stage

    rows = per_stage(ev, len(model.stages), spec.stall.total_seconds())
    end = datetime(1970, 1, 1) + timedelta(microseconds=int(ev.us.max())) if len(ev.us) else None
    counts = (int((ev.stage < 0).sum()), len(ev.us))
    return _report(rows, end, counts, model, spec, scope, zone, lang)


def _report(
    rows: list[Any],
    end: Any,
    counts: tuple[int, int],
    model: StageModel,
    spec: StageSpec,
    scope: Scope,
    zone: str,
    lang: str,
) -> dict[str, Any]:
    """The report's shape from its per-stage rows and counts (unstaged, all events)."""
    found = {r[0]: r for r in rows}
    out = []
    for i, s in enumerate(model.stages):
        _, reached, now, nxt, med, p90, stalled = found.get(i, (i, 0, 0, 0, None, None, 0))
        last = i == len(model.stages) - 1
        out.append(
            {
                "stage": s.id,
                "name": localize(s.name, lang),
                "customers": int(reached),
                "current": int(now),
                "stalled": int(stalled),
                "conversion_to_next": None
                if last
                else (round(nxt / reached, 4) if reached else 0.0),
                "median_seconds_to_next": None if last or med is None else round(float(med), 1),
                "p90_seconds_to_next": None if last or p90 is None else round(float(p90), 1),
            }
        )
    return {
        "model": model.id,
        "model_name": localize(model.name, lang),
        "stall_seconds": spec.stall.total_seconds(),
        "data_ends": local_iso(end, zone),
        "events_without_stage": counts[0],
        "events": counts[1],
        "stages": out,
        "scope": scope.describe(),
    }


def _per_stage_sql(q: Sql, stall: float) -> str:
    """Per stage: reached, there now, moved on to the next (median / p90 seconds), stalled."""
    return f"""
WITH current AS (
    SELECT customer_id,
           {q.value_at_max("stage", q.row("ts", "seq"))} FILTER (WHERE stage IS NOT NULL)
               AS stage,
           max(ts) AS last_at
    FROM st_rows GROUP BY customer_id
), moves AS (
    SELECT a.stage, a.customer_id, {q.seconds("b.first_at")} - {q.seconds("a.first_at")} AS seconds
    FROM st_customers a
    JOIN st_customers b ON b.customer_id = a.customer_id AND b.stage = a.stage + 1
        AND {q.row("b.first_at", "b.first_seq")} > {q.row("a.first_at", "a.first_seq")}
), ends AS (SELECT max(ts) AS data_end FROM st_rows
), now_at AS (
    SELECT c.stage, count(*) AS now,
           count(*) FILTER (WHERE {q.seconds("e.data_end")} - {q.seconds("c.last_at")}
                            > {q.bind(stall)}) AS stalled
    FROM current c CROSS JOIN ends e GROUP BY c.stage
), moved AS (
    SELECT stage, count(*) AS moved, median(seconds) AS med,
           {q.quantile("seconds", 0.9)} AS p90
    FROM moves GROUP BY stage
), reached AS (
    SELECT stage, count(*) AS reached FROM st_customers GROUP BY stage
)
SELECT r.stage, r.reached, coalesce(n.now, 0), coalesce(m.moved, 0), m.med, m.p90,
       coalesce(n.stalled, 0)
FROM reached r LEFT JOIN now_at n ON n.stage = r.stage LEFT JOIN moved m ON m.stage = r.stage
ORDER BY r.stage
"""


def export_customer_stages(ws: Workspace, spec: StageSpec, scope: Scope, target: Path) -> int:
    """Every customer's current stage and when they first reached each stage (CSV/Parquet)."""
    return int(stages(ws, spec, scope, export_to=target)["exported"])


def _write_customer_stages(r: Runner, model: StageModel, target: Path) -> int:
    """From ``st_rows``: per customer the current stage, last event and first time in each."""
    q = r.sql()
    firsts = ", ".join(
        f"min(ts) FILTER (WHERE stage = {i}) AS first_{s.id}" for i, s in enumerate(model.stages)
    )
    names = " ".join(f"WHEN {i} THEN {q.bind(s.id)}" for i, s in enumerate(model.stages))
    current = q.value_at_max("stage", q.row("ts", "seq"))
    zone = q.bind(r.zone)  # times as ISO 8601 in the workspace's zone, with the offset

    def when(column: str) -> str:
        return f"{q.iso_local(q.local_time(column, zone), zone)} AS {column}"

    times = ", ".join(when(c) for c in ("last_event_at", *(f"first_{s.id}" for s in model.stages)))
    return r.write(
        f"""SELECT customer_id, CASE current WHEN -1 THEN NULL {names} END AS current_stage,
            {times}
        FROM (
            SELECT customer_id,
                coalesce({current} FILTER (WHERE stage IS NOT NULL), -1) AS current,
                max(ts) AS last_event_at, {firsts}
            FROM st_rows GROUP BY customer_id
        ) c ORDER BY customer_id""",
        target,
        q,
    )


def customer_stages(
    ws: Runner | Workspace, spec: StageSpec, scope: Scope, customer_id: int, lang: str = "en"
) -> dict[str, Any]:
    """One customer's stage timeline: when each stage was first and last seen."""
    return customer_stages_on(as_runner(ws), spec, scope, customer_id, lang)


def customer_stages_on(
    r: Runner, spec: StageSpec, scope: Scope, customer_id: int, lang: str = "en"
) -> dict[str, Any]:
    """:func:`customer_stages` on either engine."""
    model, rules = rules_for(spec.model, spec.rules, list(spec.models))
    q = r.sql()
    sql = staged_sql(r, model, rules, scope, q)
    key = q.row("ts", "seq")  # ties in time: the source's order (entry, and the last event)
    rows = r.rows(
        f"""SELECT stage, min(ts), max(ts), count(*), {q.value_at_max("seq", key)} FROM ({sql}) s
        WHERE customer_id = {q.bind(customer_id)} AND stage IS NOT NULL
        GROUP BY stage ORDER BY min({key})""",
        q,
    )
    last = max(rows, key=lambda r: (r[2], r[4]))[0] if rows else None
    return {
        "customer_id": customer_id,
        "model": model.id,
        "current_stage": None if last is None else model.stages[last].id,
        "timeline": [
            {
                "stage": model.stages[i].id,
                "name": localize(model.stages[i].name, lang),
                "first_at": local_iso(a, r.zone),
                "last_at": local_iso(b, r.zone),
                "events": int(n),
            }
            for i, a, b, n, _ in rows
        ],
    }
