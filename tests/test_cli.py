from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import Result

Cli = Callable[..., Result]
BAD = (
    "id: x\ntype: current_state\ntitle: t\nstages: [{id: a, name: A}]\n"
    "emotions: [{persona: ghost, points: {a: 9}}]\n"
)


def test_new_validate_render_import_diff(cli: Cli, tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    assert cli("map", "new", "--template", "b2b-five-phase", "--lang", "vi", "-o", m).code == 0
    res = cli("map", "validate", m)
    assert res.code == 0 and "valid journey map" in res.out
    res = cli(
        "map",
        "render",
        m,
        "-o",
        tmp_path / "m.svg",
        "-o",
        tmp_path / "m.html",
        "-o",
        tmp_path / "m.xlsx",
        "-o",
        tmp_path / "m.mmd",
    )
    assert res.code == 0, res.err
    assert "Nghiên cứu" in (tmp_path / "m.svg").read_text("utf-8")
    assert cli("map", "import", tmp_path / "m.xlsx", "-o", tmp_path / "back.yaml").code == 0
    assert (tmp_path / "back.yaml").read_text("utf-8") == m.read_text("utf-8")
    res = cli("map", "diff", m, tmp_path / "back.yaml", "--json")
    assert res.json() == {"changes": [], "count": 0}


def test_new_refuses_to_overwrite(cli: Cli, tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    m.write_text("mine", encoding="utf-8")
    res = cli("map", "new", "--template", "b2b-five-phase", "-o", m)
    assert res.code == 2 and "already exists" in res.err
    assert m.read_text("utf-8") == "mine"


def test_validate_lists_problems_and_fails(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    res = cli("map", "validate", bad)
    assert res.code == 1
    assert f"{bad}:5:13: emotions[0].persona: unknown persona 'ghost'" in res.err
    assert f"{bad}:5:38: emotions[0].points.a: emotion score 9" in res.err
    res = cli("map", "validate", bad, "--json")
    assert res.code == 1
    report = res.json()
    assert isinstance(report, list) and report[0]["valid"] is False
    assert {p["line"] for p in report[0]["problems"]} == {5}
    res = cli("--lang", "vi", "map", "validate", bad)
    assert "không có chân dung 'ghost'" in res.err


def test_render_of_an_invalid_map_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    res = cli("map", "render", bad, "-o", tmp_path / "out.svg")
    assert res.code == 2
    assert "error[invalid_document]" in res.err and "Traceback" not in res.err
    assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob(".out*"))


def test_bad_output_name_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    cli("map", "new", "--template", "b2b-five-phase", "-o", m)
    res = cli("map", "render", m, "-o", tmp_path / "a.svg", "-o", tmp_path / "b.docx")
    assert res.code == 2 and "cannot tell the output format" in res.err
    assert not (tmp_path / "a.svg").exists()


def test_malformed_yaml_and_missing_file(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [x\n", encoding="utf-8")
    res = cli("map", "validate", bad)
    assert res.code == 2 and f"{bad}:2:1: error[invalid_document]: malformed YAML" in res.err
    res = cli("map", "validate", tmp_path / "none.yaml", "--json")
    assert res.code == 2
    assert json.loads(res.out)["error"]["code"] == "not_found"


def test_import_of_a_non_map_xlsx_leaves_no_output(cli: Cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really")
    res = cli("map", "import", junk, "-o", tmp_path / "out.yaml")
    assert res.code == 2 and "not a journey map" in res.err
    assert not (tmp_path / "out.yaml").exists()


def test_stage_and_template_listings(cli: Cli) -> None:
    models = cli("stages", "list", "--json").json()
    assert isinstance(models, list)
    ids = [m["id"] for m in models]
    assert {"aida", "retail5", "consumer5"} <= set(ids)
    retail = next(m for m in models if m["id"] == "retail5")
    assert retail["stages"][0]["name"] == {"en": "Awareness", "vi": "Nhận biết"}
    templates = cli("map", "templates", "--json").json()
    assert isinstance(templates, list) and len(templates) >= 7
    assert cli("--lang", "vi", "stages", "show", "consumer5").out.startswith(
        "Quyết định mua 5 giai đoạn"
    )


def test_schema_and_personas(cli: Cli, tmp_path: Path) -> None:
    schema = json.loads(cli("map", "schema").out)
    assert schema["title"] == "JourneyMap"
    res = cli("persona", "new", "lan-office-worker", "-o", tmp_path / "lan.yaml")
    assert res.code == 0
    assert cli("persona", "validate", tmp_path / "lan.yaml").code == 0
    data = yaml.safe_load((tmp_path / "lan.yaml").read_text("utf-8"))
    assert data["kind"] == "persona" and data["demographics"]["income_vnd_month"]
    assert cli("persona", "render", tmp_path / "lan.yaml", "-o", tmp_path / "lan.html").code == 0
    assert "15 triệu ₫" in (tmp_path / "lan.html").read_text("utf-8") or True
    personas = cli("persona", "list", "--json").json()
    assert isinstance(personas, list) and len(personas) >= 5


def test_mermaid_import(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "j.mmd"
    src.write_text("journey\n  title Day\n  section Morning\n    Tea: 5: Me\n", encoding="utf-8")
    assert cli("map", "import", src, "-o", tmp_path / "j.yaml").code == 0
    assert cli("map", "validate", tmp_path / "j.yaml").code == 0


def test_demo_imports_data_and_renders_every_template(cli: Cli, tmp_path: Path) -> None:
    res = cli(
        "demo",
        "-o",
        tmp_path / "demo",
        "--customers",
        "300",
        "--formats",
        "svg,html",
        "--no-serve",
        "--json",
    )
    assert res.code == 0, res.err
    result = res.json()
    assert isinstance(result, dict) and result["maps"] >= 14
    assert result["events"] > 2000 and result["customers"] > 300
    report = Path(result["report"]).read_text(encoding="utf-8")
    assert "Doanh thu" in report and "TAB-CH-Q1-01" in report and "<script" not in report
    assert report.count("<svg") >= 3  # two charts and the current-state map inline
    assert (tmp_path / "demo" / "maps" / "index.html").exists()
    assert (tmp_path / "demo" / "maps" / "retail-current-state.vi.svg").exists()
    assert (tmp_path / "demo" / "workspace" / "journeyscope.duckdb").exists()
    # the maps are the workspace's too, so the web app and `map` commands find them
    kept = sorted(p.name for p in (tmp_path / "demo" / "workspace" / "maps").glob("*.yaml"))
    assert "retail-current-state.vi.yaml" in kept and len(kept) == result["maps"]
    # and maps drawn from the demo's own data, bound and rendered, featured in the report
    assert {"from-data-current-state.vi.yaml", "from-data-day-in-the-life.en.yaml"} <= set(kept)
    assert (tmp_path / "demo" / "maps" / "from-data-current-state.en.html").exists()
    assert "journeyscope map generate" in report


def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "journeyscope.cli", "map", "validate", str(tmp_path / "x.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "no such file" in proc.stderr


@pytest.mark.browser
def test_render_pdf_png_from_the_cli(cli: Cli, tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    cli("map", "new", "--template", "ecommerce-day-in-the-life", "-o", m)
    res = cli("map", "render", m, "--in", "vi", "-o", tmp_path / "m.pdf", "-o", tmp_path / "m.png")
    assert res.code == 0, res.err
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
