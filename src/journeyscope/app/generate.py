"""Generate a current-state map from a workspace, for every face (CLI, REST, web).

The evidence is gathered here, where the analytics may be imported: the ``stages`` and
``touchpoints`` operations (the numbers ``journeyscope stages``/``touchpoints`` print), the
events of each stage, and each feedback answer placed on the stage of the customer's last
non-feedback event at or before it (``feedback/`` may not import ``analytics/``, so the
join lives here). :func:`journeyscope.living.generate.generate_map` draws the map.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from journeyscope.app.operations import stages, touchpoints
from journeyscope.app.queries import StagesQuery, TouchpointsQuery
from journeyscope.engine.dialect import Sql
from journeyscope.errors import InputError, Location, NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.living.generate import (
    FEEDBACK_EVENTS,
    Evidence,
    FeedbackItem,
    GenerateOptions,
    generate_map,
)
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.personas import Persona

__all__ = [
    "GENERATED_TYPES",
    "gather_evidence",
    "generate",
    "generate_current_state",
    "generate_day_in_life",
    "map_type",
]


def _unknown(kind_en: str, kind_vi: str, value: str, known: Iterable[str], code: str) -> NotFound:
    """ "No such …" with the closest name suggested and the others listed."""
    names = sorted(known)
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.5)
    guess_en = f"did you mean {close[0]!r}? " if close else ""
    guess_vi = f"có phải {close[0]!r}? " if close else ""
    return NotFound(
        f"unknown {kind_en} {value!r}",
        f"không có {kind_vi} {value!r}",
        hint_en=f"{guess_en}choose one of: {', '.join(names)}",
        hint_vi=f"{guess_vi}hãy chọn một trong: {', '.join(names)}",
        code=code,
    )


def no_data_error(where: str | None) -> InputError:
    """A period (or filter) with no customer events: refused, never drawn as an empty map."""
    return InputError(
        "no customer events in this period" + (f" matching {where!r}" if where else ""),
        "không có sự kiện khách hàng nào trong khoảng thời gian này"
        + (f" khớp {where!r}" if where else ""),
        hint_en="widen --from/--to (or the filter); `journeyscope stats -w DIR` shows the "
        "dates the data covers",
        hint_vi="nới rộng --from/--to (hoặc bộ lọc); `journeyscope stats -w DIR` cho biết "
        "dữ liệu trải từ ngày nào đến ngày nào",
        code="no_data",
    )


def _one_of(persona: str | None, where: str | None) -> None:
    if persona is not None and where is not None:
        raise InputError(
            "give --persona or --where, not both",
            "chỉ dùng --persona hoặc --where, không dùng cả hai",
            hint_en="a persona names the customers it stands for; --where filters them",
            hint_vi="chân dung đã xác định nhóm khách; --where dùng để lọc khách",
            code="invalid_option",
        )


def _persona(ws: Workspace, persona_id: str | None, folders: Iterable[Path]) -> Persona | None:
    if persona_id is None:
        return None
    from journeyscope.maps.library import persona_library

    library = persona_library([ws.root / "personas", *folders])
    if persona_id not in library:
        raise _unknown("persona", "chân dung", persona_id, library, "unknown_persona")
    return library[persona_id]


def _model(model_id: str, rules: Path | None) -> Any:
    """The stage model, checked against its rules (``rules`` or the built-in ones)."""
    from journeyscope.analytics.stages import rules_for
    from journeyscope.maps.stage_models import stage_models

    models = stage_models()
    if model_id not in models:
        raise _unknown("stage model", "mô hình giai đoạn", model_id, models, "unknown_stage_model")
    model, _ = rules_for(model_id, rules)  # refuses a model without rules, naming --rules
    return model


def _staged(
    ws: Workspace,
    model: Any,
    since: str | None,
    until: str | None,
    where: str | None,
    rules_file: Path | None,
) -> tuple[str, Sql]:
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import rules_for, staged_events_sql

    _, rules = rules_for(model.id, rules_file)
    q = Sql()
    return staged_events_sql(ws, model, rules, Scope.parse(ws, since, until, where), q), q


Period = tuple[str | None, str | None, str | None, Path | None]  # since, until, where, rules


def _actions(ws: Workspace, model: Any, period: Period) -> list[tuple[str, str, int]]:
    """Per stage, its events and how many customers did each (feedback aside)."""
    staged, q = _staged(ws, model, *period)
    ids = [s.id for s in model.stages]
    names = ", ".join(q.bind(e) for e in FEEDBACK_EVENTS)
    rows = ws.con.execute(
        f"""SELECT stage, event, count(DISTINCT customer_id) FROM ({staged}) s
        WHERE stage IS NOT NULL AND event NOT IN ({names}) GROUP BY 1, 2""",
        q.params,
    ).fetchall()
    return [(ids[int(stage)], str(event), int(n)) for stage, event, n in rows]


def _feedback(ws: Workspace, model: Any, period: Period) -> list[FeedbackItem]:
    """Each feedback answer of the period, on the stage of the customer's last
    non-feedback staged event at or before it (an as-of join)."""
    staged, q = _staged(ws, model, *period)
    ids = [s.id for s in model.stages]
    names = ", ".join(q.bind(e) for e in FEEDBACK_EVENTS)
    rows = ws.con.execute(
        f"""WITH s AS ({staged}),
        fb AS (SELECT s.customer_id, s.ts, s.seq, f.kind, f.text, f.sentiment,
                      f.sentiment_score, f.stars, f.nps, f.csat, f.ces, f.aspects
               FROM s JOIN feedback f ON f.seq = s.seq),
        st AS (SELECT customer_id, ts, seq, stage,
                      coalesce(touchpoint, channel || ':' || event) AS tp
               FROM s WHERE stage IS NOT NULL AND event NOT IN ({names}))
        SELECT st.stage, st.tp, fb.kind, fb.text, fb.sentiment, fb.sentiment_score,
               fb.stars, fb.nps, fb.csat, fb.ces, fb.aspects
        FROM fb ASOF LEFT JOIN st ON fb.customer_id = st.customer_id
            AND (fb.ts, fb.seq) >= (st.ts, st.seq)""",  # ties in time: the source's order
        q.params,
    ).fetchall()
    return [
        FeedbackItem.of_row(None if r[0] is None else ids[int(r[0])], r[1], r[2:]) for r in rows
    ]


def _first_event(ws: Workspace, model: Any, period: Period) -> str | None:
    staged, q = _staged(ws, model, *period)
    row = ws.con.execute(f"SELECT min(ts) FROM ({staged}) s", q.params).fetchone()
    return None if row is None or row[0] is None else str(row[0])[:10]


def _stage_of(model: Any, event: str, rules_file: Path | None) -> str | None:
    """The stage a first ``event`` belongs to by the rules (the first rule that names it
    and is not about repeats)."""
    from journeyscope.analytics.stages import rules_for

    _, rules = rules_for(model.id, rules_file)
    return next((r.stage for r in rules.rules if event in r.events and not r.repeat), None)


def gather_evidence(
    ws: Workspace,
    model_id: str = "retail5",
    since: str | None = None,
    until: str | None = None,
    where: str | None = None,
    rules: Path | None = None,
) -> Evidence:
    """The reports, actions and placed feedback a generated map is drawn from; a period
    (or filter) with no customer events is refused, never drawn as an empty map."""
    from journeyscope.analytics.events_arrays import shared_reads

    model = _model(model_id, rules)
    period = (since, until, where, rules)
    with shared_reads():  # on DuckDB one scan serves every part (events_arrays)
        stage_report = stages(
            ws, StagesQuery(since=since, until=until, where=where, model=model_id, rules=rules)
        )
        if not stage_report.events:
            raise no_data_error(where)
        tp_report = touchpoints(
            ws, TouchpointsQuery(since=since, until=until, where=where, model=model_id, rules=rules)
        )
        actions, feedback, starts = _from_events(ws, model, period)
    return Evidence(
        model=model,
        stages=stage_report.model_dump(mode="json"),
        touchpoints=tp_report.model_dump(mode="json"),
        actions=actions,
        feedback=feedback,
        conversion_stage=_stage_of(model, tp_report.conversion, rules),
        data_starts=starts,
    )


def _from_events(
    ws: Workspace, model: Any, period: Period
) -> tuple[list[tuple[str, str, int]], list[FeedbackItem], str | None]:
    """Actions, placed feedback and the first day: from the events the reports read
    (the same scan, shared), or in SQL where the arrays cannot serve the scope."""
    from journeyscope.analytics import events_arrays
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import rules_for
    from journeyscope.app import generate_arrays
    from journeyscope.engine.runner import Runner

    since, until, where, rules_file = period
    try:
        ev = events_arrays.read_events(
            Runner(ws), Scope.parse(ws, since, until, where), rules_for(model.id, rules_file)
        )
    except events_arrays.NotServed:
        return (
            _actions(ws, model, period),
            _feedback(ws, model, period),
            _first_event(ws, model, period),
        )
    return (
        generate_arrays.actions(ev, model),
        generate_arrays.feedback(ws, ev, model),
        generate_arrays.first_day(ev),
    )


def generate_current_state(
    ws: Workspace,
    *,
    model: str = "retail5",
    persona: str | None = None,
    where: str | None = None,
    since: str | None = None,
    until: str | None = None,
    lang: str = "vi",
    map_id: str = "current-state",
    persona_folders: Iterable[Path] = (),
    rules: Path | None = None,
) -> JourneyMap:
    """``journeyscope map generate``: the current-state map of the workspace's journeys."""
    _one_of(persona, where)
    chosen = _persona(ws, persona, persona_folders)
    evidence = gather_evidence(ws, model, since, until, where, rules)
    options = GenerateOptions(map_id, lang, chosen, where, since, until)
    return generate_map(evidence, options)


#: the map types ``map generate`` draws (``--type``), and the other spellings it accepts
GENERATED_TYPES = ("current_state", "day_in_the_life")
TYPE_ALIASES = {"day_in_life": "day_in_the_life", "day-in-the-life": "day_in_the_life"}


def map_type(value: str) -> str:
    """The map type ``--type`` names (``day_in_life`` is ``day_in_the_life``), or a clear
    refusal listing the types that can be generated."""
    chosen = TYPE_ALIASES.get(value, value)
    if chosen not in GENERATED_TYPES:
        close = difflib.get_close_matches(value, GENERATED_TYPES, n=1, cutoff=0.5)
        names = ", ".join(GENERATED_TYPES)
        raise InputError(
            f"cannot generate a map of type {value!r}",
            f"không tạo được bản đồ loại {value!r}",
            location=Location(field="--type"),
            hint_en=(f"did you mean {close[0]!r}? " if close else "") + f"choose one of: {names}",
            hint_vi=(f"có phải {close[0]!r}? " if close else "") + f"hãy chọn một trong: {names}",
            code="unknown_map_type",
        )
    return chosen


def _segment(ws: Workspace, persona: Persona | None) -> Any:
    """The ``segment`` filter clause of a persona bound to customers (``segment_rule`` or
    ``segment_name``), or None: a persona without one stands for all customers."""
    if persona is None or (persona.segment_rule is None and persona.segment_name is None):
        return None
    from journeyscope.analytics.segments import segment_clause

    return segment_clause(ws, rule=persona.segment_rule, name=persona.segment_name)


def generate_day_in_life(
    ws: Workspace,
    *,
    persona: str | None = None,
    where: str | None = None,
    since: str | None = None,
    until: str | None = None,
    lang: str = "vi",
    map_id: str = "day-in-the-life",
    persona_folders: Iterable[Path] = (),
) -> JourneyMap:
    """``journeyscope map generate --type day_in_the_life``: when (hour of the workspace's
    clock, weekday or weekend), on what and how customers interact (docs/maps.md)."""
    from journeyscope.engine.runner import require_resolved
    from journeyscope.living.day_in_life import DayOptions, day_map, gather_day

    _one_of(persona, where)
    chosen = _persona(ws, persona, persona_folders)
    require_resolved(ws)
    day = gather_day(ws, since, until, where, _segment(ws, chosen))
    if day is None:
        raise no_data_error(where)
    return day_map(day, DayOptions(map_id, lang, chosen, where, since, until))


def generate(
    ws: Workspace,
    *,
    type_name: str = "current_state",
    model: str = "retail5",
    persona: str | None = None,
    where: str | None = None,
    since: str | None = None,
    until: str | None = None,
    lang: str = "vi",
    map_id: str | None = None,
    persona_folders: Iterable[Path] = (),
    rules: Path | None = None,
) -> JourneyMap:
    """``journeyscope map generate --type TYPE``, for every face (CLI, REST)."""
    chosen = map_type(type_name)
    if chosen == "day_in_the_life":
        return generate_day_in_life(
            ws,
            persona=persona,
            where=where,
            since=since,
            until=until,
            lang=lang,
            map_id=map_id or "day-in-the-life",
            persona_folders=persona_folders,
        )
    return generate_current_state(
        ws,
        model=model,
        persona=persona,
        where=where,
        since=since,
        until=until,
        lang=lang,
        map_id=map_id or "current-state",
        persona_folders=persona_folders,
        rules=rules,
    )
