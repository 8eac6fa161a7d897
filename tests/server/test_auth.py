"""Every workspace route refuses: no key, a wrong key, another workspace's key, a revoked
key, and a key whose role does not fit; the right key gets in (so the refusals mean it)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from journeyscope.events.keys import key_id_of
from journeyscope.server.app import create_app
from tests.server.conftest import Shop, bearer

SAMPLE_PATH = {"name": "shop", "ref": "user_id:u1", "map_name": "m", "key_id": "0123456789ab"}
SAMPLE_QUERY = {
    "funnel": {"steps": "product_view,purchase"},
    "explain": {"identifier": "user_id:u1"},
}
ADMIN_ONLY = "/keys"


def workspace_routes() -> list[tuple[str, str]]:
    """(method, path template) of every route under a workspace, from the app's OpenAPI."""
    paths = create_app({}).openapi()["paths"]
    found = [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1/workspaces/{name}")
        for method in sorted(operations)
    ]
    assert len(found) >= 12  # reports, customers, identity, maps, keys
    return found


ROUTES = workspace_routes()


def call(client: TestClient, method: str, template: str, headers: dict[str, str]) -> Any:
    url = template.format(**SAMPLE_PATH)
    last = url.rstrip("/").rsplit("/", 1)[-1]
    params = SAMPLE_QUERY.get(last, {})
    body = {"role": "read"} if method == "POST" else None
    return client.request(method, url, params=params, json=body, headers=headers)


def assert_refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    if status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "template"), ROUTES)
def test_every_route_refuses_who_may_not(
    client: TestClient, shop: Shop, method: str, template: str
) -> None:
    forged = "jsk_" + "0" * 12 + "." + "A" * 43
    same_id_wrong_secret = shop.keys["read"].rsplit(".", 1)[0] + "." + "B" * 43
    for headers in (
        {},
        bearer("not-a-key"),
        bearer(forged),
        bearer(same_id_wrong_secret),
        bearer(shop.other_key),
        bearer(shop.revoked),
        {"Authorization": "Basic !!!"},
        {"Authorization": "Token " + shop.keys["admin"]},
    ):
        assert_refused(call(client, method, template, headers), 401, "unauthorized")
    assert_refused(call(client, method, template, bearer(shop.keys["write"])), 403, "forbidden")
    admin_only = ADMIN_ONLY in template
    if admin_only:
        assert_refused(call(client, method, template, bearer(shop.keys["read"])), 403, "forbidden")
    allowed = shop.keys["admin" if admin_only else "read"]
    answer = call(client, method, template, bearer(allowed))
    assert answer.status_code not in (401, 403), answer.text


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
