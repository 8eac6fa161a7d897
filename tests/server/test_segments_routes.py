"""``/api/v1/workspaces/{ws}/segments``: the CLI's `segment` commands over HTTP, with the
same numbers, a dropped-at list posted back as a segment, and errors as the one JSON shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.server.conftest import Shop, bearer

BASE = "/api/v1/workspaces/shop"


def test_segments_round_trip(fresh_client: TestClient, fresh_shop: Shop) -> None:
    admin, read = bearer(fresh_shop.keys["admin"]), bearer(fresh_shop.keys["read"])
    made = fresh_client.post(
        f"{BASE}/segments",
        json={"name": "buyers", "rule": "orders >= 1", "description": "Đã mua"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["customers"] == 2  # u1 and u2 buy
    listed = fresh_client.get(f"{BASE}/segments", headers=read).json()
    assert [(s["name"], s["customers"]) for s in listed] == [("buyers", 2)]
    shown = fresh_client.get(f"{BASE}/segments/buyers", headers=read).json()
    assert (shown["customers"], shown["total_customers"], shown["orders"]) == (2, 6, 3)
    assert shown["typical_order_value"] == 100  # orders of 100, 200 and 50
    funnel = fresh_client.get(
        f"{BASE}/funnel",
        params={"steps": "product_view,add_to_cart", "where": "segment = buyers"},
        headers=read,
    ).json()
    assert [s["customers"] for s in funnel["steps"]] == [2, 2]
    refused = fresh_client.post(f"{BASE}/segments", json={"name": "x", "rule": "orders >= 1"},
                                headers=read)  # fmt: skip
    assert refused.status_code == 403
    gone = fresh_client.delete(f"{BASE}/segments/buyers", headers=admin)
    assert gone.status_code == 200 and gone.json() == {"deleted": "buyers"}
    missing = fresh_client.get(f"{BASE}/segments/buyers", headers=read)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_segment"


def test_a_dropped_list_becomes_a_segment(fresh_client: TestClient, fresh_shop: Shop) -> None:
    admin, read = bearer(fresh_shop.keys["admin"]), bearer(fresh_shop.keys["read"])
    dropped = fresh_client.get(
        f"{BASE}/funnel/dropped",
        params={"steps": "product_view,add_to_cart", "step": "product_view"},
        headers=read,
    )
    assert dropped.status_code == 200, dropped.text
    rows = dropped.json()["rows"]
    assert {"email", "phone", "zalo_id", "identifiers"} <= set(rows[0])
    members = [r["customer_id"] for r in rows]  # numbers, as the rows carry them
    made = fresh_client.post(
        f"{BASE}/segments",
        json={"name": "dropped", "members": members, "source": "funnel dropped"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["customers"] == len(rows) == 2  # u5 and u6 never add to cart
    assert all(m.startswith("user_id:") for m in made.json()["members"])


def test_bad_segments_are_refused_in_the_error_shape(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    admin = bearer(fresh_shop.keys["admin"])
    bad = fresh_client.post(
        f"{BASE}/segments?lang=vi", json={"name": "x", "rule": "oders >= 1"}, headers=admin
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown_segment_field"
    assert "orders" in bad.json()["error"]["hint"]
    neither = fresh_client.post(f"{BASE}/segments", json={"name": "x"}, headers=admin)
    assert neither.status_code == 400
