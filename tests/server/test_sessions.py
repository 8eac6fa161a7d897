"""Every workspace route under a web session: a viewer, an editor and an admin each get
exactly what their role allows (the same routes keys use, found in ``app.routes``), every
change needs the session's CSRF token, and a session of one workspace opens no other."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from journeyscope.events.users import add_user
from journeyscope.events.workspace import Workspace
from journeyscope.server import deps
from journeyscope.server.app import Limits, create_app
from journeyscope.server.routers.jobs import job_admin
from tests.server.conftest import Shop
from tests.server.test_auth_matrix import ROUTES, call, flat

PASSWORD = "một-mật-khẩu-dài"
WEB_ROLE_OF: dict[Callable[..., Any], str] = {
    deps.read_workspace: "viewer",
    deps.editor_read_workspace: "editor",
    deps.admin_read_workspace: "admin",
    deps.admin_workspace: "admin",
    deps.admin_key: "admin",
    job_admin: "admin",
}
RANK = {"viewer": 0, "editor": 1, "admin": 2}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def web_roles() -> dict[tuple[str, str], str]:
    """(method, path) → the least web role the route lets in."""
    found: dict[tuple[str, str], str] = {}
    for path, route in flat(create_app({}).routes):
        if not isinstance(route, APIRoute):
            continue
        roles = {WEB_ROLE_OF[c] for c in _calls(route.dependant) if c in WEB_ROLE_OF}
        if roles:
            for method in route.methods or ():
                found[(method, path)] = max(roles, key=RANK.__getitem__)
    return found


WEB_ROLES = web_roles()


@pytest.fixture(scope="module")
def web_client(shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    base = tmp_path_factory.mktemp("sessions")
    root = Path(shutil.copytree(shop.root, base / "shop"))
    other = Path(shutil.copytree(shop.other, base / "other"))
    with Workspace.open(root) as ws:
        for role in RANK:
            add_user(ws, f"{role}@shop.vn", role, PASSWORD)
    with Workspace.open(other) as ws:
        add_user(ws, "admin@other.vn", "admin", PASSWORD)
    app = create_app({"shop": root, "other": other}, limits=Limits(0, 0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def signed_in(client: TestClient, email: str, workspace: str = "shop") -> str:
    """Sign ``client`` in (its cookie jar keeps the session); the session's CSRF token."""
    client.cookies.clear()
    answer = client.post(
        f"/api/v1/workspaces/{workspace}/session", json={"email": email, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf"]
    return csrf


def test_every_route_has_a_web_role() -> None:
    for method, path, _role in ROUTES:
        assert (method, path) in WEB_ROLES, (method, path)
    assert WEB_ROLES[("GET", "/api/v1/workspaces/{name}/funnel")] == "viewer"
    assert WEB_ROLES[("PUT", "/api/v1/workspaces/{name}/maps/{map_name}")] == "editor"
    assert WEB_ROLES[("POST", "/api/v1/workspaces/{name}/keys")] == "admin"


@pytest.mark.parametrize("user", list(RANK))
def test_each_role_gets_exactly_what_it_may(web_client: TestClient, user: str) -> None:
    csrf = signed_in(web_client, f"{user}@shop.vn")
    for method, path, _role in ROUTES:
        if method in UNSAFE and "session" in path:
            continue
        needed = WEB_ROLES[(method, path)]
        answer = call(web_client, method, path, {"X-CSRF-Token": csrf})
        if RANK[user] < RANK[needed]:
            assert answer.status_code == 403, (user, method, path, answer.text)
            assert answer.json()["error"]["code"] == "forbidden"
        else:
            assert answer.status_code not in (401, 403), (user, method, path, answer.text)
        if path.endswith("/users/{email}") and method == "DELETE":
            csrf = signed_in(web_client, f"{user}@shop.vn")  # nobody@ was not us; stay safe


def test_changes_without_the_csrf_token_are_refused(web_client: TestClient) -> None:
    signed_in(web_client, "admin@shop.vn")
    for method, path, _role in ROUTES:
        if method not in UNSAFE:
            continue
        for headers in ({}, {"X-CSRF-Token": "f" * 64}):
            answer = call(web_client, method, path, headers)
            assert answer.status_code == 403, (method, path, answer.text)
            assert answer.json()["error"]["code"] == "csrf_failed"


def test_a_session_opens_only_its_own_workspace(web_client: TestClient) -> None:
    csrf = signed_in(web_client, "admin@other.vn", "other")
    assert web_client.get("/api/v1/workspaces/other/stats").status_code == 200
    for method, path, _role in ROUTES:
        answer = call(web_client, method, path, {"X-CSRF-Token": csrf})  # paths name `shop`
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "unauthorized"


def test_signed_out_sessions_and_forged_cookies_open_nothing(web_client: TestClient) -> None:
    csrf = signed_in(web_client, "viewer@shop.vn")
    assert web_client.get("/api/v1/session").json()["user"]["email"] == "viewer@shop.vn"
    assert web_client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert web_client.get("/api/v1/workspaces/shop/stats").status_code == 401
    for forged in ("shop~jss_000000000000.x", "shop~", "~", "shop~jsk_" + "0" * 12 + ".y"):
        web_client.cookies.clear()
        web_client.cookies.set("journeyscope_session", forged)
        assert web_client.get("/api/v1/workspaces/shop/stats").status_code == 401
        assert web_client.get("/api/v1/session").json()["error"]["code"] == "signed_out"


def test_sign_in_attempts_are_rate_limited_per_client(web_client: TestClient) -> None:
    """Each attempt costs an argon2 check under the workspace's write gate: a flood from one
    address gets 429 with Retry-After before it can hold the workspace."""
    statuses = []
    for _ in range(8):
        answer = web_client.post(
            "/api/v1/workspaces/shop/session",
            json={"email": "nobody@shop.vn", "password": "x" * 12},
        )
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert int(answer.headers["Retry-After"]) >= 1
            assert answer.json()["error"]["code"] == "rate_limited"
    assert 401 in statuses and 429 in statuses


def test_behind_an_https_proxy_the_cookie_is_secure_anyway(shop: Shop) -> None:
    """`serve --secure-cookies`: the request the server sees from its TLS proxy is plain
    HTTP, yet the browser's cookie must only ever travel over HTTPS."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(shutil.copytree(shop.root, Path(folder) / "shop"))
        with Workspace.open(root) as ws:
            add_user(ws, "proxy@shop.vn", "viewer", PASSWORD)
        for flag, expected in ((False, False), (True, True)):
            app = create_app({"shop": root}, limits=Limits(0, 0), secure_cookies=flag)
            with TestClient(app) as client:
                answer = client.post(
                    "/api/v1/workspaces/shop/session",
                    json={"email": "proxy@shop.vn", "password": PASSWORD},
                )
                assert answer.status_code == 200, answer.text
                cookie = answer.headers["set-cookie"].lower()
                assert ("; secure" in cookie) is expected, cookie
                assert "httponly" in cookie and "samesite=strict" in cookie
