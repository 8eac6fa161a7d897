"""`journeyscope segment ...`, `--save-segment` on the customer lists, and `persona show`
with a persona bound to a segment: a small shop whose numbers are known by hand."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeWorkspace

DAY = "2025-03-{:02d}T09:00:00Z"


def _events() -> list[dict[str, Any]]:
    """Lan buys twice on Shopee (1.2M, 0.8M), Minh once in store (0.5M), Hoa only looks."""
    return [
        {"phone": "0903123456", "event": "product_view", "ts": DAY.format(1),
         "channel": "shopee", "product": "túi xách"},
        {"phone": "0903123456", "event": "purchase", "ts": DAY.format(2), "channel": "shopee",
         "revenue": 1_200_000, "product": "túi xách"},
        {"phone": "0903123456", "email": "lan@example.com", "event": "purchase",
         "ts": DAY.format(20), "channel": "shopee", "revenue": 800_000, "product": "ví"},
        {"email": "minh@example.com", "event": "purchase", "ts": DAY.format(5),
         "channel": "store", "revenue": 500_000, "product": "ví"},
        {"zalo_id": "z42", "event": "product_view", "ts": DAY.format(6), "channel": "app",
         "product": "ví"},
        {"zalo_id": "z42", "event": "add_to_cart", "ts": DAY.format(6), "channel": "app"},
    ]  # fmt: skip


@pytest.fixture
def shop(make_workspace: MakeWorkspace) -> Path:
    ws = make_workspace(_events())
    root = ws.root
    ws.close()
    return root


def test_add_list_show_customers_remove(cli: Any, shop: Path, tmp_path: Path) -> None:
    added = cli("segment", "add", "shopee-buyers", "-w", shop, "--rule",
                "channel = shopee and orders >= 2", "--description", "Mua lại trên Shopee",
                "--json")  # fmt: skip
    assert added.code == 0, added.err
    assert added.json()["customers"] == 1
    listed = cli("segment", "list", "-w", shop, "--json").json()
    assert [(s["name"], s["customers"], s["kind"]) for s in listed] == [
        ("shopee-buyers", 1, "rule")
    ]
    shown = cli("segment", "show", "shopee-buyers", "-w", shop, "--json").json()
    assert shown["customers"] == 1 and shown["total_customers"] == 3
    assert shown["typical_order_value"] == 1_000_000  # median of 1.2M and 0.8M
    assert shown["revenue"] == 2_000_000 and shown["orders"] == 2
    assert shown["channels"][0]["channel"] == "shopee"
    assert shown["top_products"]["property"] == "product"
    assert {v["value"] for v in shown["top_products"]["values"]} == {"túi xách", "ví"}
    human = cli("segment", "show", "shopee-buyers", "-w", shop, "--lang", "vi")
    assert "1.000.000 ₫" in human.out and "Các kênh" in human.out
    target = tmp_path / "lan.csv"
    wrote = cli("segment", "customers", "shopee-buyers", "-w", shop, "-o", target)
    assert wrote.code == 0, wrote.err
    with target.open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["email"] == "lan@example.com" and row["phone"] == "'+84903123456"
    gone = cli("segment", "remove", "shopee-buyers", "-w", shop, "--json").json()
    assert gone["name"] == "shopee-buyers"
    assert cli("segment", "list", "-w", shop, "--json").json() == []


def test_static_list_from_a_file(cli: Any, shop: Path, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("phone:0903 123 456\nzalo_id:z42\nemail:ghost@example.com\n", "utf-8")
    added = cli("segment", "add", "goi-lai", "-w", shop, "--from-file", ids, "--json").json()
    assert added["customers"] == 2
    assert "phone:+84903123456" in added["members"]
    shown = cli("segment", "show", "goi-lai", "-w", shop, "--json").json()
    assert (shown["listed"], shown["unmatched"]) == (3, 1)


def test_a_bad_entry_of_a_file_is_said_at_its_line(cli: Any, shop: Path, tmp_path: Path) -> None:
    """Not ``members.2`` (the API's place, counted from 0): the file and the line a user
    opens, the header and a blank line counted; the reason in the user's language."""
    ids = tmp_path / "ids.csv"
    ids.write_text("customer_id\nphone:0903123456\n\nzalo_id:z42\nphone:abc\n", "utf-8")
    bad = cli("segment", "add", "x", "-w", shop, "--from-file", ids)
    assert bad.code == 2
    assert f"{ids}:5: error[invalid_identifier]" in bad.err and "members." not in bad.err
    vi = cli("segment", "add", "x", "-w", shop, "--from-file", ids, "--lang", "vi")
    assert f"{ids}:5: lỗi[invalid_identifier]" in vi.err
    assert "không phải số điện thoại" in vi.err and "not a phone" not in vi.err
    assert cli("segment", "list", "-w", shop, "--json").json() == []  # nothing half-saved


def test_where_segment_filters_every_report(cli: Any, shop: Path) -> None:
    cli("segment", "add", "lookers", "-w", shop, "--rule", "orders = 0")
    funnel = cli("funnel", "-w", shop, "--steps", "product_view,add_to_cart",
                 "--where", "segment = lookers", "--json").json()  # fmt: skip
    assert [s["customers"] for s in funnel["steps"]] == [1, 1]
    everyone = cli("funnel", "-w", shop, "--steps", "product_view,add_to_cart", "--json").json()
    assert [s["customers"] for s in everyone["steps"]] == [2, 1]
    typo = cli("funnel", "-w", shop, "--steps", "product_view", "--where", "segment = lookrs")
    assert typo.code == 2 and "lookers" in typo.err and "unknown_segment" in typo.err


def test_lists_feed_segments(cli: Any, shop: Path, tmp_path: Path) -> None:
    dropped = tmp_path / "dropped.csv"
    result = cli("funnel", "-w", shop, "--steps", "product_view,purchase", "--dropped-at",
                 "product_view", "-o", dropped, "--save-segment", "bo-do")  # fmt: skip
    assert result.code == 0, result.err
    with dropped.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["zalo_id"] for r in rows] == ["z42"]  # every identifier type is a column
    saved = cli("segment", "show", "bo-do", "-w", shop, "--json").json()
    assert saved["customers"] == 1 and saved["kind"] == "static"
    churn = cli("retention", "-w", shop, "--threshold", "0.01", "--save-segment", "nguy-co",
                "--json")  # fmt: skip
    assert churn.code == 0, churn.err
    at_risk = churn.json()["churn"]["at_risk"]
    assert cli("segment", "show", "nguy-co", "-w", shop, "--json").json()["customers"] == at_risk
    again = cli("retention", "-w", shop, "--save-segment", "nguy-co")
    assert again.code == 2 and "segment_exists" in again.err
    alone = cli("funnel", "-w", shop, "--steps", "product_view,purchase", "--save-segment", "x")
    assert alone.code == 2 and "--dropped-at" in alone.err


def test_rule_errors_in_both_languages(cli: Any, shop: Path) -> None:
    bad = cli("segment", "add", "x", "-w", shop, "--rule", "oders >= 2", "--lang", "vi")
    assert bad.code == 2 and "quy tắc phân khúc không có trường" in bad.err
    assert "orders" in bad.err
    both = cli("segment", "add", "x", "-w", shop)
    assert both.code == 2 and "missing_option" in both.err
    missing = cli("segment", "show", "nothing", "-w", shop, "--json")
    assert missing.json()["error"]["code"] == "unknown_segment"


def test_persona_show_with_a_segment(cli: Any, shop: Path, tmp_path: Path) -> None:
    persona = tmp_path / "lan.yaml"
    persona.write_text(
        "id: lan-shopee\nname: {en: Lan on Shopee, vi: Lan mua trên Shopee}\n"
        "segment: {en: Buys again on Shopee, vi: Mua lại trên Shopee}\n"
        'segment_rule: "channel = shopee and orders >= 1"\n',
        "utf-8",
    )
    card = tmp_path / "lan.svg"
    shown = cli("persona", "show", persona, "-w", shop, "-o", card, "--lang", "vi", "--json")
    assert shown.code == 0, shown.err
    data = shown.json()
    assert data["persona"]["segment_rule"].startswith("channel = shopee")
    assert data["segment"]["customers"] == 1
    svg = card.read_text(encoding="utf-8")
    assert "1 khách hàng" in svg and "Đơn điển hình 1 triệu ₫" in svg and "túi xách" in svg
    unbound = tmp_path / "plain.yaml"
    unbound.write_text("id: plain\nname: Plain\n", "utf-8")
    plain = cli("persona", "show", unbound, "-w", shop)
    assert plain.code == 0 and "segment_rule" in plain.err
    both = tmp_path / "both.yaml"
    both.write_text("id: both\nname: B\nsegment_rule: orders >= 1\nsegment_name: x\n", "utf-8")
    assert cli("persona", "show", both, "-w", shop).code != 0


def test_persona_suggest_proposes_bound_personas(cli: Any, demo_workspace: Path) -> None:
    from journeyscope.analytics.segments import Segment, facts, members
    from journeyscope.events.workspace import Workspace
    from journeyscope.maps.library import load_persona

    first = cli("persona", "suggest", "-w", demo_workspace, "--k", "3", "--json")
    assert first.code == 0, first.err
    found = first.json()
    assert len(found) == 3
    with Workspace.open(demo_workspace, read_only=True) as ws:
        active = sum(1 for r in facts(ws) if r["own_events"])
        for p in found:
            kept = members(ws, Segment(name="x", rule=p["segment_rule"]))
            assert len(kept) == p["rule_customers"]
    assert sum(p["customers"] for p in found) == active
    assert [p["customers"] for p in found] == sorted((p["customers"] for p in found), reverse=True)
    for p in found:
        persona = load_persona(Path(p["file"]))
        assert persona.segment_rule == p["segment_rule"]
        assert p["description"]["vi"] and p["description"]["en"]
        assert 0 < p["rule_recall"] <= 1
    again = cli("persona", "suggest", "-w", demo_workspace, "--k", "3", "--dry-run", "--json")
    assert [p["segment_rule"] for p in again.json()] == [p["segment_rule"] for p in found]
    assert cli("persona", "suggest", "-w", demo_workspace, "--k", "3").code == 2  # files exist
    shown = cli("persona", "show", found[0]["persona"]["id"], "-w", demo_workspace, "--json")
    assert shown.json()["segment"]["customers"] == found[0]["rule_customers"]
    one = cli("persona", "suggest", "-w", demo_workspace, "--k", "1", "--dry-run")
    assert one.code == 2 and "--k" in one.err


def test_a_rule_and_a_list_together_are_refused(cli: Any, shop: Path, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("zalo_id:z42\n", "utf-8")
    both = cli("segment", "add", "x", "-w", shop, "--rule", "orders >= 1", "--from-file", ids)
    assert both.code == 2 and "conflicting_options" in both.err
    assert cli("segment", "list", "-w", shop, "--json").json() == []
