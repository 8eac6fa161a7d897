"""The web app's thin routes: customer search (a phone in any spelling finds the customer
``customers show`` finds), events received per source, and an import's quarantined rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from journeyscope.events.keys import create_key
from journeyscope.events.workspace import Workspace
from journeyscope.server.app import Limits, create_app
from tests.conftest import Result
from tests.server.conftest import Shop, bearer, build_workspace
from tests.server.test_jobs import poll

API = "/api/v1/workspaces/shop"
BAD_ROW_CSV = (
    "event_id,ts,event,channel,user_id,revenue\n"
    "Q1,2024-03-06T10:00:00Z,purchase,web,u9,1250000\n"
    "Q2,not-a-time,purchase,web,u9,10\n"
    "Q3,2024-03-06T11:00:00Z,page_view,web,u9,\n"
)


def test_search_names_customers_by_id_identifier_or_bare_text(
    client: TestClient, shop: Shop, cli: Callable[..., Result]
) -> None:
    read = bearer(shop.keys["read"])
    shown = cli("customers", "show", "email:lan@example.com", "-w", shop.root, "--json")
    cid = shown.json()["customer_id"]
    for text in ("LAN@Example.com", "email:lan@example.com", "u1", str(cid)):
        answer = client.get(f"{API}/customers", params={"q": text}, headers=read)
        assert answer.status_code == 200, answer.text
        assert [m["customer_id"] for m in answer.json()["matches"]] == [cid], text
    by_mail = client.get(f"{API}/customers", params={"q": " LAN@Example.com "}, headers=read)
    assert by_mail.json()["matches"][0]["identifier"] == "email:lan@example.com"
    none = client.get(f"{API}/customers", params={"q": "nobody-here"}, headers=read)
    assert none.json() == {"query": "nobody-here", "matches": []}
    empty = client.get(f"{API}/customers", params={"q": "  "}, headers=read)
    assert empty.status_code == 400
    assert empty.json()["error"]["location"]["field"] == "q"
    wrong_type = client.get(f"{API}/customers", params={"q": "phone:not a phone"}, headers=read)
    assert wrong_type.status_code == 400


def test_a_phone_written_any_way_finds_the_customer_the_cli_shows(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    events = [
        {"phone": "(+84) 912.345.678", "event": "page_view", "ts": "2024-03-01T10:00:00Z"},
        {"phone": "0912345678", "user_id": "u1", "event": "purchase", "ts": "2024-03-02T10:00:00Z"},
        {"phone": "0987654321", "event": "page_view", "ts": "2024-03-02T10:00:00Z"},
    ]
    root = build_workspace(tmp_path / "phones", events)
    with Workspace.open(root) as ws:
        key = create_key(ws, "read", "t")[1]
    cid = cli("customers", "show", "phone:0912345678", "-w", root, "--json").json()["customer_id"]
    with TestClient(create_app({"p": root}, limits=Limits(0, 0))) as client:
        for text in ("0912 345 678", "+84912345678", "+84 912-345-678", "phone:0912.345.678"):
            answer = client.get(
                "/api/v1/workspaces/p/customers", params={"q": text}, headers=bearer(key)
            )
            matches = answer.json()["matches"]
            assert matches == [
                {"customer_id": cid, "identifier": "phone:+84912345678", "status": "linked"}
            ], text


def test_activity_counts_what_arrived_per_source_and_quarantine_shows_refused_rows(
    fresh_client: TestClient, fresh_shop: Shop, tmp_path: Path
) -> None:
    admin, read = fresh_shop.keys["admin"], bearer(fresh_shop.keys["read"])
    before = fresh_client.get(f"{API}/activity", headers=read).json()
    stats = fresh_client.get(f"{API}/stats", headers=read).json()
    assert sum(s["total"] for s in before["sources"]) == stats["events"]
    assert all(s["last_hour"] == s["total"] for s in before["sources"])  # built just now
    assert before["imports"] and before["timezone"] == "UTC"

    started = fresh_client.post(
        f"{API}/imports",
        files={"file": ("orders.csv", BAD_ROW_CSV.encode())},
        data={"mapping": "source: pos\n"},
        headers=bearer(admin),
    )
    assert started.status_code == 202, started.text
    job = poll(fresh_client, started.json()["status_url"], admin)
    assert job["status"] == "done", job
    result = job["result"]
    assert result["accepted"] == 2 and result["rejected"] == 1

    after = fresh_client.get(f"{API}/activity", headers=read).json()
    pos = next(s for s in after["sources"] if s["source"] == "pos")
    assert (pos["last_hour"], pos["last_day"], pos["total"]) == (2, 2, 2)
    assert after["imports"][0]["file"] == "orders.csv" and after["imports"][0]["rejected"] == 1

    url = f"{API}/imports/quarantine"
    refused = fresh_client.get(url, params={"file": result["quarantine"]}, headers=bearer(admin))
    assert refused.status_code == 200, refused.text
    body = refused.json()
    assert body["total"] == 1
    row = body["rows"][0]
    assert (row["file"], row["line"], row["field"]) == ("orders.csv", 3, "ts")
    assert "not-a-time" in row["reason"] and '"Q2"' in row["record"]
    assert (
        fresh_client.get(url, params={"file": result["quarantine"]}, headers=read).status_code
        == 403
    )
    for bad in ("../workspace.yaml", "quarantine/../journeyscope.duckdb", "ingest-x.csv"):
        answer = fresh_client.get(url, params={"file": bad}, headers=bearer(admin))
        assert answer.status_code == 400, bad
    gone = fresh_client.get(
        url, params={"file": "quarantine/ingest-20000101T000000000000.csv"}, headers=bearer(admin)
    )
    assert gone.status_code == 404
