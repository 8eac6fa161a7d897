"""Signing in and out, the frame, languages, accessibility and the session's defences."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from tests.server.web.conftest import (
    PASSWORD,
    USERS,
    Tab,
    Web,
    axe_violations,
    english_left,
    sign_in_request,
)

pytestmark = pytest.mark.browser


def test_sign_in_through_the_form_then_overview_in_vietnamese(tab: Callable[..., Tab]) -> None:
    t = tab(role=None, lang="vi")
    page = t.open("/", wait_for="#signin-email")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    t.shot("signin.vi")
    page.select_option("#signin-workspace", "shop")
    page.fill("#signin-email", USERS["admin"])
    page.fill("#signin-password", "sai-mật-khẩu-rồi")
    page.click("button[type=submit]")
    page.wait_for_selector("#signin-error:not(:empty)")
    assert "không đúng" in page.inner_text("#signin-error")
    page.fill("#signin-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#overview .kpi")
    page.wait_for_selector("#overview canvas")
    assert page.get_by_role("heading", name="Tổng quan").is_visible()
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("overview.vi")


def test_accept_language_decides_before_sign_in(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role=None, lang="en")
    page = t.open("/", wait_for="#signin-email")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert axe_violations(page) == []
    t.shot("signin.en")
    request = urllib.request.Request(f"{web.base}/", headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    with urllib.request.urlopen(request) as answer:
        assert '<html lang="vi">' in answer.read().decode()


def test_language_switch_is_remembered(tab: Callable[..., Tab]) -> None:
    t = tab(role="viewer", lang="en")
    page = t.open("/", wait_for="#overview .kpi")
    assert page.get_by_role("heading", name="Overview").is_visible()
    page.select_option("#language", "vi")
    page.wait_for_selector("text=Tổng quan")
    page.reload()
    page.wait_for_selector("#overview .kpi")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert english_left(page) == []


def test_viewer_has_no_admin_pages_and_the_api_refuses(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="viewer", lang="en")
    page = t.open("/", wait_for="#overview .kpi")
    assert page.locator("a.nav-link[href='#/users']").count() == 0
    csrf = page.evaluate("window.journeyscope.session.csrf")
    answer = page.request.post(
        f"{web.base}/api/v1/workspaces/shop/keys",
        data=json.dumps({"role": "admin"}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert answer.status == 403


def test_changes_need_the_csrf_token(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="admin", lang="en")
    page = t.open("/", wait_for="#overview .kpi")
    body = json.dumps({"role": "read", "name": "csrf-test"})
    plain = {"Content-Type": "application/json"}
    refused = page.request.post(f"{web.base}/api/v1/workspaces/shop/keys", data=body, headers=plain)
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = page.request.post(
        f"{web.base}/api/v1/workspaces/shop/keys",
        data=body,
        headers={**plain, "X-CSRF-Token": "0" * 64},
    )
    assert wrong.status == 403
    csrf = page.evaluate("window.journeyscope.session.csrf")
    made = page.request.post(
        f"{web.base}/api/v1/workspaces/shop/keys",
        data=body,
        headers={**plain, "X-CSRF-Token": csrf},
    )
    assert made.status == 201, made.text()
    revoke = page.request.delete(
        f"{web.base}/api/v1/workspaces/shop/keys/{made.json()['id']}",
        headers={"X-CSRF-Token": csrf},
    )
    assert revoke.status == 200


def test_session_cookie_is_httponly_strict_and_renewed_at_sign_in(browser: Any, web: Web) -> None:
    context = browser.new_context()
    try:
        context.add_cookies(
            [
                {
                    "name": "journeyscope_session",
                    "value": "shop~jss_000000000000.planted",
                    "url": web.base,
                }
            ]
        )
        assert sign_in_request(context, web.base, "shop", USERS["viewer"]).status == 200
        (cookie,) = [c for c in context.cookies() if c["name"] == "journeyscope_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert "planted" not in cookie["value"]
        first = cookie["value"]
        assert sign_in_request(context, web.base, "shop", USERS["viewer"]).status == 200
        (again,) = [c for c in context.cookies() if c["name"] == "journeyscope_session"]
        assert again["value"] != first  # a new session at each sign-in: none can be fixed
        # the first session was ended when the second began
        stale = browser.new_context()
        stale.add_cookies([{"name": "journeyscope_session", "value": first, "url": web.base}])
        assert stale.request.get(f"{web.base}/api/v1/session").status == 401
        stale.close()
    finally:
        context.close()


def test_sign_out_everywhere_ends_other_sessions(browser: Any, web: Web) -> None:
    one, two = browser.new_context(), browser.new_context()
    try:
        for context in (one, two):
            assert sign_in_request(context, web.base, "shop", USERS["editor"]).status == 200
        me = one.request.get(f"{web.base}/api/v1/session").json()
        ended = one.request.post(
            f"{web.base}/api/v1/session/everywhere", headers={"X-CSRF-Token": me["csrf"]}
        )
        assert ended.status == 200
        assert two.request.get(f"{web.base}/api/v1/session").status == 401
        assert one.request.get(f"{web.base}/api/v1/session").status == 401
    finally:
        one.close()
        two.close()


def test_one_workspace_session_cannot_read_another(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="admin", lang="en", workspace="other")
    page = t.open("/", wait_for="#overview .kpi")
    assert page.request.get(f"{web.base}/api/v1/workspaces/shop/stats").status == 401
    assert page.request.get(f"{web.base}/api/v1/workspaces/other/stats").status == 200


def test_no_request_leaves_the_server(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="admin", lang="vi")
    seen: list[str] = []
    t.page.on("request", lambda r: seen.append(r.url))
    t.open("/", wait_for="#overview canvas")
    assert seen and all(u.startswith(web.base) or u.startswith(("data:", "blob:")) for u in seen)


def test_bad_sign_in_bodies_are_4xx(web: Web) -> None:
    def post(body: bytes, kind: str = "application/json") -> int:
        request = urllib.request.Request(
            f"{web.base}/api/v1/workspaces/shop/session", data=body, headers={"Content-Type": kind}
        )
        try:
            with urllib.request.urlopen(request) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    assert post(b"{not json") == 422
    assert post(json.dumps({"email": USERS["admin"]}).encode()) == 422
    assert post(b"email=a&password=b", "application/x-www-form-urlencoded") == 422
    assert post(json.dumps({"email": "nobody@shop.vn", "password": "x" * 12}).encode()) == 401
