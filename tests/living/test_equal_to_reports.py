"""Every number on a bound map equals what the report command prints with ``--json`` for
the same period (and filter): the map reads the reports, it does not recompute them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeyscope.app.living import map_values
from journeyscope.app.operations import open_workspace
from journeyscope.living.bind import BoundValue
from journeyscope.living.stats import wilson
from journeyscope.maps.validate import load_map
from tests.conftest import Result

Cli = Callable[..., Result]
PERIODS = [(None, None), ("2026-03-01", "2026-05-31")]


def _report(
    cli: Cli, ws: Path, command: str, period: tuple[str | None, str | None], *extra: str
) -> Any:
    since, until = period
    args = [command, "-w", ws, "--json", *extra]
    args += ["--from", since] if since else []
    args += ["--to", until] if until else []
    result = cli(*args)
    assert result.code == 0, result.err
    return result.json()


def _values(ws: Path, path: Path, period: tuple[str | None, str | None]) -> dict[str, BoundValue]:
    checked = load_map(path)
    assert checked.map is not None
    with open_workspace(ws) as opened:
        found = map_values(opened, checked.map, *period)
    return {f"{v.stage}.{v.index}": v for v in found}


def _row(report: Any, key: str, value: str) -> dict[str, Any]:
    rows = report["stages" if key == "stage" else "touchpoints"]
    return next(r for r in rows if r[key] == value)


@pytest.mark.parametrize("period", PERIODS, ids=["all", "spring"])
def test_each_metric_equals_its_report_command(
    cli: Cli, demo_workspace: Path, bound_map_file: Path, period: tuple[str | None, str | None]
) -> None:
    got = _values(demo_workspace, bound_map_file, period)
    stages = _report(cli, demo_workspace, "stages", period)
    zalo = _report(cli, demo_workspace, "stages", period, "--where", "channel = zalo")
    tps = _report(cli, demo_workspace, "touchpoints", period)
    awareness, consideration = (
        _row(stages, "stage", "awareness"),
        _row(stages, "stage", "consideration"),
    )
    assert got["awareness.0"].value == awareness["customers"]
    assert got["awareness.1"].value == awareness["conversion_to_next"]
    assert got["awareness.1"].n == awareness["customers"]
    everyone = sum(r["current"] for r in stages["stages"])
    matching = sum(r["current"] for r in zalo["stages"])
    assert got["awareness.2"].value == round(matching / everyone, 4)
    assert got["awareness.2"].n == everyone
    assert got["consideration.0"].value == round(1 - consideration["conversion_to_next"], 4)
    assert got["consideration.1"].value == consideration["median_seconds_to_next"]
    assert got["consideration.2"].value == _row(zalo, "stage", "consideration")["customers"]
    cart, hotline = (
        _row(tps, "touchpoint", "web:/cart"),
        _row(tps, "touchpoint", "hotline:delivery"),
    )
    assert got["purchase.0"].value == cart["converted_share"]
    assert got["purchase.0"].n == cart["customers"]
    assert got["purchase.0"].ci == wilson(cart["converted"], cart["customers"])
    assert got["purchase.1"].value == cart["dropped_share"]
    assert got["purchase.1"].n == cart["observed"]
    assert got["purchase.2"].value == hotline["repeat_contact_share"]
    assert got["purchase.2"].n == hotline["contact_customers"]
    assert got["purchase.3"].value == _row(tps, "touchpoint", "zalo:zns_promo")["rating_after"]
    assert {v.state for v in got.values() if v.metric not in {"sentiment", "nps"}} == {"ok"}


def test_feedback_metrics_say_no_feedback_data(demo_workspace: Path, bound_map_file: Path) -> None:
    got = _values(demo_workspace, bound_map_file, (None, None))
    for key in ("awareness.3", "purchase.4"):
        assert got[key].state == "no_feedback"
        assert got[key].value is None and got[key].n is None


def test_a_period_without_data_is_no_data_never_zero(
    cli: Cli, demo_workspace: Path, bound_map_file: Path, tmp_path: Path
) -> None:
    got = _values(demo_workspace, bound_map_file, ("2030-01-01", "2030-01-31"))
    assert {v.state for v in got.values()} == {"no_data", "no_feedback"}
    assert all(v.value is None and v.n is None for v in got.values())
    out = tmp_path / "empty.svg"
    args = ["map", "render", bound_map_file, "-w", demo_workspace, "-o", out]
    assert cli(*args, "--from", "2030-01-01", "--to", "2030-01-31").code == 0
    svg = out.read_text("utf-8")
    assert svg.count("no data") >= 8
    assert "Reach: 0" not in svg and "0.0%" not in svg


FEEDBACK_MAP = """\
id: feedback
type: current_state
title: Feedback
stage_model: retail5
stages: [{id: purchase, name: Purchase}]
lanes:
  - id: numbers
    kind: kpis
    cells:
      purchase:
        - metric: {name: nps}
        - metric: {name: csat, touchpoint: checkout}
        - metric: {name: ces}
        - metric: {name: sentiment}
        - metric: {name: nps, touchpoint: chekout}
"""


def test_feedback_metrics_equal_feedback_summary(demo_workspace: Path, tmp_path: Path) -> None:
    from journeyscope.app.living import map_workspace_problems
    from journeyscope.events.workspace import Workspace
    from journeyscope.feedback.importing import import_feedback
    from journeyscope.feedback.summary import feedback_summary

    path = tmp_path / "feedback.yaml"
    path.write_text(FEEDBACK_MAP, "utf-8")
    fixtures = Path(__file__).parents[1] / "feedback" / "fixtures"
    with Workspace.open(demo_workspace) as ws:
        import_feedback(ws, fixtures / "survey.csv")
        summary = feedback_summary(ws, "touchpoint")
        checked = load_map(path)
        assert checked.map is not None
        got = map_values(ws, checked.map)
        (problem,) = map_workspace_problems(ws, checked.map)
    checkout = next(g for g in summary.groups if g.key == "checkout")
    assert [v.state for v in got[:4]] == ["ok"] * 4
    assert (got[0].value, got[0].n) == (summary.total.nps.value, summary.total.nps.n)
    assert (got[1].value, got[1].n) == (checkout.csat.value, checkout.csat.n)
    assert (got[2].value, got[2].n) == (summary.total.ces.value, summary.total.ces.n)
    assert got[3].value == summary.total.sentiment.mean_score
    assert got[4].state == "no_data"  # no feedback names it: the check below says so
    assert problem.dotted() == "lanes[0].cells.purchase[4].metric.touchpoint"
    assert "did you mean 'checkout'?" in problem.message_en
