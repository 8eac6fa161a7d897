"""Maps bound to data, for every face: fill a map's metric cells from a workspace.

The reports handed to :mod:`journeyscope.living` are the ``stages`` and ``touchpoints``
operations themselves, run with the map's stage model and the period asked for, so a
number on a map equals what ``journeyscope stages --json`` / ``touchpoints --json`` print
for the same ``--from``/``--to`` (and ``--where``, for a binding that names one).
"""

from __future__ import annotations

from typing import Any

from journeyscope.app.operations import stages, touchpoints
from journeyscope.app.queries import StagesQuery, TouchpointsQuery
from journeyscope.errors import DocumentError, Location
from journeyscope.events.workspace import Workspace
from journeyscope.living.bind import BoundValue, Fetch, Settings, evaluate, fill, not_evaluated
from journeyscope.living.check import workspace_problems
from journeyscope.maps.bindings import DEFAULT_STAGE_MODEL
from journeyscope.maps.io import Positions
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.problems import Problem, locate

__all__ = [
    "bound_map",
    "map_values",
    "map_workspace_problems",
    "report_fetch",
    "require_bindings_in",
]


def report_fetch(
    ws: Workspace, model: str, since: str | None = None, until: str | None = None
) -> Fetch:
    """The reports a map's bindings read, as their ``--json`` documents; each (report,
    filter) is run once however many bindings and checks ask for it."""
    cache: dict[tuple[str, str | None], dict[str, Any]] = {}

    def fetch(kind: str, where: str | None) -> dict[str, Any]:
        if (kind, where) not in cache:
            cache[(kind, where)] = run_report(kind, where)
        return cache[(kind, where)]

    def run_report(kind: str, where: str | None) -> dict[str, Any]:
        if kind == "feedback":
            from journeyscope.feedback.summary import feedback_summary

            return feedback_summary(ws, "touchpoint", since, until).to_dict()
        if kind == "stages":
            report: Any = stages(
                ws, StagesQuery(since=since, until=until, where=where, model=model)
            )
        else:
            q = TouchpointsQuery(since=since, until=until, where=where, model=model)
            report = touchpoints(ws, q)
        data: dict[str, Any] = report.model_dump(mode="json", exclude_unset=True)
        return data

    return fetch


def map_values(
    ws: Workspace | None,
    m: JourneyMap,
    since: str | None = None,
    until: str | None = None,
    settings: Settings | None = None,
    fetch: Fetch | None = None,
) -> list[BoundValue]:
    """Each bound cell's value for the period; without a workspace, "not evaluated"
    (``fetch``: reports already read for that period, to read them once)."""
    if ws is None:
        return not_evaluated(m)
    base = settings or Settings()
    settings = Settings(base.min_customers, base.stale_days, until, base.today)
    return evaluate(m, fetch or report_fetch(ws, _model(m), since, until), settings)


def _model(m: JourneyMap) -> str:
    return m.stage_model or DEFAULT_STAGE_MODEL


def bound_map(
    ws: Workspace | None,
    m: JourneyMap,
    since: str | None = None,
    until: str | None = None,
    settings: Settings | None = None,
    source: str | None = None,
    positions: Positions | None = None,
) -> JourneyMap:
    """``m`` with its bound cells filled (or marked "not evaluated"), ready to render.

    A binding naming a stage, touchpoint or filter value the workspace lacks is refused
    (:func:`require_bindings_in`) rather than drawn as "no data"."""
    if ws is None:
        return fill(m, map_values(ws, m, since, until, settings))
    from journeyscope.analytics.events_arrays import shared_reads

    with shared_reads():  # the stages and touchpoints reports of a period: one scan
        # names are checked against the whole data; without a period that is the same read
        whole = report_fetch(ws, _model(m))
        require_bindings_in(ws, m, source, positions, whole)
        period = whole if since is None and until is None else None
        return fill(m, map_values(ws, m, since, until, settings, period))


def require_bindings_in(
    ws: Workspace,
    m: JourneyMap,
    source: str | None = None,
    positions: Positions | None = None,
    fetch: Fetch | None = None,
) -> None:
    """Raise the first binding problem in ``ws`` (located when ``positions`` are given)."""
    problems = map_workspace_problems(ws, m, fetch)
    if not problems:
        return
    first = locate(problems[0], positions, source) if positions is not None else problems[0]
    more = len(problems) - 1
    raise DocumentError(
        first.message_en + (f" (and {more} more)" if more else ""),
        first.message_vi + (f" (và {more} lỗi khác)" if more else ""),
        location=Location(first.file or source, first.line, first.column, first.dotted()),
        hint_en="`journeyscope map validate FILE -w DIR` lists every binding problem",
        hint_vi="`journeyscope map validate FILE -w DIR` liệt kê mọi lỗi gắn dữ liệu",
        code="unknown_binding_name",
    )


def map_workspace_problems(
    ws: Workspace, m: JourneyMap, fetch: Fetch | None = None
) -> list[Problem]:
    """Stages, touchpoints and filters named by ``m``'s bindings that the workspace lacks."""
    return workspace_problems(m, fetch or report_fetch(ws, _model(m)))
