"""The routes behind the web app's dashboards: event names with their counts, who dropped at
a funnel step (the CLI's ``funnel --dropped-at``), and saved dashboards (readers list them,
editors and admins save and delete them, in the workspace's ``dashboards.json``)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient

from journeyscope.app import run
from journeyscope.app.queries import DroppedQuery
from journeyscope.events.workspace import Workspace
from tests.server.conftest import Shop, bearer, shop_events

WS = "/api/v1/workspaces/shop"
STEPS = "product_view,add_to_cart,purchase"


def test_event_names_count_every_event_and_customer(client: TestClient, shop: Shop) -> None:
    answer = client.get(f"{WS}/event-names", headers=bearer(shop.keys["read"]))
    assert answer.status_code == 200, answer.text
    names = answer.json()["events"]
    events = Counter(e["event"] for e in shop_events())
    # u1 logs in with an e-mail, so every user is one customer: people per event, by hand
    people = {
        name: len({e["user_id"] for e in shop_events() if e["event"] == name}) for name in events
    }
    assert {n["event"]: n["events"] for n in names} == dict(events)
    assert {n["event"]: n["customers"] for n in names} == people
    counts = [n["events"] for n in names]
    assert counts == sorted(counts, reverse=True)


def test_dropped_lists_the_customers_the_funnel_counts(
    client: TestClient, shop: Shop, tmp_path: Path
) -> None:
    read = bearer(shop.keys["read"])
    funnel = client.get(f"{WS}/funnel", params={"steps": STEPS}, headers=read).json()
    answer = client.get(
        f"{WS}/funnel/dropped", params={"steps": STEPS, "step": "add_to_cart"}, headers=read
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["customers"] == funnel["steps"][2]["dropped"] == 2  # u3 and u4 never bought
    assert body["truncated"] is False
    # the same customers as the CLI's --dropped-at file
    target = tmp_path / "dropped.csv"
    with Workspace.open(shop.root, read_only=True) as ws:
        run(DroppedQuery(steps=STEPS, step="add_to_cart", output=target), ws)
    with target.open(encoding="utf-8-sig") as fh:
        expected = sorted(int(row["customer_id"]) for row in csv.DictReader(fh))
    assert sorted(r["customer_id"] for r in body["rows"]) == expected
    assert all(r["reached_at"] for r in body["rows"])


def test_dropped_refuses_a_last_or_unknown_step(client: TestClient, shop: Shop) -> None:
    read = bearer(shop.keys["read"])
    last = client.get(
        f"{WS}/funnel/dropped", params={"steps": STEPS, "step": "purchase"}, headers=read
    )
    assert last.status_code == 400
    assert last.json()["error"]["code"] == "invalid_steps"
    unknown = client.get(
        f"{WS}/funnel/dropped",
        params={"steps": STEPS, "step": "checkout"},
        headers={**read, "Accept-Language": "vi"},
    )
    assert 400 <= unknown.status_code < 500
    assert "bước phễu" in unknown.json()["error"]["message"]
    missing = client.get(f"{WS}/funnel/dropped", params={"steps": STEPS}, headers=read)
    assert missing.status_code == 422


def test_saved_dashboards_round_trip(fresh_client: TestClient, fresh_shop: Shop) -> None:
    admin, read = bearer(fresh_shop.keys["admin"]), bearer(fresh_shop.keys["read"])
    url = f"{WS}/dashboards"
    assert fresh_client.get(url, headers=read).json() == {"dashboards": []}
    body = {"page": "funnel", "name": "Phễu giỏ hàng", "query": "steps=a,b&window=7d"}
    assert fresh_client.post(url, json=body, headers=read).status_code == 403
    saved = fresh_client.post(url, json=body, headers=admin)
    assert saved.status_code == 201, saved.text
    first = saved.json()
    assert first["query"] == "steps=a,b&window=7d" and first["author"]
    other = fresh_client.post(url, json={**body, "page": "paths", "query": "from=a"}, headers=admin)
    assert other.status_code == 201
    # the same name on the same page replaces it
    again = fresh_client.post(url, json={**body, "query": "steps=a,c"}, headers=admin).json()
    funnel = fresh_client.get(url, params={"page": "funnel"}, headers=read).json()["dashboards"]
    assert [(d["name"], d["query"]) for d in funnel] == [("Phễu giỏ hàng", "steps=a,c")]
    stored = json.loads((fresh_shop.root / "dashboards.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in stored["dashboards"]} == {again["id"], other.json()["id"]}
    gone = fresh_client.delete(f"{url}/{again['id']}", headers=admin)
    assert gone.status_code == 200
    assert fresh_client.delete(f"{url}/{again['id']}", headers=admin).status_code == 404
    left = fresh_client.get(url, headers=read).json()["dashboards"]
    assert [d["page"] for d in left] == ["paths"]


def test_a_bad_dashboard_is_refused_with_its_field(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    url = f"{WS}/dashboards"
    for body in (
        {"page": "nowhere", "name": "x"},
        {"page": "funnel", "name": ""},
        {"page": "funnel", "name": "a\u0000b"},
        {"page": "funnel", "name": "x", "query": "q" * 2001},
        {"page": "funnel", "name": "x", "extra": 1},
    ):
        answer = fresh_client.post(url, json=body, headers=admin)
        assert answer.status_code == 422, body
    assert not (fresh_shop.root / "dashboards.json").exists()
    (fresh_shop.root / "dashboards.json").write_text("{not json", encoding="utf-8")
    broken = fresh_client.get(url, headers=bearer(fresh_shop.keys["read"]))
    assert broken.status_code == 400
    assert broken.json()["error"]["location"]["file"] == "dashboards.json"
