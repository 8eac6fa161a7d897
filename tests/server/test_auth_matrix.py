"""Every route of the app, found in ``app.routes`` (a new route is covered the day it is
added), refuses who may not call it: no key, a wrong key, another workspace's key, a
revoked key, a key whose role does not fit — and lets the right key in, so the refusals
mean something. A workspace route whose authorisation this test cannot see fails it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from journeyscope.server import deps
from journeyscope.server.app import create_app
from journeyscope.server.routers.jobs import job_admin
from tests.server.conftest import Shop, bearer

WORKSPACE = "/api/v1/workspaces/{name}"
#: routes anyone may call: they send no workspace data
PUBLIC = frozenset(
    {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"}
)
#: the web app's page and files, and signing in and out (the session cookie is the
#: credential: tested in tests/server/web/ and test_sessions.py)
WEB = frozenset(
    {
        "/",
        "/static",
        "/api/v1/workspaces",
        f"{WORKSPACE}/session",
        "/api/v1/session",
        "/api/v1/session/everywhere",
    }
)
#: Segment-compatible collection (``/v1/batch``, ...): write keys, tested with collection
COLLECTION = "journeyscope.server.routers.collect"
ROLE_OF: dict[Callable[..., Any], str] = {
    deps.read_workspace: "read",
    deps.admin_read_workspace: "admin",
    deps.editor_read_workspace: "admin",  # web editors, or an admin key
    deps.admin_workspace: "admin",
    deps.admin_key: "admin",
    job_admin: "admin",
}
SAMPLE_PATH = {
    "name": "shop",
    "ref": "user_id:u1",
    "map_name": "m",
    "key_id": "0123456789ab",
    "persona_id": "p",
    "model_id": "retail5",
    "job_id": "0" * 32,
    "email": "nobody@shop.vn",
    "number": "1",
    "dashboard_id": "0123456789ab",
    "segment": "vip",
}
SAMPLE_QUERY = {
    "funnel": {"steps": "product_view,purchase"},
    "explain": {"identifier": "user_id:u1"},
}
SAMPLE_BODY = {"role": "read", "identifier": "user_id:nobody"}


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def required_role(route: APIRoute) -> str | None:
    """The role a route's dependencies ask for; ``None`` if none of the known ones."""
    roles = {ROLE_OF[call] for call in _calls(route.dependant) if call in ROLE_OF}
    assert len(roles) <= 1, (route.path, roles)
    return roles.pop() if roles else None


def flat(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) of every route, included routers opened (FastAPI keeps them
    nested in ``app.routes``)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from flat(nested.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def app_routes() -> list[tuple[str, str, str]]:
    """(method, path template, role) of every workspace route; fails on an unclassified one."""
    found: list[tuple[str, str, str]] = []
    for path, route in flat(create_app({}).routes):
        endpoint = getattr(route, "endpoint", None)
        if path in PUBLIC | WEB or getattr(endpoint, "__module__", "") == COLLECTION:
            continue
        assert isinstance(route, APIRoute), path
        assert path.startswith(WORKSPACE), f"{path}: not public, collection or a workspace's"
        role = required_role(route)
        assert role is not None, f"{path}: no authorising dependency"
        found.extend((method, path, role) for method in sorted(route.methods or ()))
    assert len(found) >= 12  # reports, customers, identity, maps, keys, and the write routes
    return found


ROUTES = app_routes()


@pytest.fixture(scope="module")
def matrix_client(
    shop: Shop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Shop]]:
    """A private copy of the shop: the allowed calls may write (blocks, a resolve job)."""
    base = tmp_path_factory.mktemp("matrix")
    root = Path(shutil.copytree(shop.root, base / "shop"))
    other = Path(shutil.copytree(shop.other, base / "other"))
    copy = Shop(root, other, shop.keys, shop.other_key, shop.revoked)
    app = create_app({"shop": root, "other": other})
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, copy


def call(client: TestClient, method: str, template: str, headers: dict[str, str]) -> Any:
    url = template.format(**SAMPLE_PATH)
    last = url.rstrip("/").rsplit("/", 1)[-1]
    params = SAMPLE_QUERY.get(last, {})
    body = SAMPLE_BODY if method in ("POST", "PUT", "DELETE") else None
    return client.request(method, url, params=params, json=body, headers=headers)


def assert_refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    if status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "template", "role"), ROUTES)
def test_every_route_refuses_who_may_not(
    matrix_client: tuple[TestClient, Shop], method: str, template: str, role: str
) -> None:
    client, shop = matrix_client
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
    if role == "admin":
        assert_refused(call(client, method, template, bearer(shop.keys["read"])), 403, "forbidden")
    answer = call(client, method, template, bearer(shop.keys[role]))
    assert answer.status_code not in (401, 403), answer.text


def test_the_write_routes_are_admin_only() -> None:
    roles = {(method, path): role for method, path, role in ROUTES}
    for method, path, role in ROUTES:
        if method in ("POST", "PUT", "DELETE") and not path.endswith("/maps/validate"):
            assert role == "admin", (method, path)
    assert roles[("GET", f"{WORKSPACE}/identity/export")] == "admin"
    assert roles[("GET", f"{WORKSPACE}/forget")] == "admin"
    assert roles[("GET", f"{WORKSPACE}/funnel")] == "read"
