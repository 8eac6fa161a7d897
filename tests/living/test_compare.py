"""`journeyscope map compare` (issue 19, item 6): a designed map against real journeys.

Journeys are generated with known deviation rates (followers, skippers, loopers, late
starters, an off-map touchpoint); the report's shares must equal an independent pandas
computation on the events, and the planted rates.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest

DESIGNED = """\
id: designed
type: future_state
title: {en: Designed journey, vi: Hành trình thiết kế}
vision: {en: Every customer buys and comes back, vi: Mọi khách hàng mua và quay lại}
language: en
stages:
  - {id: see, name: {en: See, vi: Thấy}}
  - {id: look, name: {en: Look, vi: Xem}}
  - {id: cart, name: {en: Cart, vi: Giỏ}}
  - {id: buy, name: {en: Buy, vi: Mua}}
  - {id: love, name: {en: Love, vi: Yêu thích}}
lanes:
  - id: touchpoints
    kind: touchpoints
    cells:
      see: [{text: Ad, channel: facebook, event: ad_click}]
      look: [{text: Product page, events: [product_view]}]
      cart: [{text: Cart, events: ["web:/cart"]}]
      buy: [{text: Checkout, event: checkout}, {event: purchase}]
"""

#: the planted journeys: (kind, customers, events in order)
PLANTED = [
    ("complete", 140, ["ad_click", "product_view", "add_to_cart", "checkout", "purchase"]),
    ("stopped", 60, ["ad_click", "product_view", "product_view"]),
    ("skip_look", 60, ["ad_click", "add_to_cart", "purchase"]),
    ("loop", 40, ["ad_click", "product_view", "ad_click", "product_view", "add_to_cart"]),
    ("late", 40, ["product_view", "add_to_cart", "purchase"]),
    ("off_map", 40, ["ad_click", "zalo_message", "product_view"]),
    ("outside", 20, ["zalo_message", "page_view"]),
]
STAGE = {"ad_click": 0, "product_view": 1, "add_to_cart": 2, "checkout": 3, "purchase": 3}
N = 400  # customers in all
ENTERED = 380  # all but the outside group


def _rows(seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    kinds = [k for k, count, _ in PLANTED for _ in range(count)]
    rng.shuffle(kinds)
    events = {k: e for k, _, e in PLANTED}
    for person, kind in enumerate(kinds):
        start = rng.randrange(0, 60 * 24 * 20)
        for step, event in enumerate(events[kind]):
            minute = start + 7 * step
            row = {
                "user_id": f"p{person}",
                "event": event,
                "ts": f"2026-05-{1 + minute // 1440:02d}T{minute % 1440 // 60:02d}:"
                f"{minute % 60:02d}:00Z",
                "channel": "zalo" if event == "zalo_message" else "web",
            }
            if event == "add_to_cart":
                row["touchpoint"] = "web:/cart"
            rows.append(row)
    return rows


def _expected(ws: Any) -> dict[str, Any]:
    """The same measures, computed with pandas from the stored events."""
    df = ws.con.execute(
        "SELECT customer_id, ts, seq, event, coalesce(touchpoint, channel || ':' || event) AS tp "
        "FROM journey_events ORDER BY customer_id, ts, seq"
    ).df()
    df["step"] = df["event"].map(STAGE)
    mapped = df.dropna(subset=["step"])
    out: dict[str, Any] = {"customers": df["customer_id"].nunique()}
    followed = completed = skipped = looped = 0
    to_next = [0, 0, 0]
    for _, g in mapped.groupby("customer_id"):
        seq = [int(s) for s in g["step"]]
        visits = [s for k, s in enumerate(seq) if k == 0 or seq[k - 1] != s]
        back = any(b < a for a, b in itertools.pairwise(visits))
        jump = any(b > a + 1 for a, b in itertools.pairwise(visits))
        follows = visits[0] == 0 and not back and not jump
        followed += follows
        completed += follows and max(visits) == 3
        skipped += len(set(visits)) < max(visits) + 1
        looped += back
        for s in range(3):
            if s in visits and s + 1 in visits[visits.index(s) + 1 :]:
                to_next[s] += 1
    entered = mapped["customer_id"].nunique()
    out.update(
        entered=entered,
        followed_share=round(followed / entered, 4),
        completed_share=round(completed / entered, 4),
        skipped_any_share=round(skipped / entered, 4),
        looped_share=round(looped / entered, 4),
        reach=[int(mapped[mapped["step"] == s]["customer_id"].nunique()) for s in range(4)],
        to_next=to_next,
    )
    off = df[df["step"].isna()].groupby("tp")["customer_id"].nunique()
    out["off_map"] = off.sort_values(ascending=False).to_dict()
    return out


@pytest.fixture
def designed(tmp_path: Path) -> Path:
    path = tmp_path / "designed.yaml"
    path.write_text(DESIGNED, "utf-8")
    return path


@pytest.fixture
def planted_ws(make_workspace: Any) -> Any:
    return make_workspace(_rows())


def _report(ws: Any, designed: Path, **period: Any) -> Any:
    from journeyscope.app.compare import compare_map
    from journeyscope.maps.validate import load_map

    checked = load_map(designed)
    assert checked.map is not None
    return compare_map(ws, checked.map, **period)


def test_shares_equal_pandas_and_the_planted_rates(planted_ws: Any, designed: Path) -> None:
    report = _report(planted_ws, designed)
    expected = _expected(planted_ws)
    assert report.customers == expected["customers"] == N
    assert report.entered == expected["entered"] == ENTERED
    for key in ("followed_share", "completed_share", "skipped_any_share", "looped_share"):
        assert getattr(report, key) == expected[key], key
    # the planted rates, among the customers who touch the map
    assert report.completed_share == round(140 / ENTERED, 4)
    assert report.followed_share == round((140 + 60 + 40) / ENTERED, 4)  # off_map: see, look
    assert report.skipped_any_share == round((60 + 40) / ENTERED, 4)
    assert report.looped_share == round(40 / ENTERED, 4)
    assert [s.customers for s in report.stages] == expected["reach"]
    assert [s.to_next for s in report.stages[:3]] == expected["to_next"]
    assert report.stages[3].to_next is None and report.unmapped_stages == ["love"]


def test_skips_loops_and_the_biggest_loss(planted_ws: Any, designed: Path) -> None:
    report = _report(planted_ws, designed)
    look = report.stages[1]
    assert look.skipped == 60  # reached cart or buy without a product view
    went_further = 140 + 60 + 40 + 40  # reached a stage after `look`
    assert look.skipped_share == round(60 / went_further, 4)
    assert report.stages[0].skipped == 40  # the late starters
    assert report.stages[0].came_back == 40  # the loopers went back to the ad …
    assert look.came_back == 0  # … then on again: that is not coming back
    shares = {s.stage: s.to_next_share for s in report.stages if s.to_next_share is not None}
    worst = min(shares, key=lambda k: shares[k] or 0)
    assert report.biggest_loss is not None and report.biggest_loss.stage == worst
    assert report.biggest_loss.loss == pytest.approx(1 - shares[worst], abs=1e-4)


def test_touchpoints_not_on_the_map(planted_ws: Any, designed: Path) -> None:
    report = _report(planted_ws, designed)
    expected = _expected(planted_ws)["off_map"]
    assert {r.touchpoint: r.customers for r in report.off_map} == expected
    zalo = next(r for r in report.off_map if r.touchpoint == "zalo:zalo_message")
    assert zalo.customers == 40 + 20 and zalo.share == 0.15
    assert zalo.after_stage == "see"  # the off-map group reads Zalo after the ad
    items = {i.text if isinstance(i.text, str) else i.text["en"]: i for i in report.items}
    assert items["Cart"].customers == expected_cart(planted_ws)
    assert items["purchase"].events == ["purchase"]  # an item may be just its event


def expected_cart(ws: Any) -> int:
    return int(
        ws.scalar(
            "SELECT count(DISTINCT customer_id) FROM journey_events WHERE touchpoint = 'web:/cart'"
        )
    )


def test_cli_table_json_and_overlay(
    cli: Any, planted_ws: Any, designed: Path, tmp_path: Path
) -> None:
    root = planted_ws.root
    planted_ws.close()
    svg = tmp_path / "actual.svg"
    result = cli("map", "compare", designed, "-w", root, "--svg", svg)
    assert result.code == 0, result.out + result.err
    assert "followed the designed path" in result.out and "zalo:zalo_message" in result.out
    text = svg.read_text(encoding="utf-8")
    assert "Actual journeys" in text and "Used but not on" in text  # the lanes' titles
    assert "⚠" in text and "zalo:zalo_message" in text  # the biggest loss; off the map
    data = cli("--lang", "vi", "map", "compare", designed, "-w", root, "--json").json()
    assert data["stages"][0]["name"] == "Thấy" and data["entered"] == ENTERED
    vi_svg = tmp_path / "vi.svg"
    assert cli("map", "compare", designed, "-w", root, "--svg", vi_svg, "--in", "vi").code == 0
    assert "Hành trình thực tế" in vi_svg.read_text(encoding="utf-8")
    assert cli("map", "compare", designed, "-w", root, "--svg", svg).code != 0  # no overwrite


def test_a_period_narrows_the_journeys(planted_ws: Any, designed: Path) -> None:
    whole = _report(planted_ws, designed)
    first = _report(planted_ws, designed, since="2026-05-01", until="2026-05-10")
    assert 0 < first.customers < whole.customers


def test_bad_input_is_refused_clearly(
    cli: Any, planted_ws: Any, designed: Path, tmp_path: Path
) -> None:
    root = planted_ws.root
    planted_ws.close()
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "id: plain\ntype: current_state\ntitle: Plain\nstages: [{id: a, name: A}]\n"
        "lanes: [{id: t, kind: touchpoints, cells: {a: [Web]}}]\n"
    )
    result = cli("map", "compare", plain, "-w", root)
    assert result.code != 0 and "no_event_mapping" in result.err and "event:" in result.err
    empty = cli(
        "map", "compare", designed, "-w", root, "--from", "2030-01-01", "--to", "2030-01-31"
    )
    assert empty.code != 0 and "no customer events" in empty.err
    said = cli("--lang", "vi", "map", "compare", plain, "-w", root)
    assert "chưa có điểm chạm nào gắn với sự kiện" in said.err


def _en(text: Any) -> str:
    from journeyscope.maps.text import Localized

    return str(text.en if isinstance(text, Localized) else text)


def test_overlay_writes_the_actual_numbers_on_the_map(planted_ws: Any, designed: Path) -> None:
    from journeyscope.living.compare import overlay
    from journeyscope.maps.model import as_item
    from journeyscope.maps.validate import load_map

    report = _report(planted_ws, designed)
    m = load_map(designed).map
    assert m is not None
    drawn = overlay(m, report.model_dump(mode="json"))
    lanes = {lane.id: lane for lane in drawn.lanes}
    assert [lane.id for lane in drawn.lanes] == ["touchpoints", "actual", "off-map"]
    cart = _en(as_item(lanes["touchpoints"].cells["cart"][0]).text)
    assert cart == f"Cart · {expected_cart(planted_ws)} customers"
    worst = report.biggest_loss.stage if report.biggest_loss else ""
    texts = [_en(t) for t in lanes["actual"].cells[worst]]
    assert any(t.startswith("⚠ the designed path loses the most here") for t in texts)
    assert _en(lanes["actual"].cells["love"][0]) == "not mapped to events"
    off = [_en(as_item(i).text) for i in lanes["off-map"].cells["see"]]
    assert "zalo:zalo_message · 60 customers (15.0%)" in off
    assert "63.2% followed" in _en(drawn.description)


def test_rest_route_compares_a_saved_map(planted_ws: Any) -> None:
    """GET .../maps/{map}/compare: the report `map compare --json` prints, for a read key."""
    from fastapi.testclient import TestClient

    from journeyscope.server.app import Limits, create_app
    from tests.server.conftest import add_key, bearer

    root = planted_ws.root
    planted_ws.close()
    (root / "maps").mkdir(exist_ok=True)
    (root / "maps" / "designed.yaml").write_text(DESIGNED, "utf-8")
    read = add_key(root, "read")
    api = "/api/v1/workspaces/shop/maps/designed/compare"
    app = create_app({"shop": root}, limits=Limits(0, 0))
    with TestClient(app, raise_server_exceptions=False) as client:
        got = client.get(api, params={"lang": "vi"}, headers=bearer(read))
        assert got.status_code == 200, got.text
        data = got.json()
        assert data["entered"] == ENTERED and data["stages"][1]["name"] == "Xem"
        assert data["followed_share"] == round(240 / ENTERED, 4)
        empty = client.get(
            api, params={"since": "2030-01-01", "until": "2030-01-31"}, headers=bearer(read)
        )
        assert empty.status_code == 400 and empty.json()["error"]["code"] == "no_data"
