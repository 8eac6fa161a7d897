"""The stages report from arrays equals the SQL form (what Spark runs), whole JSON."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeyscope.analytics import stages as stages_module
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.sessions import SessionRule, per_session
from journeyscope.analytics.stages import StageSpec, stages_on
from journeyscope.analytics.stages_arrays import duckdb_quantile
from journeyscope.engine.runner import Runner
from journeyscope.events.workspace import Workspace
from tests.analytics.conftest import MakeWorkspace
from tests.analytics.test_touchpoints_arrays import RULES_WITH_A_FILTER, _events, rows_st


def _in_sql(r: Runner, spec: StageSpec, scope: Scope, tmp: Path) -> dict[str, Any]:
    """The SQL form: the one an export runs (its file aside)."""
    report = stages_on(r, spec, scope, export_to=tmp / "stages.csv")
    del report["output"], report["exported"]
    return report


def _same(r: Runner, spec: StageSpec, scope: Scope, tmp: Path) -> dict[str, Any]:
    report = stages_on(r, spec, scope)
    assert report == _in_sql(r, spec, scope, tmp)
    return report


SPECS = [StageSpec(), StageSpec(stall=timedelta(minutes=30)), StageSpec(model="aida")]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_st)
def test_arrays_equal_sql_on_generated_events(
    make_workspace: MakeWorkspace, tmp_path: Path, rows: list[Any]
) -> None:
    ws = make_workspace(_events(rows))
    r = Runner(ws)
    for spec in SPECS:
        _same(r, spec, Scope(), tmp_path)
    _same(per_session(r, SessionRule(timedelta(minutes=45))), StageSpec(), Scope(), tmp_path)
    _same(r, StageSpec(), Scope.parse(ws, None, None, "channel = web"), tmp_path)


def test_arrays_equal_sql_on_the_demo(demo_workspace: Path, tmp_path: Path) -> None:
    ws = Workspace.open(demo_workspace)
    try:
        r = Runner(ws)
        report = _same(r, StageSpec(), Scope(), tmp_path)
        assert sum(s["customers"] for s in report["stages"]) > 0
        assert any(s["median_seconds_to_next"] for s in report["stages"])
        _same(r, StageSpec(), Scope.parse(ws, "2026-01-01", "2026-03-31", None), tmp_path)
        _same(r, StageSpec(stall=timedelta(days=3)), Scope(), tmp_path)
    finally:
        ws.close()


def test_a_stage_rule_with_a_filter(make_workspace: MakeWorkspace, tmp_path: Path) -> None:
    """A rule that reads more than the name is decided per event in SQL, then counted
    from the arrays."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_WITH_A_FILTER, "utf-8")
    rows = [
        (0, 0, "product_view", "web", None, None),
        (0, 0, "purchase", "web", None, None),
        (0, 5, "purchase", "web", None, None),
        (0, 9, "support_call", "hotline", None, None),
        (1, 1, "product_view", "hotline", "tp:a", None),
    ]
    ws = make_workspace(_events(rows))
    report = _same(Runner(ws), StageSpec(rules=rules), Scope(), tmp_path)
    reached = {s["stage"]: s["customers"] for s in report["stages"]}
    assert reached["service"] == 2 and reached["loyalty"] == 1


@given(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=0, max_size=40))
def test_quantiles_are_duckdbs(values: list[float]) -> None:
    import duckdb
    import numpy as np

    con = duckdb.connect()
    for p in (0.5, 0.9):
        mine = duckdb_quantile(np.array(values, np.float64), p)
        theirs = con.execute(
            "SELECT quantile_cont(v, ?) FROM (SELECT unnest(?::DOUBLE[]) AS v)", [p, values]
        ).fetchone()
        assert mine == (theirs[0] if theirs else None)


def test_the_sql_form_is_kept_for_spark() -> None:
    assert "SparkSql" in stages_module.stages_on.__code__.co_names


@given(
    st.lists(
        st.one_of(st.floats(0, 1e9, allow_nan=False), st.integers(0, 10**6).map(lambda i: i / 1e6)),
        min_size=2,
        max_size=12,
    )
)
def test_medians_are_duckdbs_to_the_last_bit(values: list[float]) -> None:
    """The paths report's median (a shortcut for mostly-zero durations) and the stages
    report's quantiles interpolate as DuckDB's build does."""
    import duckdb
    import numpy as np

    from journeyscope.analytics.paths_arrays import duckdb_median

    con = duckdb.connect()
    (theirs,) = con.execute(
        "SELECT median(v) FROM (SELECT unnest(?::DOUBLE[]) AS v)", [values]
    ).fetchone() or (None,)
    assert duckdb_median(np.array(values, np.float64)) == theirs


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_st)
def test_blocks_of_customers_add_up_to_the_whole(
    make_workspace: MakeWorkspace, tmp_path: Path, rows: list[Any]
) -> None:
    """Counted in blocks of whole customers (one per core at scale; forced here with a
    block per customer or two), the report is the SQL form's."""
    from journeyscope.analytics import events_arrays

    ws = make_workspace(_events(rows))
    r = Runner(ws)
    saved = events_arrays.BLOCK_ROWS, events_arrays.cores
    events_arrays.BLOCK_ROWS = 1
    events_arrays.cores = lambda: 3
    try:
        for spec in SPECS[:2]:
            _same(r, spec, Scope(), tmp_path)
    finally:
        events_arrays.BLOCK_ROWS, events_arrays.cores = saved
