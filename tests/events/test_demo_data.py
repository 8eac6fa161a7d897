"""The demo data: deterministic, imports cleanly, and carries the facts it claims to plant."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from journeyscope.events.demo_data import generate
from journeyscope.events.workspace import Workspace


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.suffix != ".parquet"  # parquet embeds a writer version; compare its rows instead
    }


def test_same_seed_same_files_other_seed_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", customers=150, seed=3)
    generate(tmp_path / "b", customers=150, seed=3)
    generate(tmp_path / "c", customers=150, seed=4)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    con = duckdb.connect()
    left = con.execute(f"SELECT * FROM '{tmp_path / 'a' / 'truth.parquet'}'").fetchall()
    right = con.execute(f"SELECT * FROM '{tmp_path / 'b' / 'truth.parquet'}'").fetchall()
    assert left == right


def test_every_export_imports_whole(demo_sources: Path, demo_workspace: Path) -> None:
    facts = json.loads((demo_sources / "facts.json").read_text(encoding="utf-8"))
    with Workspace.open(demo_workspace, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM events") == facts["events"]
        per_file = dict(ws.con.execute("SELECT file_name, accepted FROM imports").fetchall())
        assert ws.scalar("SELECT sum(rejected) FROM imports") == 0
    assert per_file == {f["file"]: f["events"] for f in facts["files"]}


def test_it_covers_the_channels_and_noise_the_retailer_has(
    demo_sources: Path, demo_workspace: Path
) -> None:
    raw = (demo_sources / "messages.csv").read_text(encoding="utf-8")
    assert '," ' in raw  # e-mails typed with spaces around them
    with Workspace.open(demo_workspace, read_only=True) as ws:
        channels = {r[0] for r in ws.con.execute("SELECT DISTINCT channel FROM events").fetchall()}
        assert {
            "facebook",
            "google_ads",
            "tiktok",
            "web",
            "app",
            "shopee",
            "lazada",
            "tiktok_shop",
            "store",
            "hotline",
            "email",
            "sms",
            "zalo",
            "search",
        } <= channels
        phones = [
            r[0]
            for r in ws.con.execute(
                "SELECT DISTINCT phone FROM events WHERE phone IS NOT NULL"
            ).fetchall()
        ]
        assert any(p.startswith("+84") for p in phones)
        assert any(" " in p for p in phones) and any(p.startswith("84-") for p in phones)
        emails = [
            r[0]
            for r in ws.con.execute(
                "SELECT DISTINCT email FROM events WHERE email IS NOT NULL"
            ).fetchall()
        ]
        assert any(e != e.lower() for e in emails)
        assert any("gmial.com" in e or "outlok.com" in e for e in emails)
        texts = " ".join(
            r[0]
            for r in ws.con.execute(
                "SELECT properties->>'text' FROM events WHERE event = 'review'"
            ).fetchall()
        )
        assert "Giao hàng trễ" in texts or "giao chậm" in texts


def test_planted_facts_are_in_the_data(demo_sources: Path, demo_workspace: Path) -> None:
    facts = json.loads((demo_sources / "facts.json").read_text(encoding="utf-8"))
    with Workspace.open(demo_workspace, read_only=True) as ws:
        # the bad checkout step loses far more people than the app's checkout
        def loss(touchpoint: str) -> float:
            reached, bought = ws.con.execute(
                """WITH c AS (
                    SELECT customer_id, ts FROM events_with_customers WHERE touchpoint = ?)
                SELECT count(*), count(*) FILTER (EXISTS (
                    SELECT 1 FROM events_with_customers p WHERE p.customer_id = c.customer_id
                    AND p.event = 'purchase' AND p.ts BETWEEN c.ts AND c.ts + INTERVAL 1 DAY))
                FROM c""",
                [touchpoint],
            ).fetchone() or (0, 0)
            return 1 - bought / reached

        bad, good = loss(facts["bad_touchpoint"]["touchpoint"]), loss("app:/checkout")
        assert bad > 0.5 and good < 0.25
        # late deliveries are rated low, on-time ones high
        late, on_time = ws.con.execute(
            """SELECT avg(CAST(r.properties->>'rating' AS DOUBLE)) FILTER (late),
                      avg(CAST(r.properties->>'rating' AS DOUBLE)) FILTER (NOT late)
            FROM (SELECT r.*, EXISTS (
                    SELECT 1 FROM events_with_customers d WHERE d.customer_id = r.customer_id
                    AND d.event = 'delivery_late'
                    AND d.ts BETWEEN r.ts - INTERVAL 12 DAY AND r.ts) AS late
                  FROM events_with_customers r WHERE r.event = 'review') r"""
        ).fetchone() or (0, 0)
        assert late < 2.5 and on_time > 4
    assert facts["late_delivery_emotion_dip"]["late_orders"] > 0
    with Workspace.open(demo_workspace, read_only=True) as ws:
        unpriced = ws.scalar(
            "SELECT count(*) FROM events WHERE event = 'purchase' AND coalesce(revenue, 0) <= 0"
        )
    assert unpriced == 0  # every order, in every channel, carries its value in VND
    assert facts["identity_traps"]["shared_device"] == "device_id:TAB-CH-Q1-01"


def test_the_reports_planted_numbers_are_the_generators(demo_sources: Path) -> None:
    """demo/findings.PLANTED repeats what demo_data plants; its `why` texts must agree."""
    from journeyscope.demo.findings import PLANTED
    from journeyscope.events.demo_data import PERSONAS

    facts = json.loads((demo_sources / "facts.json").read_text(encoding="utf-8"))
    assert f"{PLANTED['bad_touchpoint_loss']:.0%}" in facts["bad_touchpoint"]["why"]
    assert f"{PLANTED['app_checkout_loss']:.0%}" in facts["bad_touchpoint"]["why"]
    assert f"by {PLANTED['zalo_cart_lift']:g}" in facts["driving_channel"]["why"]
    late = facts["late_delivery_emotion_dip"]["why"]
    assert f"{PLANTED['late_hotline_share']:.0%} call the hotline" in late
    assert f"{PLANTED['late_churn']:.0%} churn" in late
    assert "1-3 star" in late and PLANTED["late_rating"] == sum([1, 1, 2, 2, 3]) / 5
    weights = sum(p["weight"] for p in PERSONAS.values())
    assert abs(weights - 1) < 1e-9  # the on-time churn is a weighted mean of the personas
