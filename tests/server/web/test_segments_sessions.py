"""Sessions in the dashboards and the segments page, in the browser: a per-session funnel
shows the API's numbers and heads them "Sessions"; a rule segment made through the page is
listed with the API's size and opens the funnel filtered to it; who dropped at a step is
saved as a segment; viewers see no write control; both languages, no English left in
Vietnamese, no serious accessibility problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from tests.server.web.conftest import Tab, axe_violations, english_left
from tests.server.web.test_dashboards import STEPS, table_numbers

pytestmark = pytest.mark.browser

API = "/api/v1/workspaces/shop"


def api_get(page: Any, base: str, path: str) -> Any:
    """The REST API's JSON with the tab's own session cookie."""
    answer = page.request.get(f"{base}{API}{path}")
    assert answer.ok, answer.text()
    return answer.json()


def delete_in_page(page: Any, name: str) -> int:
    """DELETE /segments/NAME from the page, with its session's CSRF token: the status."""
    status: int = page.evaluate(
        """async (name) => (await fetch(`/api/v1/workspaces/shop/segments/${name}`, {
        method: 'DELETE', headers: {'X-CSRF-Token': window.journeyscope.session.csrf}})).status""",
        name,
    )
    return status


def viewer_sees_no_write_control(v: Tab) -> None:
    """A viewer reads the list and a segment, in Vietnamese, and cannot change them."""
    page = v.open("/segments", wait_for="#segments-table")
    assert page.locator("#segment-form").count() == 0
    assert page.locator("#segments-table button", has_text="Xoá").count() == 0
    assert page.locator("#segments-read-only").count() == 1
    assert english_left(page) == []
    assert axe_violations(page) == []
    v.shot("segments.vi")
    page = v.open("/segments?name=web-buyers", wait_for="#segment-detail .chart canvas")
    assert english_left(page) == []
    v.shot("segment-detail.vi")
    # the API refuses a viewer's write too, even with the session's CSRF token
    status = delete_in_page(page, "web-buyers")
    assert status == 403


def test_a_per_session_funnel_shows_the_apis_numbers(tab: Callable[..., Tab]) -> None:
    t = tab(role="editor", lang="en")
    page = t.open(f"/funnel?steps={STEPS}&window=7d", wait_for="#funnel-table tbody tr")
    assert page.is_disabled("#funnel-session-gap")  # a rule only means something per session
    page.select_option("#funnel-per", "session")
    page.fill("#funnel-session-gap", "45m")
    page.click("#funnel-form button[type=submit]")
    page.wait_for_selector(".sessions-note")
    page.wait_for_selector("#funnel-table tbody tr")
    assert "per=session" in page.url and "session_gap=45m" in page.url
    expected = api_get(
        t.page, t.base, f"/funnel?steps={STEPS}&window=7d&per=session&session_gap=45m"
    )
    assert expected["per"] == "session" and expected["session"]["gap_seconds"] == 2700
    keys = ("step", "customers", "conversion", "conversion_from_previous", "dropped")
    assert table_numbers(page) == [{k: s[k] for k in keys} for s in expected["steps"]]
    customers = api_get(t.page, t.base, f"/funnel?steps={STEPS}&window=7d")["steps"][0]
    assert expected["steps"][0]["customers"] > customers["customers"]  # more visits than people
    assert (page.locator("#funnel-table th").nth(1).text_content() or "").strip() == "Sessions"
    assert "45 min" in page.inner_text(".sessions-note")
    # who dropped lists customers: the API refuses it per session, the page does not offer it
    assert page.locator("#funnel-table button").count() == 0
    assert "not offered" in page.inner_text("#funnel-click-hint")
    refused = t.page.request.get(
        f"{t.base}{API}/funnel/dropped?steps={STEPS}&per=session&step=add_to_cart"
    )
    assert refused.status >= 400

    v = tab(role="viewer", lang="vi")
    route = f"/funnel?steps={STEPS}&window=7d&per=session&session_gap=45m"
    page = v.open(route, wait_for="#funnel-report canvas")
    page.wait_for_selector(".sessions-note")
    assert (page.locator("#funnel-table th").nth(1).text_content() or "").strip() == "Phiên"
    assert english_left(page) == []
    assert axe_violations(page) == []
    v.shot("funnel-session.vi")
    # paths and touchpoints take the same control; paths also merges repeated steps
    page = v.open(
        "/paths?from=product_view&per=session&merge_repeats=false", wait_for="#paths-variants"
    )
    page.wait_for_selector(".sessions-note")
    assert not page.is_checked("#paths-merge-repeats")
    shown = page.locator("#paths-variants thead").text_content() or ""
    assert "Phiên" in shown
    assert english_left(page) == []
    page.wait_for_timeout(700)  # the Sankey animates in
    v.shot("paths-session.vi")
    page = v.open("/touchpoints?per=session", wait_for="#touchpoints-table")
    page.wait_for_selector(".sessions-note")
    assert "Phiên" in (page.locator("#touchpoints-table thead").text_content() or "")


def test_a_segment_made_in_the_page_is_listed_and_used_in_a_report(
    tab: Callable[..., Tab],
) -> None:
    t = tab(role="editor", lang="en")
    page = t.open("/segments", wait_for="#segment-form")
    page.wait_for_selector("#segments-list table, #segments-list .state.empty")
    # a rule the grammar cannot read: the server's located message at the rule field
    page.fill("#segment-name", "web-buyers")
    page.fill("#segment-rule", "ordrs >= 2")
    page.click("#segment-form button[type=submit]")
    page.wait_for_selector("#segment-rule-error:not(:empty)")
    assert "ordrs" in page.inner_text("#segment-rule-error")
    assert page.get_attribute("#segment-rule", "aria-invalid") == "true"
    # an example from the help fills the rule
    page.locator(".segments-help button", has_text="revenue >= 5000000").click()
    assert page.input_value("#segment-rule").startswith("revenue >= 5000000")
    page.fill("#segment-rule", "orders >= 2")
    page.fill("#segment-description", "Khách mua từ 2 lần")
    page.click("#segment-form button[type=submit]")
    row = page.locator("#segments-table tr", has=page.locator("[data-segment='web-buyers']"))
    row.wait_for()
    listed = {s["name"]: s for s in api_get(page, t.base, "/segments")}
    size = listed["web-buyers"]["customers"]
    assert size > 0
    assert row.locator(".segment-size").get_attribute("data-value") == str(size)
    # a bad name is shown at the name field
    page.fill("#segment-name", "Web Buyers")
    page.fill("#segment-rule", "orders >= 1")
    page.click("#segment-form button[type=submit]")
    page.wait_for_selector("#segment-name-error:not(:empty)")
    assert axe_violations(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    t.shot("segments.en")
    # the detail: the API's size and share, its channel mix, the median order in VND
    row.locator("a", has_text="Details").click()
    page.wait_for_selector("#segment-detail .chart canvas")
    shown = api_get(page, t.base, "/segments/web-buyers")
    assert (
        page.get_attribute("#segment-share", "data-value") == str(shown["customers"]) == str(size)
    )
    assert "₫" in page.inner_text("#segment-typical")
    t.shot("segment-detail.en")
    page.click("#segment-use")
    page.wait_for_selector("#funnel-table tbody tr")
    assert page.input_value("#funnel-where") == "segment = web-buyers"
    filtered = api_get(
        page, t.base, f"/funnel?steps={quote(STEPS)}&where={quote('segment = web-buyers')}"
    )
    assert table_numbers(page)[0]["customers"] == filtered["steps"][0]["customers"] <= size

    viewer_sees_no_write_control(tab(role="viewer", lang="vi"))

    # deleting asks first; then the list no longer has it
    page = t.open("/segments", wait_for="#segments-table")
    page.click("button[aria-label='Delete web-buyers']")
    page.locator("dialog button.danger").click()
    page.wait_for_selector("[data-segment='web-buyers']", state="detached")
    assert "web-buyers" not in {s["name"] for s in api_get(page, t.base, "/segments")}


def test_who_dropped_is_saved_as_a_segment(tab: Callable[..., Tab]) -> None:
    t = tab(role="editor", lang="vi")
    page = t.open(f"/funnel?steps={STEPS}&window=7d", wait_for="#funnel-table tbody tr")
    page.click("button[aria-label='Ai đã rời bỏ ở bước 3']")
    page.wait_for_selector("#funnel-dropped-count")
    count = int(page.get_attribute("#funnel-dropped-count", "data-value") or "0")
    page.click("#funnel-dropped-segment-open")
    page.fill("#funnel-dropped-segment-name", "roi-bo-gio-hang")
    page.click("#funnel-dropped-segment button[type=submit]")
    page.wait_for_selector("#funnel-dropped-segment-said a")
    assert english_left(page) == []
    saved = api_get(page, t.base, "/segments/roi-bo-gio-hang")
    assert saved["kind"] == "static" and saved["customers"] == count > 0
    deleted = delete_in_page(page, "roi-bo-gio-hang")
    assert deleted == 200
    # a viewer sees the list but not the button
    v = tab(role="viewer", lang="vi")
    page = v.open(f"/funnel?steps={STEPS}&window=7d", wait_for="#funnel-table tbody tr")
    page.click("button[aria-label='Ai đã rời bỏ ở bước 3']")
    page.wait_for_selector("#funnel-dropped-count")
    assert page.locator("#funnel-dropped-segment-open").count() == 0
