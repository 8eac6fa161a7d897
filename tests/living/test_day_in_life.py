"""`journeyscope map generate --type day_in_the_life` (issue 19, item 5).

On the demo workspace, the numbers the map writes per block of the day (customers,
events, share, weekday/weekend, busiest hour, top channels) must equal an independent
pandas computation on the events, in the workspace's time zone (Asia/Ho_Chi_Minh); the
document validates and renders; a planted peak becomes "the moment to reach them".
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

#: the blocks of the day, written out again here (hour ranges, both ends included)
HOURS = {
    "night": (0, 5),
    "early_morning": (6, 8),
    "morning": (9, 11),
    "lunch": (12, 13),
    "afternoon": (14, 17),
    "evening": (18, 21),
    "late": (22, 23),
}


def _block(hour: int) -> str:
    return next(b for b, (lo, hi) in HOURS.items() if lo <= hour <= hi)


def _events(ws_path: Path) -> Any:
    """Every customer event as pandas, with the local hour, day kind and block."""
    from journeyscope.events.workspace import Workspace

    with Workspace.open(ws_path, read_only=True) as ws:
        df = ws.con.execute(
            "SELECT customer_id, ts, event, channel, touchpoint FROM journey_events"
        ).df()
    local = df["ts"].dt.tz_localize("UTC").dt.tz_convert("Asia/Ho_Chi_Minh")
    df["hour"] = local.dt.hour
    df["weekend"] = local.dt.day_of_week >= 5
    df["day"] = local.dt.date
    df["block"] = df["hour"].map(_block)
    return df


def _doc(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _lane(doc: dict[str, Any], lane_id: str) -> dict[str, Any]:
    cells: dict[str, Any] = next(lane for lane in doc["lanes"] if lane["id"] == lane_id)["cells"]
    return cells


def _int(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def day_map(demo_workspace_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from journeyscope.cli import app

    out = tmp_path_factory.mktemp("day") / "day.yaml"
    args = ["map", "generate", "-w", str(demo_workspace_template), "--type", "day_in_life"]
    result = CliRunner().invoke(app, [*args, "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_map_is_a_day_in_the_life_of_blocks(day_map: Path) -> None:
    doc = _doc(day_map)
    assert doc["type"] == "day_in_the_life" and doc["language"] == "en"
    assert [s["id"] for s in doc["stages"]] == list(HOURS)
    assert doc["stages"][0]["time"] == "00:00-05:59" and doc["stages"][-1]["time"] == "22:00-23:59"
    kinds = {lane["kind"] for lane in doc["lanes"]}
    assert {"devices", "channels", "touchpoints", "actions", "kpis", "opportunities"} <= kinds


def test_block_numbers_equal_pandas(day_map: Path, demo_workspace_template: Path) -> None:
    df = _events(demo_workspace_template)
    numbers = _lane(_doc(day_map), "numbers")
    assert set(numbers) == set(df["block"])  # every block with events has its numbers
    for block, group in df.groupby("block"):
        texts = [item["en"] for item in numbers[block]]
        customers = re.search(r"Customers: ([\d,]+) \(([\d.]+)% of all\)", texts[0])
        assert customers, texts
        assert _int(customers[1]) == group["customer_id"].nunique()
        share = 100 * group["customer_id"].nunique() / df["customer_id"].nunique()
        assert float(customers[2]) == pytest.approx(share, abs=0.05)
        events = re.search(r"Events: ([\d,]+) \(([\d.]+)% of the day's\)", texts[1])
        assert events and _int(events[1]) == len(group)
        assert float(events[2]) == pytest.approx(100 * len(group) / len(df), abs=0.05)
        split = re.search(r"Weekdays: ([\d,]+) events .* weekend: ([\d,]+)", texts[2])
        assert split
        assert _int(split[1]) == int((~group["weekend"]).sum())
        assert _int(split[2]) == int(group["weekend"].sum())
        hours = group.groupby("hour").size()
        top = hours[hours == hours.max()].index.min()
        assert f"Busiest hour: {top:02d}:00 ({hours.max():,} events)" == texts[3]


def test_channels_per_block_equal_pandas(day_map: Path, demo_workspace_template: Path) -> None:
    df = _events(demo_workspace_template)
    channels = _lane(_doc(day_map), "channels")
    for block, group in df.groupby("block"):
        stats = group.groupby("channel").agg(c=("customer_id", "nunique"), n=("event", "size"))
        stats = stats.reset_index().sort_values(["c", "n", "channel"], ascending=[0, 0, 1])
        expected = [
            f"{r.channel} · {r.c:,} customers · {r.n:,} events ({100 * r.n / len(group):.1f}%)"
            for r in stats.head(3).itertuples()
        ]
        assert [i["text"]["en"] for i in channels[block]] == expected
        assert [i["channel"] for i in channels[block]] == list(stats.head(3)["channel"])


def test_a_filter_and_a_period_narrow_the_numbers(
    cli: Any, demo_workspace_template: Path, tmp_path: Path
) -> None:
    out = tmp_path / "zalo.yaml"
    args = ("map", "generate", "-w", demo_workspace_template, "--type", "day_in_the_life")
    period = ("--from", "2026-03-01", "--to", "2026-04-30", "--where", "channel = zalo")
    assert cli(*args, *period, "--lang", "en", "-o", out).code == 0
    df = _events(demo_workspace_template)
    days = df["day"].astype(str)
    df = df[(df["channel"] == "zalo") & (days >= "2026-03-01") & (days <= "2026-04-30")]
    numbers = _lane(_doc(out), "numbers")
    assert len(df) > 0
    for block, group in df.groupby("block"):
        assert f"Customers: {group['customer_id'].nunique():,} " in numbers[block][0]["en"]
        assert f"Events: {len(group):,} " in numbers[block][1]["en"]
    assert "channel = zalo" in _doc(out)["title"]["en"]


def test_validates_and_renders_in_both_languages(
    cli: Any, day_map: Path, demo_workspace_template: Path, tmp_path: Path
) -> None:
    assert cli("map", "validate", day_map).code == 0
    for lang, word in (("vi", "Thiết bị"), ("en", "Devices")):
        svg = tmp_path / f"day.{lang}.svg"
        assert cli("map", "render", day_map, "--in", lang, "-o", svg).code == 0
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text[:300] and word in text
    vi = tmp_path / "vi.yaml"
    args = ("map", "generate", "-w", demo_workspace_template, "--type", "day_in_life")
    assert cli(*args, "--lang", "vi", "-o", vi).code == 0
    assert "Một ngày của khách hàng" in _doc(vi)["title"]["vi"]


def _peak_workspace(root: Path) -> Path:
    """80 customers who browse the web at any hour and read Zalo in the evening (19–21 h
    in Ho Chi Minh City), each on another day."""
    from journeyscope.events.ingest import ingest_files
    from journeyscope.events.mapping import load_mapping
    from journeyscope.events.workspace import Workspace
    from journeyscope.identity.resolve import resolve

    rows = []
    for k in range(80):
        day = f"2026-05-{1 + k % 28:02d}"
        rows.append({"ts": f"{day}T{k % 24:02d}:10:00+07:00", "event": "page_view"})
        rows.append({"ts": f"{day}T{19 + k % 3:02d}:30:00+07:00", "event": "message_read"})
        rows[-1]["channel"] = "zalo"
        rows[-2]["channel"] = "web"
        rows[-2]["device_type"] = "Tablet"  # a property: the device, before the channel's
        for row in rows[-2:]:
            row["user_id"] = f"u{k}"
    src = root.parent / "peak.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    with Workspace.init(root) as ws:  # the default zone, Asia/Ho_Chi_Minh
        ingest_files(ws, [src], load_mapping(None))
        resolve(ws)
    return root


def test_a_planted_evening_peak_is_the_moment_to_reach_them(cli: Any, tmp_path: Path) -> None:
    ws = _peak_workspace(tmp_path / "ws")
    out = tmp_path / "peak.yaml"
    args = ("map", "generate", "-w", ws, "--type", "day_in_life", "--lang", "en", "-o", out)
    assert cli(*args).code == 0
    moments = _lane(_doc(out), "opportunities")
    assert list(moments) == ["evening"]
    (item,) = moments["evening"]
    assert item["channel"] == "zalo"
    assert item["text"]["en"].startswith("Reach them on zalo at 18:00–21:59: 80 customers, 6.0×")
    numbers = _lane(_doc(out), "numbers")
    assert "Customers: 80 " in numbers["evening"][0]["en"]  # 80 Zalo readers (+ web ones)
    devices = {
        i["en"].split(" · ")[0] for cell in _lane(_doc(out), "devices").values() for i in cell
    }
    assert devices == {"tablet", "Messages on the phone"}  # web: its property; Zalo: implied


def test_evenly_spread_customers_propose_no_moment(day_map: Path) -> None:
    """The demo's journeys start at any hour: no channel peaks, and the map says so."""
    moments = _lane(_doc(day_map), "opportunities")
    items = [i for cell in moments.values() for i in cell]
    assert items == [
        {"en": "No channel peaks clearly: its customers are spread over the day",
         "vi": "Không kênh nào có khung giờ nổi bật: khách hàng của kênh rải đều trong ngày"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("--type", "day_in_lif"), "unknown_map_type", "did you mean 'day_in_the_life'"),
        (("--type", "future_state"), "unknown_map_type", "current_state, day_in_the_life"),
        (("--type", "day_in_life", "--from", "2030-01-01", "--to", "2030-01-31"), "no_data", ""),
        (("--type", "day_in_life", "--persona", "x", "--where", "channel = web"), "", "not both"),
    ],
)
def test_bad_input_is_refused_clearly(
    cli: Any,
    demo_workspace_template: Path,
    tmp_path: Path,
    args: tuple[str, ...],
    code: str,
    said: str,
) -> None:
    out = tmp_path / "x.yaml"
    result = cli("map", "generate", "-w", demo_workspace_template, *args, "-o", out)
    text = result.out + result.err
    assert result.code != 0 and code in text and said in text
    assert "Traceback" not in text and not out.exists()


def test_rest_route_generates_a_day_in_the_life(
    demo_workspace_template: Path, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from journeyscope.server.app import Limits, create_app
    from tests.server.conftest import add_key, bearer

    ws_copy = tmp_path / "ws"
    shutil.copytree(demo_workspace_template, ws_copy)
    admin = add_key(ws_copy, "admin")
    api = "/api/v1/workspaces/shop/maps"
    app = create_app({"shop": ws_copy}, limits=Limits(0, 0))
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {"type": "day_in_life", "lang": "en"}
        made = client.post(f"{api}/day/generate", json=body, headers=bearer(admin))
        assert made.status_code == 201, made.text
        bad = client.post(f"{api}/x/generate", json={"type": "weekly"}, headers=bearer(admin))
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_map_type"
    doc = _doc(ws_copy / "maps" / "day.yaml")
    assert doc["id"] == "day" and doc["type"] == "day_in_the_life"


def test_a_persona_bound_to_a_segment_is_drawn_from_its_customers(
    cli: Any, demo_workspace_template: Path, tmp_path: Path
) -> None:
    """`--persona` with a `segment_rule`: the numbers are its customers' events only."""
    from journeyscope.analytics.segments import Segment, members
    from journeyscope.events.workspace import Workspace

    folder = tmp_path / "personas"
    folder.mkdir()
    (folder / "loyal.yaml").write_text(
        "kind: persona\nid: loyal\nname: {en: Loyal, vi: Trung thành}\nsegment_rule: orders >= 2\n",
        "utf-8",
    )
    out = tmp_path / "loyal.yaml"
    args = ("map", "generate", "-w", demo_workspace_template, "--type", "day_in_life")
    result = cli(*args, "--persona", "loyal", "--personas", folder, "--lang", "en", "-o", out)
    assert result.code == 0, result.out + result.err
    with Workspace.open(demo_workspace_template, read_only=True) as ws:
        ids = set(members(ws, Segment(name="loyal", rule="orders >= 2")))
    df = _events(demo_workspace_template)
    df = df[df["customer_id"].isin(ids)]
    assert (
        0 < df["customer_id"].nunique() < _events(demo_workspace_template)["customer_id"].nunique()
    )
    numbers = _lane(_doc(out), "numbers")
    for block, group in df.groupby("block"):
        assert f"Customers: {group['customer_id'].nunique():,} " in numbers[block][0]["en"]
        assert f"Events: {len(group):,} " in numbers[block][1]["en"]
    doc = _doc(out)
    assert doc["personas"][0]["id"] == "loyal" and "loyal" in doc["title"]["en"]


def _both(ws: Any, since: str | None, until: str | None, where: str | None) -> Any:
    """The evidence from arrays and from the SQL form, for the same scope."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.engine.dialect import Sql
    from journeyscope.engine.runner import Runner
    from journeyscope.living import day_in_life as d
    from journeyscope.living.day_arrays import day_from_arrays

    scope = Scope.parse(ws, since, until, where)
    zone = str(ws.config.timezone)
    q = Sql()
    base = d.day_sql(ws, scope, q)
    r = Runner(ws)
    return day_from_arrays(r, scope, zone, d.TOP), d.gather_day_in_sql(r, base, q, zone)


@pytest.mark.parametrize(
    ("since", "until", "where"),
    [
        (None, None, None),
        ("2026-02-01", "2026-03-15", None),
        (None, None, "channel = app"),
        (None, None, "platform = android"),  # a device property the full row carries
    ],
)
def test_arrays_equal_the_sql_form(
    demo_workspace_template: Path, since: str | None, until: str | None, where: str | None
) -> None:
    """The evidence read into arrays (local clock from the zone's offsets, device
    properties from one pass) is the SQL form's, field for field."""
    from journeyscope.events.workspace import Workspace

    ws = Workspace.open(demo_workspace_template, read_only=True)
    try:
        arrays, sql = _both(ws, since, until, where)
        assert arrays == sql
        assert arrays is not None and arrays.platforms
    finally:
        ws.close()


def test_arrays_equal_the_sql_form_across_a_clock_change(cli: Any, tmp_path: Path) -> None:
    """A zone with daylight saving (hours repeated and skipped), device properties in
    several spellings, events of one instant: the two forms still agree."""
    from journeyscope.events.workspace import Workspace

    rows = []
    stamps = [
        "2024-03-31T00:30:00Z",
        "2024-03-31T01:30:00Z",
        "2024-10-27T00:30:00Z",
        "2024-10-27T01:00:00Z",
        "2024-10-27T01:30:00Z",
        "2024-06-01T22:59:59Z",
    ]
    for i, ts in enumerate(stamps * 3):
        props = [{"device_type": "Mobile"}, {"os": ""}, {}, {"platform": "iOS"}][i % 4]
        rows.append(
            {
                "event_id": f"e{i}",
                "user_id": f"u{i % 5}",
                "event": "page_view",
                "channel": ["web", "app", "zalo"][i % 3],
                "ts": ts,
                "properties": props,
            }
        )
    src = tmp_path / "events.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    ws_dir = tmp_path / "ws"
    assert cli("init", "-w", ws_dir, "--timezone", "Europe/Berlin").code == 0
    assert cli("ingest", src, "-w", ws_dir).code == 0
    assert cli("identity", "resolve", "-w", ws_dir).code == 0
    ws = Workspace.open(ws_dir, read_only=True)
    try:
        arrays, sql = _both(ws, None, None, None)
        assert arrays == sql and arrays is not None
        assert {p for rows_ in arrays.platforms.values() for p, *_ in rows_} >= {"mobile", "ios"}
    finally:
        ws.close()
