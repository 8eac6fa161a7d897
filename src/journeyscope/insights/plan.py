"""What one ``insights`` scan looks at, read from the workspace's config and its data: the
key funnels' steps, the stage model's stages, the events, the slice fields and their
values — each turned into a small integer code the pass counts by."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from journeyscope.analytics.scope import (
    COLUMNS,
    Scope,
    Step,
    field_sql,
    parse_duration,
    parse_step,
    parse_steps,
)
from journeyscope.analytics.vocabulary import Vocabulary, unknown
from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Runner
from journeyscope.events.query import event_name
from journeyscope.events.workspace import InsightsConfig
from journeyscope.insights.calendar import expected_days
from journeyscope.insights.scan import Plan

__all__ = ["DEFAULT_FUNNEL", "Pair", "Scan", "build"]

#: The shop funnel scanned when workspace.yaml names none (the steps the data has)
DEFAULT_FUNNEL = ("product_view", "add_to_cart", "checkout", "purchase")
#: Events counted one by one (the most common by customers); the rest are not scanned
MAX_EVENTS = 200
#: Values of one slice field scanned (the most common by customers)
MAX_VALUES = 40
US = 1_000_000


@dataclass(frozen=True)
class Pair:
    """A step and the step after it, as the funnel report would be asked for them."""

    funnel: str  # "funnel 1" or "stage model retail5"
    a: str  # as --steps writes it
    b: str
    window: str


@dataclass
class Scan:
    """A plan and the names behind its codes."""

    plan: Plan
    sql: str
    q: Sql
    in_order: bool
    first_day: date
    days: int
    events: list[str]
    slices: list[str]  # field names; the whole is slice 0 and not listed
    values: list[list[str]]
    pairs: list[Pair]
    loops: list[Pair]  # a: the step, b: the step before it (where customers went back)
    zone: str
    data_end: datetime  # UTC, naive: the last event scanned
    conversion: str
    config: InsightsConfig
    calendar: dict[date, tuple[str, str]]  # the days expected to differ, with their names
    seasonal: np.ndarray  # per day: on the calendar
    skipped: list[str] = field(default_factory=list)  # configured slices the data lacks


def _event_counts(r: Runner, scope: Scope) -> tuple[list[tuple[str, int]], datetime, datetime]:
    q = r.sql()
    base = r.source(scope, q, "e.event, e.ts")
    rows = r.rows(
        # events, not distinct customers: only an order to pick the names scanned (a
        # distinct count per name is a second pass at ten million events)
        f"SELECT event, count(*), min(ts), max(ts) FROM ({base}) b "
        "WHERE event IS NOT NULL GROUP BY event ORDER BY 2 DESC, 1",
        q,
    )
    if not rows:
        return [], datetime.min, datetime.min
    first = min(row[2] for row in rows)
    last = max(row[3] for row in rows)
    return [(str(row[0]), int(row[1])) for row in rows], first, last


def _slice_values(r: Runner, scope: Scope, name: str, least: int) -> list[str]:
    q = r.sql()
    base = r.source(scope, q, f"{field_sql(name, q, 'e')} AS v")
    rows = r.rows(
        f"SELECT CAST(v AS {q.text}) AS v, count(*) AS n FROM ({base}) b "
        f"WHERE v IS NOT NULL GROUP BY 1 HAVING count(*) >= {int(least)} "
        f"ORDER BY 2 DESC, 1 LIMIT {MAX_VALUES}",
        q,
    )
    # a value with both quotes cannot be written back into a filter: it is not a slice
    return [str(row[0]) for row in rows if not ("'" in str(row[0]) and '"' in str(row[0]))]


def _slices(
    r: Runner, vocab: Vocabulary, scope: Scope, wanted: list[str], explicit: bool, least: int
) -> tuple[list[str], list[list[str]], list[str]]:
    names: list[str] = []
    values: list[list[str]] = []
    skipped: list[str] = []
    for name in dict.fromkeys(wanted):
        if name == "segment":  # one slice per saved segment (a customer may be in several)
            for segment in _segments(r, least):
                names.append("segment")
                values.append([segment])
            continue
        key = name.removeprefix("properties.")
        if name not in COLUMNS and not (
            vocab.has_property(key) if explicit else _in_sample(r, scope, key)
        ):
            if explicit:
                known = sorted(COLUMNS) + sorted(vocab.property_keys())
                raise unknown("field", name, known, "--by")
            skipped.append(name)
            continue
        found = _slice_values(r, scope, name, least)
        if len(found) > 1:  # one value is the whole again
            names.append(name)
            values.append(found)
    return names, values, skipped


#: Events read to see whether a default slice field exists at all
SAMPLE = 200_000


def _in_sample(r: Runner, scope: Scope, key: str) -> bool:
    """Whether a property a default slice names is on any of the first events: a field
    most events lack is no breakdown, and looking through ten million events for one
    that is absent takes a full scan of the event rows."""
    from journeyscope.analytics.scope import json_key

    q = r.sql()
    q.event_row = True
    value = q.json_text("e.properties", "$." + json_key(key))
    base = r.source(scope, q, f"{value} AS v")
    found = r.rows(
        f"SELECT 1 FROM (SELECT v FROM ({base}) b LIMIT {SAMPLE}) s WHERE v IS NOT NULL LIMIT 1",
        q,
    )
    return bool(found)


#: Saved segments broken down by (the largest first)
MAX_SEGMENTS = 10


def _segments(r: Runner, least: int) -> list[str]:
    """The workspace's saved segments with at least ``least`` customers, largest first."""
    from journeyscope.analytics.segments import every_segment

    sizes = {name: len(ids) for name, ids in every_segment(r.ws).items()}
    kept = sorted((n for n, size in sizes.items() if size >= least), key=lambda n: -sizes[n])
    return kept[:MAX_SEGMENTS]


def slice_sql(r: Runner, name: str, value: str, q: Sql) -> str:
    """Whether an event (alias ``e``) is in the slice ``name = value``, as SQL."""
    if name == "segment":
        from journeyscope.analytics.scope import parse_filter
        from journeyscope.analytics.segments import bind_segments

        return bind_segments(r.ws, parse_filter(f"segment = '{value}'")).sql(q, "e")
    expr = f"CAST({field_sql(name, q, 'e')} AS {q.text})"
    return f"{expr} = {q.bind(value)}"


def _funnels(config: InsightsConfig, events: set[str], vocab: Vocabulary) -> list[list[str]]:
    if config.funnels:
        out = []
        for i, text in enumerate(config.funnels):
            steps = parse_steps(text, f"insights.funnels.{i}")
            vocab.check_steps(steps, f"insights.funnels.{i}")
            out.append([s.strip() for s in _split(text)])
        return out
    present = [name for name in DEFAULT_FUNNEL if name in events]
    return [present] if len(present) >= 2 else []


def _split(text: str) -> list[str]:
    from journeyscope.analytics.scope import split_top

    return split_top(text)


def _stage_steps(config: InsightsConfig, events: set[str]) -> list[tuple[str, str]]:
    """(stage id, step text) in the model's order, for stages whose events the data has."""
    if not config.stage_model:
        return []
    from journeyscope.analytics.stages import rules_for

    model, rules = rules_for(config.stage_model)
    out = []
    for stage in model.stages:
        names = sorted(
            {
                event_name(e)
                for rule in rules.rules
                if rule.stage == stage.id and not rule.repeat
                for e in rule.events
                if event_name(e) in events
            }
        )
        if names:
            out.append((stage.id, f"*[event in ({', '.join(names)})]"))
    return out


def _day_bounds(first: datetime, last: datetime, zone: str) -> tuple[date, np.ndarray]:
    """µs (UTC) at which each local day from ``first``'s to ``last``'s starts, and the day
    after; DST-safe (each midnight is converted on its own)."""
    tz = ZoneInfo(zone)
    utc = ZoneInfo("UTC")
    day = first.replace(tzinfo=utc).astimezone(tz).date()
    end = last.replace(tzinfo=utc).astimezone(tz).date()
    starts = []
    d = day
    while d <= end + timedelta(days=1):
        local = datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(utc).replace(tzinfo=None)
        starts.append(int((local - datetime(1970, 1, 1)).total_seconds() * US))
        d += timedelta(days=1)
    return day, np.asarray(starts, np.int64)


def build(  # noqa: PLR0915 (one plan, read top to bottom)
    r: Runner,
    scope: Scope,
    config: InsightsConfig,
    slices: list[str] | None = None,
    passive_events: frozenset[str] = frozenset(),
) -> Scan | None:
    """The scan of ``scope``'s events; ``None`` when it has none."""
    counted, first, last = _event_counts(r, scope)
    if not counted:
        return None
    vocab = Vocabulary(r)
    events = [name for name, _ in counted[:MAX_EVENTS]]
    present = {name for name, _ in counted}
    least = max(5, SENSITIVITY_LEAST[config.sensitivity])
    names, values, skipped = _slices(
        r, vocab, scope, slices if slices is not None else config.slices, slices is not None, least
    )
    window = parse_duration(config.window, "insights.window")
    stage_window = parse_duration(config.stage_window, "insights.stage_window")
    funnels = _funnels(config, present, vocab)
    stage_steps = _stage_steps(config, present)
    step_texts: dict[str, int] = {}
    for text in [s for f in funnels for s in f] + [t for _, t in stage_steps]:
        step_texts.setdefault(text, len(step_texts))
    if len(step_texts) > 62:
        step_texts = dict(list(step_texts.items())[:62])
    pairs: list[Pair] = []
    plan_pairs: list[tuple[int, int, int]] = []
    loops: list[Pair] = []
    plan_loops: list[tuple[int, int, int, int]] = []
    w_us = int(window.total_seconds() * US)
    for i, steps in enumerate(funnels):
        label = f"funnel {i + 1}"
        for a, b in itertools.pairwise(steps):
            if a in step_texts and b in step_texts:
                pairs.append(Pair(label, a, b, config.window))
                plan_pairs.append((step_texts[a], step_texts[b], w_us))
        for k in range(1, len(steps) - 1):
            here, before, after = steps[k], steps[k - 1], steps[k + 1]
            if all(s in step_texts for s in (here, before, after)):
                loops.append(Pair(label, here, before, config.window))
                plan_loops.append((step_texts[before], step_texts[here], step_texts[after], w_us))
    s_us = int(stage_window.total_seconds() * US)
    for (_, a), (_, b) in itertools.pairwise(stage_steps):
        pairs.append(Pair(f"stage model {config.stage_model}", a, b, config.stage_window))
        plan_pairs.append((step_texts[a], step_texts[b], s_us))
    q = r.sql()
    from journeyscope.analytics.funnels import _mask_sql

    steps_parsed: list[Step] = [parse_step(t) for t in step_texts]
    mask = _mask_sql(steps_parsed, q) if steps_parsed else "0"
    ev = (
        "CASE e.event "
        + " ".join(f"WHEN {q.bind(name)} THEN {i}" for i, name in enumerate(events))
        + " ELSE -1 END"
    )
    dims = []
    for i, (name, vals) in enumerate(zip(names, values, strict=True)):
        if name == "segment":
            dims.append(f"CASE WHEN {slice_sql(r, name, vals[0], q)} THEN 0 ELSE -1 END AS d{i}")
            continue
        expr = f"CAST({field_sql(name, q, 'e')} AS {q.text})"
        whens = " ".join(f"WHEN {q.bind(v)} THEN {j}" for j, v in enumerate(vals))
        dims.append(f"CASE {expr} {whens} ELSE -1 END AS d{i}")
    base = r.source(scope, q, ", ".join([f"e.seq, e.ts, {ev} AS ev, ({mask}) AS m", *dims]))
    codes = "".join(f", CAST(d{i} AS BIGINT) AS d{i}" for i in range(len(dims)))
    text = (
        f"SELECT customer_id, seq, {q.micros('ts')} AS us, CAST(ev AS BIGINT) AS ev, "
        f"CAST(m AS BIGINT) AS m{codes} FROM ({base}) b"
    )
    first_day, bounds = _day_bounds(first, last, r.zone)
    days = len(bounds) - 1
    extra = {_calendar_day(d): name for d, name in config.calendar.items()}
    calendar = expected_days(first_day, first_day + timedelta(days=days - 1), extra)
    seasonal = np.array([first_day + timedelta(days=i) in calendar for i in range(days)], bool)
    sale_days = _sale_days(calendar, first_day, days, scope)
    conversion = event_name(config.conversion)
    plan = Plan(
        bounds=bounds,
        slices=len(dims),
        pairs=tuple(plan_pairs),
        loops=tuple(plan_loops),
        conversion=events.index(conversion) if conversion in events else -1,
        convert_within=int(
            parse_duration(config.convert_within, "insights.convert_within").total_seconds() * US
        ),
        repeat_within=int(
            parse_duration(config.repeat_within, "insights.repeat_within").total_seconds() * US
        ),
        sale_days=sale_days,
        passive=tuple(i for i, name in enumerate(events) if name in passive_events),
    )
    return Scan(
        plan=plan,
        sql=text,
        q=q,
        in_order=not q.event_row,
        first_day=first_day,
        days=len(bounds) - 1,
        events=events,
        slices=names,
        values=values,
        pairs=pairs,
        loops=loops,
        zone=r.zone,
        data_end=last,
        conversion=conversion,
        config=config,
        calendar=calendar,
        seasonal=seasonal,
        skipped=skipped,
    )


#: With --from, customers seen in the scan's first days were mostly there before it
FIRST_SEEN_GUARD = 7


def _sale_days(
    calendar: dict[date, tuple[str, str]], first_day: date, days: int, scope: Scope
) -> tuple[int, ...]:
    """The sale days (not holidays or Tết) whose first-seen customers are the sale's own.
    A scan cut by ``--from`` sees everyone as new at its start, so sale days in its first
    week are left alone there."""
    guard = FIRST_SEEN_GUARD if scope.since is not None else 0
    out = []
    for i in range(guard, days):
        name = calendar.get(first_day + timedelta(days=i), ("", ""))[0]
        if name.endswith("sale") or name in ("Black Friday", "Cyber Monday"):
            out.append(i)
    return tuple(out)


def _calendar_day(text: str) -> date:
    from journeyscope.errors import InputError, Location

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"insights.calendar: {text!r} is not a date",
            f"insights.calendar: {text!r} không phải ngày",
            location=Location(file="workspace.yaml", field=f"insights.calendar.{text}"),
            hint_en="write days as YYYY-MM-DD: name, e.g. 2026-07-15: Anniversary sale",
            hint_vi="viết ngày dạng YYYY-MM-DD: tên, ví dụ 2026-07-15: Sale sinh nhật",
            code="invalid_config",
        ) from None


#: The fewest customers a slice value needs before it is scanned, per sensitivity
SENSITIVITY_LEAST = {"low": 20, "medium": 10, "high": 5}
