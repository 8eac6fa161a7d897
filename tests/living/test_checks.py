"""Bindings checked like every map problem (located, with a suggestion), checked again in a
workspace, drawn unevaluated without one, and drawn alike by the CLI and the REST API."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from journeyscope.living.metrics import METRICS
from journeyscope.maps.bindings import METRIC_NEEDS
from journeyscope.maps.io import parse
from journeyscope.maps.validate import check_data
from journeyscope.server.app import Limits, create_app
from tests.conftest import Result
from tests.living.conftest import BOUND_MAP
from tests.server.conftest import add_key, bearer

Cli = Callable[..., Result]


def test_every_metric_name_has_a_definition() -> None:
    assert set(METRICS) == set(METRIC_NEEDS)


def test_existing_maps_stay_valid_and_bound_items_need_no_text() -> None:
    data, positions = parse(BOUND_MAP, "bound.yaml")
    checked = check_data(data, positions, "bound.yaml")
    assert checked.ok, [p.render() for p in checked.problems]
    assert checked.map is not None
    item = checked.map.lanes[0].cells["awareness"][0]
    assert getattr(item, "text", None) == "=stage_reach()"


def test_unknown_metric_and_stage_are_located_with_a_suggestion() -> None:
    text = BOUND_MAP.replace("{name: stage_conversion}", "{name: stage_conversoin}").replace(
        "{name: stage_dropoff}", "{name: stage_dropoff, stage: considerashun}"
    )
    text = text.replace(
        '{name: touchpoint_dropoff, touchpoint: "web:/cart"}', "{name: touchpoint_dropoff}"
    )
    data, positions = parse(text, "bad.yaml")
    checked = check_data(data, positions, "bad.yaml")
    lines = [p.render() for p in checked.errors]
    assert lines == [
        "bad.yaml:16:20: lanes[0].cells.awareness[1].metric.name: unknown metric "
        "'stage_conversoin'; did you mean 'stage_conversion'?",
        "bad.yaml:20:41: lanes[0].cells.consideration[0].metric.stage: stage 'considerashun' "
        "is not in stage model 'retail5'; did you mean 'consideration'?",
        "bad.yaml:26:11: lanes[0].cells.purchase[1].metric: touchpoint_dropoff needs "
        "`touchpoint:` (e.g. touchpoint: 'web:/cart')",
    ]
    assert "có phải ý bạn là 'stage_conversion'" in checked.errors[0].render("vi")


def test_validate_in_a_workspace_names_what_the_data_lacks(
    cli: Cli, demo_workspace: Path, tmp_path: Path
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BOUND_MAP.replace("hotline:delivery", "hotline:delivry"), "utf-8")
    assert cli("map", "validate", path).code == 0  # without data, the name cannot be checked
    result = cli("map", "validate", path, "-w", demo_workspace)
    assert result.code == 1
    assert (
        f"{path}:27:47: lanes[0].cells.purchase[2].metric.touchpoint: the workspace has no "
        "touchpoint 'hotline:delivry'; did you mean 'hotline:delivery'?"
    ) in result.err
    path.write_text(BOUND_MAP.replace("channel = zalo", "channel = zalp", 1), "utf-8")
    result = cli("map", "validate", path, "-w", demo_workspace, "--json")
    (problem,) = result.json()[0]["problems"]
    assert problem["path"] == "lanes[0].cells.awareness[2].metric.where"
    assert "did you mean zalo" in problem["message"] and problem["line"] == 17


def test_without_a_workspace_a_bound_cell_shows_its_expression(
    cli: Cli, bound_map_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.svg"
    assert cli("map", "render", bound_map_file, "-o", out).code == 0
    svg = out.read_text("utf-8")
    assert "not evaluated" in svg and "=touchpoint_dropoff(web:/cart)" in svg
    assert cli("map", "render", bound_map_file, "--in", "vi", "-o", tmp_path / "vi.svg").code == 0
    assert "chưa tính" in (tmp_path / "vi.svg").read_text("utf-8")


def test_cli_and_rest_render_the_same_values(
    cli: Cli, demo_workspace: Path, bound_map_file: Path, tmp_path: Path
) -> None:
    (demo_workspace / "maps").mkdir(exist_ok=True)
    shutil.copy(bound_map_file, demo_workspace / "maps" / "bound.yaml")
    key = add_key(demo_workspace, "read")
    period = ("2026-03-01", "2026-05-31")
    for lang in ("en", "vi"):
        out = tmp_path / f"cli-{lang}.svg"
        args = ["-w", demo_workspace, "--from", period[0], "--to", period[1], "--in", lang]
        assert cli("map", "render", bound_map_file, *args, "-o", out).code == 0
        app = create_app({"demo": demo_workspace}, limits=Limits(0, 0))
        with TestClient(app, raise_server_exceptions=False) as client:
            served = client.get(
                "/api/v1/workspaces/demo/maps/bound/render",
                params={"since": period[0], "until": period[1], "in": lang},
                headers=bearer(key),
            )
        assert served.status_code == 200, served.text
        assert served.text == out.read_text("utf-8")
        assert "n = " in served.text and ("no data" not in served.text or lang == "vi")


def test_render_with_data_refuses_a_name_the_workspace_lacks(
    cli: Cli, demo_workspace: Path, tmp_path: Path
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BOUND_MAP.replace('"web:/cart"}', '"web:/kart"}', 1), "utf-8")
    result = cli("map", "render", path, "-w", demo_workspace, "-o", tmp_path / "m.svg")
    assert result.code == 2 and not (tmp_path / "m.svg").exists()
    assert f"{path}:25:49:" in result.err and "did you mean 'web:/cart'?" in result.err


def test_the_example_map_fills_from_the_demo_workspace(
    cli: Cli, demo_workspace: Path, tmp_path: Path
) -> None:
    example = Path(__file__).parents[2] / "examples" / "maps" / "retail-living-current-state.yaml"
    assert cli("map", "validate", example, "-w", demo_workspace).code == 0
    out = tmp_path / "living.svg"
    assert cli("map", "render", example, "-w", demo_workspace, "-o", out).code == 0
    svg = out.read_text("utf-8")
    assert svg.count("n = ") >= 10 and "chưa tính" not in svg  # the map's language: vi
    assert "chưa có dữ liệu phản hồi" in svg  # the demo has events, no survey answers
