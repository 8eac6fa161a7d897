"""Keys across workspaces, HTTP Basic, unknown workspaces, revocation through the API.
The refusals of every route (no key, wrong, foreign, revoked, wrong role) are in
test_auth_matrix.py, which finds the routes in ``app.routes``."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

from journeyscope.events.keys import key_id_of
from tests.server.conftest import Shop, bearer


def assert_refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    if status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_key_of_one_workspace_never_opens_another(client: TestClient, shop: Shop) -> None:
    own = client.get("/api/v1/workspaces/other/stats", headers=bearer(shop.other_key))
    assert own.status_code == 200
    assert own.json()["events"] == 4
    for key in shop.keys.values():
        answer = client.get("/api/v1/workspaces/other/stats", headers=bearer(key))
        assert_refused(answer, 401, "unauthorized")


def test_http_basic_with_the_key_as_user_name(client: TestClient, shop: Shop) -> None:
    def basic(user: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:".encode()).decode()}

    assert (
        client.get("/api/v1/workspaces/shop/stats", headers=basic(shop.keys["read"])).status_code
        == 200
    )
    assert_refused(
        client.get("/api/v1/workspaces/shop/stats", headers=basic("nope")), 401, "unauthorized"
    )


def test_an_unknown_workspace_is_a_404(client: TestClient, shop: Shop) -> None:
    answer = client.get("/api/v1/workspaces/nosuch/stats", headers=bearer(shop.keys["read"]))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_revoking_through_the_api_counts_at_once(client: TestClient, shop: Shop) -> None:
    admin = bearer(shop.keys["admin"])
    made = client.post(
        "/api/v1/workspaces/shop/keys", json={"role": "read", "name": "tmp"}, headers=admin
    )
    assert made.status_code == 201
    key = made.json()["key"]
    assert client.get("/api/v1/workspaces/shop/stats", headers=bearer(key)).status_code == 200
    listed = client.get("/api/v1/workspaces/shop/keys", headers=admin).json()["keys"]
    assert made.json()["id"] in [k["id"] for k in listed]
    assert all("key" not in k and "digest" not in k for k in listed)  # never a secret
    key_id = key_id_of(key)
    gone = client.delete(f"/api/v1/workspaces/shop/keys/{key_id}", headers=admin)
    assert gone.status_code == 200 and gone.json()["revoked_at"]
    assert_refused(
        client.get("/api/v1/workspaces/shop/stats", headers=bearer(key)), 401, "unauthorized"
    )
