"""Living maps and feedback in the browser: a cell bound to a metric shows the workspace's
number in the editor's preview (the same number as the REST report), a bad binding shows
its problem at its field, and the Feedback page draws `feedback summary`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from journeyscope.i18n.formatting import format_number
from journeyscope.living.metrics import METRICS
from journeyscope.maps.bindings import METRIC_NEEDS
from tests.server.web.conftest import Tab, Web, axe_violations, english_left

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[2] / "feedback" / "fixtures"


def api_get(page: Any, base: str, path: str, **query: str) -> Any:
    answer = page.request.get(f"{base}/api/v1/workspaces/{path}", params=query or None)
    assert answer.status == 200, answer.text()
    return answer.json()


def new_map(page: Any, base: str, lang: str) -> str:
    """A map of the retail5 stages made for this test (other tests share `shop`'s maps)."""
    csrf = page.request.get(f"{base}/api/v1/session").json()["csrf"]
    name = f"living-{uuid.uuid4().hex[:8]}"
    answer = page.request.post(
        f"{base}/api/v1/workspaces/shop/maps/{name}/new",
        data=json.dumps({"template": "b2c-future-state", "lang": lang}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert answer.status == 201, answer.text()
    return name


class Previews:
    """The SVGs the server drew for the page's preview: the page shows them as blob: images,
    which the CSP keeps a script from reading back, so the responses are read on the way."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[str] = []
        page.route("**/render*", self._record)

    def _record(self, route: Any) -> None:
        response = route.fetch()
        if response.status == 200:
            self.seen.append(response.text())
        route.fulfill(response=response)

    def wait(self, contains: str, timeout_s: float = 20) -> str:
        """The newest drawing once one holds ``contains``."""
        waited = 0.0
        while waited < timeout_s:
            for text in reversed(self.seen[-3:]):
                if contains in text:
                    return text
            self.page.wait_for_timeout(250)
            waited += 0.25
        raise AssertionError(f"no preview holds {contains!r} ({len(self.seen)} drawn)")


def test_the_metrics_route_lists_the_registry(tab: Callable[..., Tab], web: Web) -> None:
    t = tab("viewer", "en")
    listed = api_get(t.page, web.base, "shop/maps/metrics")
    assert [m["name"] for m in listed] == list(METRICS)
    for m in listed:
        assert m["needs"] == METRIC_NEEDS[m["name"]]
        assert m["label"] == {"en": METRICS[m["name"]].label_en, "vi": METRICS[m["name"]].label_vi}


def test_a_cell_bound_to_stage_reach_shows_the_stages_number(
    tab: Callable[..., Tab], web: Web
) -> None:
    t = tab("editor", "en")
    t.open("/")
    t.page.wait_for_selector("nav")
    name = new_map(t.page, web.base, "en")
    previews = Previews(t.page)
    page = t.open(f"/maps/{name}", wait_for="#map-lanes .add-metric")
    page.locator("#map-lanes .add-metric").first.click()  # the first lane at `awareness`
    page.wait_for_selector(".bound-form select.metric-name")
    assert page.locator(".bound-expression").first.inner_text() == "=stage_reach(awareness)"
    reach = {r["stage"]: r["customers"] for r in api_get(t.page, web.base, "shop/stages")["stages"]}
    svg = previews.wait(f"n = {format_number(reach['awareness'], 'en')}")
    assert f"{format_number(reach['awareness'], 'en')} customers" in svg

    # a period: the preview's numbers are the report's for the same days
    stats = api_get(t.page, web.base, "shop/stats")
    since, until = stats["first_event"][:10], stats["first_event"][:8] + "28"
    in_period = api_get(t.page, web.base, "shop/stages", since=since, until=until)["stages"]
    n = next(r["customers"] for r in in_period if r["stage"] == "awareness")
    assert n != reach["awareness"]
    page.fill("#preview-from", since)
    page.fill("#preview-to", until)
    page.dispatch_event("#preview-to", "change")
    previews.wait(f"n = {format_number(n, 'en')}")
    t.shot("living-editor.en")

    page.click("#map-save")
    page.wait_for_selector("#save-status:has-text('Saved as version')")
    saved = api_get(t.page, web.base, f"shop/maps/{name}")
    cells = saved["document"]["lanes"][0]["cells"]["awareness"]
    assert {"metric": {"name": "stage_reach"}} in cells

    # a viewer sees the value, and no control
    v = tab("viewer", "vi")
    viewer_previews = Previews(v.page)
    seen = v.open(f"/maps/{name}", wait_for="#map-preview")
    viewer_previews.wait(f"n = {format_number(reach['awareness'], 'en')}")  # the map's language
    assert seen.locator(".add-metric, .bound-form").count() == 0


def test_a_bad_binding_shows_its_problem_at_its_field(tab: Callable[..., Tab], web: Web) -> None:
    t = tab("editor", "vi")
    t.open("/")
    t.page.wait_for_selector("nav")
    name = new_map(t.page, web.base, "vi")
    page = t.open(f"/maps/{name}", wait_for="#map-lanes .add-metric")
    page.locator("#map-lanes .add-metric").first.click()
    page.select_option(".bound-form select.metric-name", "touchpoint_dropoff")
    page.wait_for_selector(".bound-form input.metric-touchpoint")
    # no touchpoint yet: the map itself is invalid, the problem sits at the binding
    error = page.wait_for_selector(".bound-item .field-error")
    assert "touchpoint" in error.inner_text()
    page.fill(".bound-form input.metric-touchpoint", "web:/khong-co-trang-nay")
    error = page.wait_for_selector(".bound-form input.metric-touchpoint + .field-error")
    assert "web:/khong-co-trang-nay" in error.inner_text()
    assert page.get_attribute(".bound-form input.metric-touchpoint", "aria-invalid") == "true"
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("living-editor-problem.vi")


def test_feedback_page_says_how_to_import_when_empty(tab: Callable[..., Tab]) -> None:
    t = tab("viewer", "vi")
    page = t.open("/feedback", wait_for="#feedback-empty")
    assert "journeyscope feedback import" in page.inner_text("#feedback-empty")
    assert page.get_by_role("heading", name="Phản hồi").is_visible()
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("feedback-empty.vi")


def test_feedback_page_draws_the_summary(tab: Callable[..., Tab], web: Web) -> None:
    from journeyscope.events.workspace import Workspace
    from journeyscope.feedback.importing import import_feedback

    with Workspace.open(web.other) as ws:
        import_feedback(ws, FIXTURES / "survey.csv")
        import_feedback(ws, FIXTURES / "shopee_reviews.csv")
    for lang in ("en", "vi"):
        t = tab("admin", lang, "other")
        page = t.open("/feedback", wait_for="#feedback-report canvas")
        page.wait_for_function("document.querySelectorAll('#feedback-report canvas').length >= 2")
        total = api_get(page, web.base, "other/feedback/summary")["total"]
        shown = page.inner_text("#feedback-nps .value").replace("+", "").replace(",", ".")
        assert float(shown) == total["nps"]["value"]
        assert f"n = {total['nps']['n']}" in page.inner_text("#feedback-nps")
        if lang == "vi":
            assert english_left(page) == []
        assert axe_violations(page) == []
        t.shot(f"feedback.{lang}")
    page.select_option("#feedback-by", "channel")
    page.click("#feedback-form button[type=submit]")
    page.wait_for_function("location.hash.includes('by=channel')")
    page.wait_for_selector("#feedback-report canvas")
    by_channel = api_get(page, web.base, "other/feedback/summary", by="channel")["groups"]
    for group in by_channel:
        assert page.locator("#feedback-report td", has_text=str(group["key"])).count() >= 1
