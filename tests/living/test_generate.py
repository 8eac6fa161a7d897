"""`journeyscope map generate` (issue 19, item 4): a current-state map drawn from the data.

On the demo (imported as the demo imports it: events with `ingest`, reviews and survey
answers with `feedback import`) the generated map must validate, render in both languages,
recover every planted fact and show no pain that was not planted.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from journeyscope.demo.findings import PLANTED, TOLERANCE
from journeyscope.events.demo_data import BAD_REVIEWS, BAD_TOUCHPOINT

#: what demo_data plants: the bad checkout step; late deliveries, after which customers
#: call the hotline again when the first call did not help and review the delivery (and
#: its damaged box, and the support that did not help) badly — all on the service stage
PLANTED_PAINS = {
    ("purchase", "dropoff", BAD_TOUCHPOINT),
    ("service", "repeat_contact", "hotline:delivery"),
}
PLANTED_ASPECTS = {"delivery", "packaging", "service"}


@pytest.fixture(scope="module")
def feedback_workspace(tmp_path_factory: pytest.TempPathFactory, demo_sources: Path) -> Path:
    """The demo sources imported as `journeyscope demo` imports them, resolved."""
    from journeyscope.demo.run import import_sources
    from journeyscope.events.workspace import Workspace
    from journeyscope.identity.resolve import resolve

    base = tmp_path_factory.mktemp("gen")
    facts = json.loads((demo_sources / "facts.json").read_text(encoding="utf-8"))
    with Workspace.init(base / "ws") as ws:
        import_sources(ws, demo_sources, facts, feedback_to=base)
        resolve(ws)
    return base / "ws"


@pytest.fixture
def ws_copy(feedback_workspace: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(feedback_workspace, target)
    return target


@pytest.fixture(scope="module")
def generated(feedback_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from journeyscope.cli import app

    out = tmp_path_factory.mktemp("generated") / "current.yaml"
    result = CliRunner().invoke(
        app, ["map", "generate", "-w", str(feedback_workspace), "--lang", "en", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _doc(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_the_demo_has_feedback_from_feedback_import(feedback_workspace: Path) -> None:
    from journeyscope.events.workspace import Workspace

    with Workspace.open(feedback_workspace, read_only=True) as ws:
        kinds = dict(ws.con.execute("SELECT kind, count(*) FROM feedback GROUP BY 1").fetchall())
        # every review and survey answer is one event (the CSVs did not add a second one)
        events = ws.scalar(
            "SELECT count(*) FROM events WHERE event IN ('review', 'survey_response')"
        )
    assert kinds["review"] > 0 and kinds["survey"] > 0
    assert kinds["review"] + kinds["survey"] == events


def test_generated_map_validates_and_renders_in_both_languages(
    cli: Any, generated: Path, feedback_workspace: Path, tmp_path: Path
) -> None:
    assert cli("map", "validate", generated).code == 0
    assert cli("map", "validate", generated, "-w", feedback_workspace).code == 0
    for lang in ("vi", "en"):
        svg = tmp_path / f"map.{lang}.svg"
        result = cli("map", "render", generated, "-w", feedback_workspace, "--in", lang, "-o", svg)
        assert result.code == 0, result.out
        text = svg.read_text(encoding="utf-8")
        assert text.startswith("<svg") or "<svg" in text[:300]
        assert ("Điểm chạm" if lang == "vi" else "Touchpoints") in text


def test_stages_come_from_the_model_with_live_numbers(generated: Path) -> None:
    from journeyscope.maps.stage_models import get_stage_model

    doc = _doc(generated)
    assert [s["id"] for s in doc["stages"]] == [s.id for s in get_stage_model("retail5").stages]
    numbers = next(lane for lane in doc["lanes"] if lane["kind"] == "kpis")
    metrics = {i["metric"]["name"] for items in numbers["cells"].values() for i in items}
    assert {"stage_reach", "stage_conversion", "stage_time"} <= metrics
    kinds = {lane["kind"] for lane in doc["lanes"]}
    assert {"actions", "touchpoints", "pain_points", "opportunities", "owners"} <= kinds
    owners = next(lane for lane in doc["lanes"] if lane["kind"] == "owners")
    assert not owners.get("cells")  # left for people to fill


def _evidence(ws_path: Path) -> Any:
    from journeyscope.app.generate import gather_evidence
    from journeyscope.events.workspace import Workspace

    with Workspace.open(ws_path, read_only=True) as ws:
        return gather_evidence(ws, "retail5")


def test_recovers_the_planted_facts_and_nothing_else(feedback_workspace: Path) -> None:
    from journeyscope.living.generate import emotion_points, pains_of

    evidence = _evidence(feedback_workspace)
    pains = pains_of(evidence)
    bad = [p for p in pains if p.kind == "dropoff" and p.subject == BAD_TOUCHPOINT]
    assert len(bad) == 1 and bad[0].stage == "purchase"
    planted = PLANTED["bad_touchpoint_loss"]
    assert abs(bad[0].value - planted) <= TOLERANCE["bad_touchpoint_loss"]
    for pain in pains:
        if pain.kind == "negative_aspect":
            assert pain.stage == "service" and pain.subject in PLANTED_ASPECTS, pain
        else:
            assert (pain.stage, pain.kind, pain.subject) in PLANTED_PAINS, pain
    # the emotion dip: the late deliveries' reviews, on the service stage (delivery_late's)
    aspects = [p for p in pains if p.kind == "negative_aspect" and p.subject == "delivery"]
    assert aspects and aspects[0].stage == "service"
    points = emotion_points(evidence.feedback)
    assert points and min(points, key=lambda s: points[s][0]) == "service"
    assert points["service"][2] > 0.1  # a real share of the answers there is negative


def test_quotes_are_real_feedback_texts(generated: Path, feedback_workspace: Path) -> None:
    from journeyscope.events.workspace import Workspace

    with Workspace.open(feedback_workspace, read_only=True) as ws:
        texts = {r[0] for r in ws.con.execute("SELECT text FROM feedback").fetchall()}
    doc = _doc(generated)
    pains = next(lane for lane in doc["lanes"] if lane["kind"] == "pain_points")
    lines = [ln for items in pains["cells"].values() for i in items for ln in i["en"].split("\n")]
    quotes = [line[1:-1] for line in lines if line.startswith("“")]
    assert len(quotes) == len(set(quotes))  # each quoted once
    assert len(quotes) >= 2
    assert all(q in texts for q in quotes)
    assert all(q in {t for _, t in BAD_REVIEWS} for q in quotes)


def test_vietnamese_map(cli: Any, feedback_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "vi.yaml"
    assert cli("map", "generate", "-w", feedback_workspace, "--lang", "vi", "-o", out).code == 0
    doc = _doc(out)
    assert doc.get("language", "vi") == "vi"  # the default is not written
    assert "Hiện trạng" in doc["title"]["vi"]


def test_a_period_with_no_data_is_an_error(
    cli: Any, feedback_workspace: Path, tmp_path: Path
) -> None:
    out = tmp_path / "empty.yaml"
    result = cli(
        "map", "generate", "-w", feedback_workspace, "--from", "2030-01-01",
        "--to", "2030-01-31", "-o", out,
    )  # fmt: skip
    assert result.code != 0
    assert "no customer events" in result.out + result.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "guess"),
    [("--model", "retail6", "retail5"), ("--persona", "deal-huntr", None)],
)
def test_unknown_model_or_persona_suggests(
    cli: Any, feedback_workspace: Path, tmp_path: Path, option: str, value: str, guess: str | None
) -> None:
    result = cli(
        "map", "generate", "-w", feedback_workspace, option, value, "-o", tmp_path / "x.yaml"
    )
    said = result.out + result.err
    assert result.code != 0 and value in said
    assert "did you mean" in said or "choose one of" in said
    if guess:
        assert f"did you mean {guess!r}" in said


def test_rest_route_writes_the_generated_map(ws_copy: Path) -> None:
    """POST .../maps/{map}/generate: the same map, saved like `.../new`; a read key may not."""
    from fastapi.testclient import TestClient

    from journeyscope.server.app import Limits, create_app
    from tests.server.conftest import add_key, bearer

    admin, read = add_key(ws_copy, "admin"), add_key(ws_copy, "read")
    api = "/api/v1/workspaces/shop/maps"
    body = {"lang": "en", "since": "2026-01-01", "until": "2026-06-30"}
    app = create_app({"shop": ws_copy}, limits=Limits(0, 0))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert (
            client.post(f"{api}/now/generate", json=body, headers=bearer(read)).status_code == 403
        )
        made = client.post(f"{api}/now/generate", json=body, headers=bearer(admin))
        assert made.status_code == 201, made.text
        again = client.post(f"{api}/now/generate", json=body, headers=bearer(admin))
        assert again.status_code == 412  # never over an existing map
        empty = {**body, "since": "2030-01-01", "until": "2030-01-31"}
        refused = client.post(f"{api}/later/generate", json=empty, headers=bearer(admin))
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "no_data"
    doc = _doc(ws_copy / "maps" / "now.yaml")
    assert doc["id"] == "now" and doc["type"] == "current_state"
    pains = next(lane for lane in doc["lanes"] if lane["kind"] == "pain_points")
    assert any(BAD_TOUCHPOINT in str(i) for i in pains["cells"]["purchase"])


def test_another_model_and_a_rules_file(cli: Any, feedback_workspace: Path, tmp_path: Path) -> None:
    """The stages follow --model; --rules replaces the built-in rules (as for `stages`)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "model: current5\nrules:\n"
        "  - {stage: awareness, events: [ad_impression, ad_click, message_sent]}\n"
        "  - {stage: interest, events: [product_view, add_to_cart, store_visit]}\n"
        "  - {stage: decision, events: [checkout, purchase]}\n"
        "  - {stage: delivery, events: [order_delivered, delivery_late, support_call]}\n",
        "utf-8",
    )
    out = tmp_path / "c5.yaml"
    args = ("map", "generate", "-w", feedback_workspace, "--model", "current5", "-o", out)
    assert cli(*args, "--rules", rules).code == 0
    doc = _doc(out)
    assert doc["stage_model"] == "current5"
    assert [s["id"] for s in doc["stages"]][:2] == ["awareness", "interest"]
    actions = next(lane for lane in doc["lanes"] if lane["kind"] == "actions")["cells"]
    assert "loyalty" not in actions  # no rule of this file puts an event there
    pains = next(lane for lane in doc["lanes"] if lane["kind"] == "pain_points")["cells"]
    assert any(BAD_TOUCHPOINT in str(i) for i in pains["decision"])


@pytest.mark.parametrize(
    ("since", "until", "where"),
    [(None, None, None), ("2026-02-01", "2026-04-30", None), (None, None, "channel = web")],
)
def test_evidence_from_one_scan_equals_the_sql_forms(
    feedback_workspace: Path, since: str | None, until: str | None, where: str | None
) -> None:
    """Actions, placed feedback and the first day from the shared scan (what the map is
    drawn from on DuckDB) equal the SQL forms (what answers where arrays cannot)."""
    from journeyscope.app import generate as g
    from journeyscope.events.workspace import Workspace

    ws = Workspace.open(feedback_workspace, read_only=True)
    try:
        evidence = g.gather_evidence(ws, since=since, until=until, where=where)
        model = g._model("retail5", None)
        period = (since, until, where, None)
        assert sorted(evidence.actions) == sorted(g._actions(ws, model, period))
        assert evidence.data_starts == g._first_event(ws, model, period)
        placed = g._feedback(ws, model, period)
        assert len(evidence.feedback) == len(placed) > 0
        key = repr  # FeedbackItem is a frozen dataclass: its repr holds every field
        assert sorted(map(key, evidence.feedback)) == sorted(map(key, placed))
        assert any(f.stage for f in evidence.feedback)
    finally:
        ws.close()
