"""One function per report: the operation the CLI, the HTTP API and notebooks all call.

Each takes an open workspace and a typed query, picks the engine (through
:func:`journeyscope.engine.select.open_runner`), runs the analysis and returns a typed
report. No face computes a number itself; :func:`run` is the single dispatch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from journeyscope.app.queries import (
    AttributionQuery,
    CustomerQuery,
    CustomerStagesQuery,
    DroppedQuery,
    ExplainQuery,
    FunnelQuery,
    InsightsQuery,
    PathsQuery,
    Query,
    ReportQuery,
    ResolveQuery,
    RetentionQuery,
    StagesQuery,
    StatsQuery,
    TouchpointsQuery,
)
from journeyscope.app.reports import (
    AttributionReport,
    CustomerReport,
    CustomerStagesReport,
    DroppedReport,
    ExplainReport,
    FunnelReport,
    InsightsReport,
    OverTimeReport,
    PathsReport,
    Report,
    ResolveReport,
    RetentionReport,
    StagesReport,
    StatsReport,
    TouchpointsReport,
)
from journeyscope.engine.runner import Runner
from journeyscope.engine.select import chosen_engine, open_runner, stale_events
from journeyscope.errors import InputError, Location, unknown_option
from journeyscope.events.workspace import Workspace

__all__ = [
    "OPERATIONS",
    "OVER_TIME",
    "attribution",
    "attribution_over_time",
    "customer",
    "customer_stages",
    "dropped",
    "explain",
    "funnel",
    "funnel_over_time",
    "insights",
    "open_workspace",
    "paths",
    "paths_over_time",
    "resolve",
    "retention",
    "retention_over_time",
    "run",
    "stages",
    "stages_over_time",
    "stats",
    "touchpoints",
    "touchpoints_over_time",
]

R = TypeVar("R", bound=Report)


@contextmanager
def open_workspace(
    where: Workspace | Path | str | None, *, read_only: bool = True
) -> Iterator[Workspace]:
    """An open workspace: the one given, or the folder opened (and closed) here."""
    if isinstance(where, Workspace):
        yield where
        return
    ws = Workspace.open(Path(where) if where is not None else None, read_only=read_only)
    try:
        yield ws
    finally:
        ws.close()


def _runner(
    ws: Workspace, q: ReportQuery, *, events: tuple[tuple[str | None, str], ...] = ()
) -> Runner:
    """The query's runner, after checking that every name the query uses exists (an
    unknown step, field or value is an error with a suggestion, never a silent 0)."""
    from journeyscope.analytics.scope import parse_filter
    from journeyscope.analytics.vocabulary import Vocabulary

    r = open_runner(ws, q.engine, q.spark_master, q.dataset)
    names = Vocabulary(r)
    names.check_filter(parse_filter(q.where), "--where")
    for event, option in events:
        names.check_event(event, option)
    by = getattr(q, "by", None)
    if by:
        names.check_field(by, "--by")
    return _journeys(r, names, ws, q)


def _journeys(r: Runner, names: Any, ws: Workspace, q: ReportQuery) -> Runner:
    """``r``, or ``r`` following sessions for ``per="session"`` (analytics/sessions.py):
    the one place a report's journey unit is chosen."""
    from journeyscope.analytics.sessions import check_per, per_session, session_rule

    per = check_per(getattr(q, "per", "customer"))
    gap, column = getattr(q, "session_gap", None), getattr(q, "session_column", None)
    if per == "customer":
        # paths reads --session-gap for its sessions part; elsewhere it needs --per session
        given = {"--session-column": column, "--session-gap": None if q.kind == "paths" else gap}
        for option, value in given.items():
            if value is not None:
                raise InputError(
                    f"{option} says what a session is: it needs --per session",
                    f"{option} quy định thế nào là một phiên: cần thêm --per session",
                    location=Location(field=option),
                    hint_en="add --per session, or leave out " + option,
                    hint_vi="thêm --per session, hoặc bỏ " + option,
                    code="conflicting_options",
                )
        return r
    rule = session_rule(gap, column, ws.config.sessions)
    if rule.column is not None:
        names.check_field(rule.column, rule.origin)
    return per_session(r, rule)


def _plain(r: Runner) -> Runner:
    """The engine's runner under a session one: names are checked against events."""
    from journeyscope.analytics.sessions import SessionRunner

    return r.inner if isinstance(r, SessionRunner) else r


def at_least(value: int, low: int, option: str) -> None:
    """Refuse a count below ``low`` (``--top -1`` would silently empty a table, and a
    negative SQL LIMIT is a database error, not an answer)."""
    if value < low:
        raise InputError(
            f"{option} {value}: must be at least {low}",
            f"{option} {value}: phải từ {low} trở lên",
            location=Location(field=option),
            hint_en=f"e.g. {option} {max(low, 10)}",
            hint_vi=f"ví dụ {option} {max(low, 10)}",
            code="invalid_option",
        )


def _share(value: float, option: str) -> None:
    """A share between 0 and 1 (``nan`` passes every comparison, so it is named here)."""
    if not 0 <= value <= 1:
        raise InputError(
            f"{option} {value}: must be a share between 0 and 1",
            f"{option} {value}: phải là tỷ lệ từ 0 đến 1",
            location=Location(field=option),
            hint_en=f"e.g. {option} 0.95",
            hint_vi=f"ví dụ {option} 0.95",
            code="invalid_option",
        )


def _check_rules(r: Runner, rules: Path | None) -> None:
    """A custom stage-rules file names only what the events have."""
    if rules is None:
        return
    from journeyscope.analytics.stages import load_rules
    from journeyscope.analytics.vocabulary import Vocabulary

    Vocabulary(_plain(r)).check_stage_rules(load_rules(rules), str(rules))


def _check_steps(r: Runner, steps: list[Any], exclude: list[Any]) -> None:
    from journeyscope.analytics.vocabulary import Vocabulary

    names = Vocabulary(_plain(r))
    names.check_steps(steps, "--steps")
    names.check_steps(exclude, "--exclude")


def _interval(q: ReportQuery, **others: Any) -> str | None:
    """The checked ``--interval`` (None without one); ``others`` are options that have no
    meaning per period (``--by``, ``-o``), refused beside it rather than ignored."""
    if q.interval is None:
        return None
    from journeyscope.analytics.intervals import check_interval

    interval = check_interval(q.interval)
    for option, value in others.items():
        if value:
            raise InputError(
                f"{option} cannot be combined with --interval",
                f"{option} không dùng cùng --interval được",
                location=Location(field=option),
                hint_en=f"leave out {option}, or leave out --interval",
                hint_vi=f"bỏ {option}, hoặc bỏ --interval",
                code="conflicting_options",
            )
    return interval


def _whole(q: ReportQuery) -> None:
    """The whole-period operations answer without ``--interval``; :func:`run` sends a query
    with one to the ``*_over_time`` operation (a direct call with one is refused, never
    answered for the whole period as if the interval had been read)."""
    if q.interval is not None:
        raise InputError(
            "--interval: this operation answers for the whole period; use journeyscope.app.run",
            "--interval: thao tác này trả lời cho cả khoảng; hãy dùng journeyscope.app.run",
            location=Location(field="--interval"),
            hint_en="run(query) picks the report over time",
            hint_vi="run(query) sẽ chọn báo cáo theo thời gian",
            code="conflicting_options",
        )


def _over_time(data: dict[str, Any], scope: Any, r: Runner, ws: Workspace) -> OverTimeReport:
    return _finish(OverTimeReport.model_validate({**data, "scope": scope.describe()}), r, ws)


def _finish(report: R, r: Runner, ws: Workspace) -> R:
    """Mark which engine answered (Spark only, as the ``--json`` shape always had it) and
    note events that arrived after the last resolve (they are not counted)."""
    rule = getattr(r, "rule", None)  # a SessionRunner's: the journeys were sessions
    if rule is not None:
        report.per = "session"  # type: ignore[attr-defined]  # (reports allow extras)
        report.session = rule.describe()  # type: ignore[attr-defined]
    if r.name != "duckdb":
        report.engine = r.name
    elif n := stale_events(ws):
        report.note("stale_identity", n=n)
    return report


def warm_compiled() -> None:
    """In a process that stays up (the server): load the compiled funnel walk and the
    retention, paths and touchpoints passes on a thread now, so reports use them rather
    than the NumPy forms a short CLI process prefers (which saves numba's import and
    cache read). Nothing is compiled here."""
    from journeyscope.analytics.funnels import load_kernel_soon

    load_kernel_soon(then=_load_report_kernels)


def load_compiled() -> None:
    """:func:`warm_compiled` on this thread, back once every kernel is loaded (the
    server's start-up thread, after its scans: it is ready once both are done)."""
    from journeyscope.analytics.funnels import load_kernel_now

    load_kernel_now()
    _load_report_kernels()


def _load_report_kernels() -> None:
    from journeyscope.analytics.paths_arrays import load_paths_kernel
    from journeyscope.analytics.retention_arrays import load_retention_kernel
    from journeyscope.analytics.touchpoints_arrays import load_touchpoints_kernel

    for load in (load_retention_kernel, load_paths_kernel, load_touchpoints_kernel):
        with suppress(Exception):  # a report then keeps to its NumPy form
            load()


def warm_events(ws: Workspace) -> bool:
    """In a process that keeps scans (the server): scan the workspace's events into them
    now, so the next report takes its rows at once. False when nothing was kept: keeping
    off, the workspace on Spark, not yet resolved, or refused (too large, or names the
    arrays cannot code)."""
    from journeyscope.analytics.events_arrays import kept_read
    from journeyscope.analytics.scope import Scope
    from journeyscope.engine.runner import Runner

    if chosen_engine(ws, None) != "duckdb":
        return False
    try:
        return kept_read(Runner(ws), Scope()) is not None
    except InputError:  # not resolved yet: the first report says so
        return False


def kept_reads(root: Path) -> int:
    """How many times this process asked for the workspace's kept events, a hit or a scan
    (0 when it keeps none): the server scans ahead only workspaces that reports read."""
    from journeyscope.analytics import kept_events
    from journeyscope.events.workspace import resolve_workspace

    store = kept_events.kept()
    return 0 if store is None else store.reads_of(str(resolve_workspace(root)))


def keep_scans(mebibytes: int) -> None:
    """In a process that stays up (the server): keep each workspace's events, scanned
    once, for the reports after (until its data changes), within ``mebibytes``; 0 stops
    keeping and lets them go (analytics/kept_events.py)."""
    from journeyscope.analytics.kept_events import keep

    keep(mebibytes)


# -- funnel ------------------------------------------------------------------------------


def _funnel_spec(q: FunnelQuery) -> Any:
    from journeyscope.analytics.funnels import FunnelSpec
    from journeyscope.analytics.scope import parse_duration, parse_steps

    return FunnelSpec(
        parse_steps(q.steps),
        parse_duration(q.window),
        q.mode,
        [s for e in q.exclude for s in parse_steps(e, "--exclude")],
        q.by,
        _step_pair(q.time_between),
    )


def _step_pair(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.split(",")
    # isdecimal on ASCII: "²".isdigit() is true, yet int("²") raises
    if len(parts) != 2 or not all(p.strip().isascii() and p.strip().isdecimal() for p in parts):
        raise InputError(
            f"--time-between {text!r}: write two step numbers, e.g. 2,4",
            f"--time-between {text!r}: hãy viết hai số thứ tự bước, ví dụ 2,4",
            location=Location(field="--time-between"),
            hint_en="steps count from 1: --time-between 1,3 is from the first to the third",
            hint_vi="bước đếm từ 1: --time-between 1,3 là từ bước đầu đến bước thứ ba",
            code="invalid_steps",
        )
    return int(parts[0]), int(parts[1])


def funnel_over_time(ws: Workspace, q: FunnelQuery) -> OverTimeReport:
    """Conversion per step per period of entering step 1 (``--interval``), one walk."""
    from journeyscope.analytics.over_time import funnel_over_time as by_period
    from journeyscope.analytics.scope import Scope

    spec = _funnel_spec(q)
    interval = _interval(q, **{"--by": q.by, "--time-between": q.time_between})
    assert interval is not None
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q)
    _check_steps(r, spec.steps, spec.exclude)
    return _over_time(by_period(r, spec, scope, interval), scope, r, ws)


def funnel(ws: Workspace, q: FunnelQuery) -> FunnelReport:
    """Customers reaching each step within the window (PostHog / ClickHouse semantics)."""
    from journeyscope.analytics.funnels import excluded_steps, funnel_report, walk
    from journeyscope.analytics.scope import Scope

    _whole(q)
    spec = _funnel_spec(q)
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q)
    _check_steps(r, spec.steps, spec.exclude)
    report = FunnelReport.model_validate(funnel_report(spec, scope, walk(r, spec, scope)))
    labels = [step.step for step in report.steps]
    for i, step in enumerate(report.steps):
        if step.customers == 0:  # a name twice in the steps: say which one
            name = step.step if labels.count(step.step) == 1 else f"{i + 1} ({step.step})"
            report.note("step_empty", step=name)
    for both in excluded_steps(spec):
        report.note("exclusion_is_step", step=both)
    return _finish(report, r, ws)


def dropped(ws: Workspace, q: DroppedQuery) -> DroppedReport:
    """Write who reached ``q.step`` and not the next one (with their identifiers)."""
    from journeyscope.analytics.funnels import dropped_at, dropped_step, walk
    from journeyscope.analytics.scope import Scope

    spec = _funnel_spec(q)
    _interval(q, **{"--dropped-at": q.step})
    if q.per != "customer":  # the file lists customers, not sessions
        raise InputError(
            "--dropped-at lists customers: it cannot be combined with --per session",
            "--dropped-at liệt kê khách hàng: không dùng cùng --per session được",
            location=Location(field="--per"),
            hint_en="leave out --per session to export who dropped",
            hint_vi="bỏ --per session để xuất danh sách khách rời bỏ",
            code="conflicting_options",
        )
    dropped_step(spec, q.step)  # a wrong step is said before any walking
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q)
    _check_steps(r, spec.steps, spec.exclude)
    n = dropped_at(r, spec, walk(r, spec, scope), q.step, q.output)
    return _finish(DroppedReport(step=q.step, customers=n, output=str(q.output)), r, ws)


# -- paths, stages, touchpoints, retention -----------------------------------------------


def paths(ws: Workspace, q: PathsQuery) -> PathsReport:
    """Directly-follows graph, top journeys, Sankey, sessions and bounce rate."""
    from journeyscope.analytics.paths import paths_on

    _whole(q)
    spec, scope, r = _paths_setup(ws, q)
    return _finish(PathsReport.model_validate(paths_on(r, spec, scope)), r, ws)


def paths_over_time(ws: Workspace, q: PathsQuery) -> OverTimeReport:
    """The top edges' counts per period (``--interval``): paths over each period."""
    from journeyscope.analytics.over_time import edges_by_period, per_period
    from journeyscope.analytics.paths import paths_on
    from journeyscope.analytics.scope import Scope

    interval = _interval(q)
    assert interval is not None
    spec, scope, r = _paths_setup(ws, q)

    def edges(part: Scope) -> dict[str, dict[str, float | int | None]]:
        found = paths_on(r, spec, part)["edges"]
        return {
            f"{e['from']} → {e['to']}": {"value": e["count"], "count": e["count"]} for e in found
        }

    # every period's edges from one scan where the arrays serve; else the report per period
    grouped = edges_by_period(r, spec, scope, interval)
    data = per_period(r, scope, interval, "paths", "count", grouped or edges, absent=0, limit=q.top)
    return _over_time(data, scope, r, ws)


def _paths_setup(ws: Workspace, q: PathsQuery) -> tuple[Any, Any, Runner]:
    """The checked spec, the scope and the runner of a paths query."""
    from journeyscope.analytics.paths import PathSpec
    from journeyscope.analytics.scope import Scope, parse_duration

    at_least(q.depth, 1, "--depth")
    at_least(q.top, 1, "--top")
    gap = q.session_gap or ws.config.sessions.gap
    spec = PathSpec(
        q.level,
        q.start,
        q.end,
        q.depth,
        q.top,
        parse_duration(gap, "--session-gap"),
        merge_repeats=q.merge_repeats,
    )
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q, events=((q.start, "--from"), (q.end, "--to")))
    return spec, scope, r


def _stage_spec(q: StagesQuery) -> Any:
    from journeyscope.analytics.scope import parse_duration
    from journeyscope.analytics.stages import StageSpec

    return StageSpec(q.model, q.rules, tuple(q.models), parse_duration(q.stall, "--stall"))


def _both(text: Any) -> dict[str, str]:
    from journeyscope.maps.text import localize

    return {"en": localize(text, "en"), "vi": localize(text, "vi")}


def stages_over_time(ws: Workspace, q: StagesQuery) -> OverTimeReport:
    """Reach and conversion to the next stage per period (``--interval``)."""
    from journeyscope.analytics.over_time import per_period
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import rules_for, stages_on

    spec = _stage_spec(q)
    interval = _interval(q, **{"--output": q.output})
    assert interval is not None
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q)
    _check_rules(r, q.rules)

    def reach(part: Scope) -> dict[str, dict[str, float | int | None]]:
        found = stages_on(r, spec, part, "en")["stages"]
        return {  # no conversion of nobody: a stage nobody reached has no share
            s["stage"]: {
                "value": s.get("conversion_to_next") if s["customers"] else None,
                "count": s["customers"],
            }
            for s in found
        }

    stage_model, _ = rules_for(spec.model, spec.rules, list(spec.models))
    order = [s.id for s in stage_model.stages]
    data = per_period(r, scope, interval, "stages", "conversion_to_next", reach, order)
    return _over_time(data, scope, r, ws)


def stages(ws: Workspace, q: StagesQuery) -> StagesReport:
    """Per stage: customers reached, there now, stalled, conversion and time to the next."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import rules_for, stages_on

    _whole(q)
    spec = _stage_spec(q)
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q)
    _check_rules(r, q.rules)
    data = stages_on(r, spec, scope, "en", export_to=q.output)
    model, _ = rules_for(spec.model, spec.rules, list(spec.models))
    data["model_name"] = _both(model.name)
    names = {s.id: s.name for s in model.stages}
    for row in data["stages"]:
        row["name"] = _both(names[row["stage"]])
    return _finish(StagesReport.model_validate(data), r, ws)


def customer_stages(ws: Workspace, q: CustomerStagesQuery) -> CustomerStagesReport:
    """One customer's stage timeline (by id or identifier)."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import customer_stages_on, rules_for

    spec = _stage_spec(q)
    _interval(q, **{"--interval": q.interval})  # one customer's timeline has no periods
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q)
    _check_rules(r, q.rules)
    data = customer_stages_on(r, spec, scope, r.customer_id_of(q.customer), "en")
    model, _ = rules_for(spec.model, spec.rules, list(spec.models))
    names = {s.id: s.name for s in model.stages}
    for item in data["timeline"]:
        item["name"] = _both(names[item["stage"]])
    return _finish(CustomerStagesReport.model_validate(data), r, ws)


def _touchpoints_setup(ws: Workspace, q: TouchpointsQuery) -> tuple[Any, Any, Runner]:
    """The spec, scope and runner of a touchpoints query, every name checked."""
    from journeyscope.analytics.scope import Scope, parse_duration
    from journeyscope.analytics.touchpoints import TouchpointSpec

    spec = TouchpointSpec(
        conversion=q.conversion,
        within=parse_duration(q.within, "--within"),
        repeat_within=parse_duration(q.repeat_within, "--repeat-within"),
        min_customers=q.min_customers,
        stage_model=q.model,
        stage_rules=q.rules,
        contacts=tuple(q.contacts if q.contacts is not None else ws.config.events.contacts),
        passive=tuple(ws.config.events.passive),
    )
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q, events=((q.conversion, "--conversion"),))
    _check_rules(r, q.rules)
    return spec, scope, r


def touchpoints(ws: Workspace, q: TouchpointsQuery) -> TouchpointsReport:
    """Per touchpoint: reach, conversion after it, drop-off, repeat contacts, ratings."""
    from journeyscope.analytics.touchpoints import touchpoints_on

    _whole(q)
    spec, scope, r = _touchpoints_setup(ws, q)
    return _finish(TouchpointsReport.model_validate(touchpoints_on(r, spec, scope)), r, ws)


def touchpoints_over_time(ws: Workspace, q: TouchpointsQuery) -> OverTimeReport:
    """Drop-off per touchpoint per period (``--interval``)."""
    from journeyscope.analytics.over_time import per_period
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.touchpoints import touchpoints_on

    interval = _interval(q)
    assert interval is not None
    spec, scope, r = _touchpoints_setup(ws, q)

    def drop_off(part: Scope) -> dict[str, dict[str, float | int | None]]:
        found = touchpoints_on(r, spec, part)["touchpoints"]
        return {
            t["touchpoint"]: {"value": t["dropped_share"], "count": t["customers"]} for t in found
        }

    # a touchpoint hidden by --min-customers in a period had customers: its count is unknown
    counted = q.min_customers <= 1
    data = per_period(r, scope, interval, "touchpoints", "dropped_share", drop_off, counted=counted)
    return _over_time(data, scope, r, ws)


def _retention_setup(ws: Workspace, q: RetentionQuery, period: str) -> tuple[Any, Any, Runner]:
    """The spec (cohorts per ``period``), scope and runner of a retention query."""
    from journeyscope.analytics.retention import RetentionSpec
    from journeyscope.analytics.scope import Scope

    _share(q.threshold, "--threshold")
    spec = RetentionSpec(
        period,
        q.cohort_event,
        q.return_event,
        q.purchase,
        q.threshold,
        by=q.by,
        passive=tuple(ws.config.events.passive),
        contacts=tuple(ws.config.events.contacts),
    )
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(
        ws,
        q,
        events=(
            (q.cohort_event, "--cohort-event"),
            (q.return_event, "--return-event"),
            (q.purchase, "--purchase"),
        ),
    )
    return spec, scope, r


def retention(ws: Workspace, q: RetentionQuery) -> RetentionReport:
    """Cohort retention, RFM segments and churn risk with a reason per customer."""
    from journeyscope.analytics.retention import retention_on

    _whole(q)
    spec, scope, r = _retention_setup(ws, q, q.period)
    value = _value_spec(ws, q)  # checked before the report runs
    data = retention_on(r, spec, scope, export_to=q.output)
    data["churn"]["method"] = "heuristic"
    fallback = None
    if value is not None:
        from journeyscope.analytics.lifetime_report import with_lifetime

        fallback = with_lifetime(data, r, value, scope)
    report = _finish(RetentionReport.model_validate(data), r, ws)
    if fallback is not None:
        report.note(f"bgnbd_{fallback['reason']}", **fallback)
    return report


def retention_over_time(ws: Workspace, q: RetentionQuery) -> OverTimeReport:
    """One row per cohort period (``--interval``: the cohorts' period is the interval),
    from one retention run."""
    from journeyscope.analytics.over_time import activity
    from journeyscope.analytics.over_time import retention_over_time as by_period
    from journeyscope.analytics.retention import retention_on

    interval = _interval(
        q, **{"--by": q.by, "--output": q.output, "--model": q.model != "heuristic"}
    )
    assert interval is not None
    spec, scope, r = _retention_setup(ws, q, interval)
    whole = retention_on(r, spec, scope)
    active = activity(r, scope, interval)  # the data may go on after the last cohort
    return _over_time(by_period(whole, scope, interval, r.zone, active), scope, r, ws)


def _value_spec(ws: Workspace, q: RetentionQuery) -> Any:
    """``--model bgnbd``'s settings (None for the heuristic), the options checked first."""
    from journeyscope.analytics.lifetime_report import MODELS, ValueSpec
    from journeyscope.analytics.scope import parse_duration

    if q.model not in MODELS:
        raise InputError(
            f"--model {q.model!r}: churn risk is heuristic or bgnbd",
            f"--model {q.model!r}: rủi ro rời bỏ là heuristic hoặc bgnbd",
            location=Location(field="--model"),
            hint_en="e.g. --model bgnbd",
            hint_vi="ví dụ --model bgnbd",
            code="invalid_option",
        )
    horizon = parse_duration(q.horizon, "--horizon")
    if q.model == "heuristic":
        return None
    return ValueSpec(
        purchase=q.purchase,
        horizon_days=horizon.total_seconds() / 86400,
        threshold=q.threshold,
        currency=ws.config.currency,
    )


# -- attribution -------------------------------------------------------------------------


def _position(text: str) -> tuple[float, float]:
    try:
        first, last = (float(x) / 100 for x in text.split(","))
    except ValueError:
        first = last = -1.0
    # "nan" parses as a float and passes every comparison: refuse it with the rest
    if not (0 <= first <= 1 and 0 <= last <= 1 and first + last <= 1):
        raise InputError(
            f"--position {text!r}: two percentages for the first and last touch, at most 100",
            f"--position {text!r}: hai phần trăm cho điểm chạm đầu và cuối, tổng không quá 100",
            location=Location(field="--position"),
            hint_en="e.g. --position 40,40 (the middle shares the other 20%)",
            hint_vi="ví dụ --position 40,40 (các điểm giữa chia 20% còn lại)",
            code="invalid_option",
        )
    return first, last


def attribution(ws: Workspace | None, q: AttributionQuery) -> AttributionReport:
    """Which channels earn the conversions: rule-based, time decay, exact Markov, Shapley —
    from a workspace's journeys, or from aggregated paths in a file (``paths_file``)."""
    from journeyscope.analytics.attribution.models import attribute

    _whole(q)
    names = list(q.compare) or [q.model]
    split = _position(q.position)
    info: dict[str, Any] = {}
    r: Runner | None = None
    if q.paths_file is not None:
        from journeyscope.analytics.attribution.paths import read_path_file

        if q.engine or q.spark_master or q.dataset:
            raise InputError(
                "--paths reads ready-made paths from a file: no engine reads events for it",
                "--paths đọc các đường đi có sẵn từ tệp: không bộ máy nào đọc sự kiện",
                location=Location(field="--engine" if q.engine else "--dataset"),
                hint_en="leave out --engine/--spark-master/--dataset, or leave out --paths",
                hint_vi="bỏ --engine/--spark-master/--dataset, hoặc bỏ --paths",
                code="conflicting_options",
            )
        table = read_path_file(
            q.paths_file, q.path_col, q.conv_col, q.value_col, q.null_col, q.sep, q.delimiter
        )
        results = [attribute(table, m, order=q.order, position=split).to_dict() for m in names]
    else:
        if ws is None:
            raise InputError(
                "attribution needs a workspace or --paths FILE",
                "phân bổ cần một workspace hoặc --paths TỆP",
                location=Location(field="--workspace"),
                hint_en="pass -w DIR, or --paths FILE with aggregated paths",
                hint_vi="dùng -w THƯ_MỤC, hoặc --paths TỆP chứa các đường đi đã tổng hợp",
                code="missing_option",
            )
        table, info, results, r = _journey_attribution(ws, q, names, split)
    data: dict[str, Any] = results[0] if not q.compare else {"models": results}
    data["total_conversions"] = round(table.total_conversions, 4)
    data["total_value"] = round(table.total_value, 4)
    data.update(info)
    if ws is not None and q.paths_file is None:
        _in_currency(data, ws.config.currency)
    _attribution_files(table, q, data)
    report = AttributionReport.model_validate(data)
    return _finish(report, r, ws) if r is not None and ws is not None else report


def attribution_over_time(ws: Workspace, q: AttributionQuery) -> OverTimeReport:
    """One model's credit per channel per period (``--interval``): the model over each
    period's journeys."""
    from journeyscope.analytics.over_time import per_period
    from journeyscope.analytics.scope import Scope

    interval = _interval(
        q,
        **{
            "--paths": q.paths_file,
            "--compare": bool(q.compare),
            "--export-matrix": q.export_matrix,
            "--export-effects": q.export_effects,
        },
    )
    assert interval is not None
    split = _position(q.position)
    scope = Scope.parse(ws, q.since, q.until, q.where)
    r = _runner(ws, q, events=((q.conversion, "--conversion"),))

    def credit(part: Scope) -> dict[str, dict[str, float | int | None]]:
        table, _, results, _ = _journey_attribution(ws, q, [q.model], split, part, r)
        if not table.total_conversions:
            return {}  # no conversion in this period: every channel is credited 0
        return {
            ch: {"value": round(float(n), 4), "count": None}
            for ch, n in results[0]["conversions"].items()
        }

    # every period's paths from one read where the arrays serve; else the model per period
    grouped = _attribution_by_period(q, split, scope, r, interval)
    data = per_period(
        r,
        scope,
        interval,
        "attribution",
        "conversions",
        grouped or credit,
        absent=0,
        counted=False,
    )
    return _over_time(data, scope, r, ws)


def _attribution_by_period(
    q: AttributionQuery, split: tuple[float, float], scope: Any, r: Runner, interval: str
) -> Callable[[Any], dict[str, dict[str, float | int | None]]] | None:
    """One model's credit in every period from one read of the journeys (DuckDB, every
    model but time decay, which weighs touches by their own pass)."""
    from journeyscope.analytics.attribution.journeys import PathSpec, paths_by_period
    from journeyscope.analytics.attribution.models import attribute
    from journeyscope.analytics.scope import parse_duration

    if q.model == "time_decay":
        return None
    spec = PathSpec(
        q.conversion, parse_duration(q.lookback, "--lookback"), q.level, q.value, q.repeats
    )
    found = paths_by_period(r, spec, scope, interval)
    if found is None:
        return None
    periods, tables = found
    credits: dict[int, dict[str, dict[str, float | int | None]]] = {}
    for p, (table, _) in tables.items():
        if table.total_conversions:
            model = attribute(table, q.model, order=q.order, position=split).to_dict()
            credits[p] = {
                ch: {"value": round(float(n), 4), "count": None}
                for ch, n in model["conversions"].items()
            }

    def one(part: Any) -> dict[str, dict[str, float | int | None]]:
        at = next((i for i, p in enumerate(periods) if p.start <= part.since < p.end), None)
        return credits.get(at, {}) if at is not None else {}

    return one


def _journey_attribution(
    ws: Workspace,
    q: AttributionQuery,
    names: list[str],
    split: tuple[float, float],
    scope: Any = None,
    runner: Runner | None = None,
) -> tuple[Any, dict[str, Any], list[dict[str, Any]], Runner]:
    from journeyscope.analytics.attribution.journeys import PathSpec, build_paths, time_decay
    from journeyscope.analytics.attribution.models import attribute
    from journeyscope.analytics.scope import Scope, parse_duration

    spec = PathSpec(
        q.conversion, parse_duration(q.lookback, "--lookback"), q.level, q.value, q.repeats
    )
    half = parse_duration(q.half_life, "--half-life")
    if not half:  # every touch would weigh 2^(-age/0)
        raise InputError(
            "the half-life must be longer than zero",
            "chu kỳ bán rã phải lớn hơn 0",
            location=Location(field="--half-life"),
            hint_en="e.g. --half-life 7d (a touch 7 days before the conversion counts half)",
            hint_vi="ví dụ --half-life 7d (điểm chạm 7 ngày trước chuyển đổi tính một nửa)",
            code="invalid_duration",
        )
    if scope is None:
        scope = Scope.parse(ws, q.since, q.until, q.where)
    r = runner or _runner(ws, q, events=((q.conversion, "--conversion"),))
    table, info = build_paths(r, spec, scope)
    decay = time_decay(r, spec, scope, half) if "time_decay" in names else None
    results = [
        decay.to_dict()
        if m == "time_decay" and decay is not None
        else attribute(table, m, order=q.order, position=split).to_dict()
        for m in names
    ]
    return table, info, results, r


def _in_currency(data: dict[str, Any], currency: str) -> None:
    """Money credited in the workspace's currency, rounded to its minor unit (VND: none),
    and the currency said beside the numbers."""
    from journeyscope.i18n.formatting import round_money

    data["currency"] = currency
    data["total_value"] = round_money(data["total_value"], currency)
    for model in data.get("models") or [data]:
        if isinstance(model.get("value"), dict):
            model["value"] = {k: round_money(v, currency) for k, v in model["value"].items()}


def _attribution_files(table: Any, q: AttributionQuery, report: dict[str, Any]) -> None:
    """The audit exports (Markov transition matrix, removal effects), whole or not at all."""
    from journeyscope.analytics.attribution.models import attribute, transition_rows
    from journeyscope.maps.io import write_atomic

    if q.export_matrix:
        moves: list[tuple[Any, ...]] = list(transition_rows(table, q.order))
        write_atomic(q.export_matrix, _csv_text(["from", "to", "probability"], moves))
        report["transition_matrix"] = str(q.export_matrix)
    if q.export_effects:
        found = attribute(table, "markov", order=q.order)
        rows: list[tuple[Any, ...]] = (
            [
                (
                    ch,
                    found.removal_effects.get(ch, 0.0),
                    (found.removal_effects_value or {}).get(ch, 0.0),
                )
                for ch in table.channels
            ]
            if found.removal_effects
            else []
        )
        write_atomic(
            q.export_effects,
            _csv_text(["channel", "removal_effect", "removal_effect_value"], rows),
        )
        report["removal_effects_file"] = str(q.export_effects)


def _csv_text(header: list[str], rows: list[tuple[Any, ...]]) -> str:
    import csv
    import io

    from journeyscope.maps.spreadsheet import safe_csv_rows

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(safe_csv_rows(rows))  # channel names are user text: inert in Excel
    return buffer.getvalue()


# -- insights ----------------------------------------------------------------------------


def insights(ws: Workspace, q: InsightsQuery) -> InsightsReport:
    """What changed, without being told where (docs/insights.md)."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.insights.report import insights as scan
    from journeyscope.insights.report import since_day
    from journeyscope.insights.stats import SENSITIVITIES

    _whole(q)
    r = _runner(ws, q)
    scope = Scope.parse(ws, q.since, q.until, q.where)
    config = ws.config.insights
    if q.sensitivity is not None:
        if q.sensitivity not in SENSITIVITIES:
            raise unknown_option(
                "sensitivity",
                "độ nhạy",
                q.sensitivity,
                list(SENSITIVITIES),
                code="unknown_sensitivity",
            )
        config = config.model_copy(update={"sensitivity": q.sensitivity})
    since = since_day(q.changes_since, ws.config.timezone) if q.changes_since else None
    data = scan(
        r,
        scope,
        config,
        where_text=q.where,
        since=since,
        slices=list(q.slices) if q.slices else None,
        workspace_arg=q.workspace_label or str(ws.root),
    )
    return _finish(InsightsReport.model_validate(data), r, ws)


# -- data --------------------------------------------------------------------------------


def stats(ws: Workspace, q: StatsQuery) -> StatsReport:
    """Events, customers, identifiers, imports, per channel."""
    from journeyscope.identity.profiles import stats as workspace_stats

    return StatsReport.model_validate(workspace_stats(ws, _kept_channel_customers(ws)))


def _kept_channel_customers(ws: Workspace) -> dict[str, int] | None:
    """Customers per channel from the events this process keeps, if it keeps them as they
    are now (the server); None otherwise (SQL counts them)."""
    from journeyscope.analytics.event_names import MAX_BITS, customers_per_code
    from journeyscope.analytics.events_arrays import kept_already
    from journeyscope.engine.runner import Runner

    if chosen_engine(ws, None) != "duckdb":
        return None
    ev = kept_already(Runner(ws), wait=True)  # the start-up scan, if it is running
    if ev is None or len(ev.channel_names) > MAX_BITS:
        return None
    counts = customers_per_code(ev.owner, ev.channel, len(ev.channel_names))
    return {name: int(n) for name, n in zip(ev.channel_names, counts.tolist(), strict=True)}


def customer(ws: Workspace, q: CustomerQuery) -> CustomerReport:
    """One customer's profile by id or identifier."""
    from journeyscope.identity.profiles import profile

    at_least(q.limit, 0, "--limit")
    return CustomerReport.model_validate(profile(ws, q.ref, q.limit))


# -- identity ----------------------------------------------------------------------------


def resolve(
    ws: Workspace, q: ResolveQuery, progress: Callable[[str], None] | None = None
) -> ResolveReport:
    """Stitch events into customers (deterministic links, guarded against over-merging);
    ``progress`` hears each step's name (normalising, linking, saving, ordering journeys).
    On Spark the workspace gives the rules and blocks; Spark reads ``source`` and writes
    the resolved events to ``dataset``."""
    from journeyscope.engine.select import dataset_location, source_location

    if chosen_engine(ws, q.engine) == "spark":
        from journeyscope.events.spark_store import spark_session
        from journeyscope.identity.spark_resolve import resolve_dataset

        src, target = source_location(ws, q.source), dataset_location(ws, q.dataset)
        spark = spark_session(q.spark_master or ws.config.spark.master)
        data = resolve_dataset(ws, spark, src, target, overwrite=q.overwrite).to_dict()
        return ResolveReport.model_validate({**data, "engine": "spark", "dataset": target})
    given = {
        "--source": q.source,
        "--dataset": q.dataset,
        "--overwrite": q.overwrite,
        "--spark-master": q.spark_master,
    }
    if stray := [option for option, value in given.items() if value]:
        raise InputError(
            "--source, --dataset, --overwrite and --spark-master are for identity resolve on Spark",
            "--source, --dataset, --overwrite và --spark-master dùng cho phân giải danh tính "
            "trên Spark",
            location=Location(field=stray[0]),
            hint_en="add --engine spark, or leave them out to resolve the workspace",
            hint_vi="thêm --engine spark, hoặc bỏ chúng để phân giải trong workspace",
            code="conflicting_options",
        )
    from journeyscope.identity.resolve import resolve as resolve_workspace

    return ResolveReport.model_validate(resolve_workspace(ws, progress).to_dict())


def explain(ws: Workspace, q: ExplainQuery) -> ExplainReport:
    """The chain of links behind an identifier's customer."""
    from journeyscope.identity.explain import explain as explain_identifier

    return ExplainReport.model_validate(explain_identifier(ws, q.ref))


# -- dispatch ----------------------------------------------------------------------------

OPERATIONS: dict[type[Query], Callable[[Any, Any], Report]] = {
    FunnelQuery: funnel,
    DroppedQuery: dropped,
    PathsQuery: paths,
    StagesQuery: stages,
    CustomerStagesQuery: customer_stages,
    TouchpointsQuery: touchpoints,
    RetentionQuery: retention,
    InsightsQuery: insights,
    AttributionQuery: attribution,
    StatsQuery: stats,
    CustomerQuery: customer,
    ResolveQuery: resolve,
    ExplainQuery: explain,
}

#: ``--interval``: the report over time, for the queries that have one
OVER_TIME: dict[type[Query], Callable[[Any, Any], Report]] = {
    FunnelQuery: funnel_over_time,
    PathsQuery: paths_over_time,
    StagesQuery: stages_over_time,
    TouchpointsQuery: touchpoints_over_time,
    RetentionQuery: retention_over_time,
    AttributionQuery: attribution_over_time,
}


def _folder(where: Path | str | None) -> Path | None:
    return Path(where) if where is not None else None


def run(
    query: Query,
    workspace: Workspace | Path | str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Answer ``query`` over ``workspace`` (an open workspace, or a folder opened for the
    call — read-only unless the query writes): the one entry point every face uses.
    ``progress`` hears the steps of long operations (identity resolution)."""
    operation = OPERATIONS[type(query)]
    if isinstance(query, ReportQuery) and query.interval is not None:
        operation = OVER_TIME.get(type(query), operation)
    if (
        isinstance(query, AttributionQuery)
        and query.paths_file is not None
        and query.interval is None
        and workspace is None
    ):
        return operation(None, query)
    # Spark resolves into a lake: the workspace only gives rules and blocks (read-only),
    # whether --engine or workspace.yaml's engine: chose Spark
    spark_reads = (
        isinstance(query, ResolveQuery)
        and chosen_engine(
            workspace if isinstance(workspace, Workspace) else _folder(workspace), query.engine
        )
        == "spark"
    )
    with open_workspace(workspace, read_only=not query.writes or spark_reads) as ws:
        if isinstance(query, ResolveQuery):
            return resolve(ws, query, progress)
        return operation(ws, query)
