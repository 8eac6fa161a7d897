"""The "What changed" page and the overview's card in the browser: the findings shown are
the API's (`journeyscope insights --json`) in count, order, headline (the same sentence as
the terminal's, src/journeyscope/insights/words.py) and numbers, in both languages; a
step's finding opens the funnel builder on its own query; the query lives in the address;
"nothing changed" and a period without data say so plainly.

The web tests' `shop` is the demo with its planted incidents (conftest), so findings exist:
the tests fail if the page shows none, or others than the API."""

from __future__ import annotations

import csv
import io
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from journeyscope.insights.words import headline
from tests.server.web.conftest import Tab, Web, axe_violations, english_left

pytestmark = pytest.mark.browser


def insights_api(page: Any, web: Web, lang: str, **params: str) -> Any:
    """GET /insights as the signed-in page would, in ``lang``."""
    query = urlencode({**params, "lang": lang})
    answer = page.request.get(f"{web.base}/api/v1/workspaces/shop/insights?{query}")
    assert answer.status == 200, answer.text()
    return answer.json()


def shown(page: Any) -> list[dict[str, Any]]:
    """Each finding card as shown: kind, headline, customers affected, commands."""
    return list(
        page.eval_on_selector_all(
            "#insights-list > .insight",
            """cards => cards.map(c => ({
                kind: c.dataset.kind,
                headline: c.querySelector('.ins-headline').textContent,
                affected: Number(c.querySelector('.ins-affected').dataset.value),
                related: c.querySelectorAll('.ins-related-item').length,
                command: c.querySelector(':scope > .ins-evidence code').textContent,
            }))""",
        )
    )


def flag(command: str, name: str) -> str:
    words = shlex.split(command)
    return words[words.index(name) + 1]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_findings_are_the_apis_in_both_languages(
    tab: Callable[..., Tab], web: Web, lang: str
) -> None:
    t = tab(role="viewer", lang=lang)
    page = t.open("/insights", wait_for="#insights-list .insight .chart canvas")
    report = insights_api(page, web, lang)
    assert report["findings"], "the demo's planted incidents must be found"
    expected = [
        {
            "kind": f["kind"],
            "headline": headline(f, lang),
            "affected": f["customers_affected"],
            "related": len(f.get("related") or []),
            "command": f["command"],
        }
        for f in report["findings"]
    ]
    assert shown(page) == expected
    assert page.locator("h1").count() == 1
    assert page.locator("a.nav-link[href='#/insights'][aria-current=page]").count() == 1
    days = page.inner_text("#insights-scanned")
    assert str(report["scanned"]["days"]) in days
    # the first finding's chart data, as CSV: its parts and their customers
    first = report["findings"][0]
    csv_button = page.locator("#insight-1 .downloads button").nth(2)
    with page.expect_download() as info:
        csv_button.click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) >= 3  # header, then at least two parts to compare
    assert str(first["during"]["customers"]) in [r[3] for r in rows[1:]]
    if lang == "vi":
        assert english_left(page) == []
        page.locator("#insight-1 .ins-related summary").first.click()
        assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot(f"insights.{lang}")


def test_a_step_finding_opens_its_funnel(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="viewer", lang="en")
    page = t.open("/insights", wait_for="#insights-list .insight")
    report = insights_api(page, web, "en")
    steps = [
        (rank, r)
        for rank, f in enumerate(report["findings"], 1)
        for r in [f, *(f.get("related") or [])]
        if r["kind"] == "conversion"
    ]
    assert steps, "the demo's crowd that did not buy moves stage conversions"
    rank, finding = steps[0]
    card = page.locator(f"#insight-{rank}")
    if card.locator(".ins-related").count():
        card.locator(".ins-related summary").click()
    card.locator("a.ins-funnel").first.click()
    page.wait_for_selector("#funnel-table tbody tr")
    query = parse_qs(page.url.split("?", 1)[1])
    assert query["steps"] == [flag(finding["command"], "--steps")]
    assert query["window"] == [flag(finding["command"], "--window")]
    assert query["since"] == [finding["period"]["from"]]
    assert query["until"] == [finding["period"]["to"]]
    assert page.locator("#funnel-report .state.error").count() == 0


def test_query_in_the_address_nothing_changed_and_errors(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="viewer", lang="vi")
    page = t.open("/insights", wait_for="#insights-list .insight")
    whole = insights_api(page, web, "vi")
    last = whole["scanned"]["to"]
    # nothing changed since the last day: said plainly, with what was scanned
    page = t.open(f"/insights?changes_since={last}", wait_for="#insights-nothing")
    report = insights_api(page, web, "vi", changes_since=last)
    assert report["nothing_changed"] and not report["findings"]
    assert page.input_value("#insights-changes-since") == last
    said = page.inner_text("#insights-nothing")
    assert "Không có thay đổi đáng kể" in said and str(report["scanned"]["days"]) in said
    assert english_left(page) == []
    # the form puts its query in the address; the page shows what the API says for it
    page.fill("#insights-changes-since", "")
    page.select_option("#insights-sensitivity", "high")
    page.check("#insights-by input[value=platform]")
    page.fill("#insights-by-other", "channel")
    page.click("#insights-form button[type=submit]")
    page.wait_for_selector("#insights-list .insight")
    query = parse_qs(page.url.split("?", 1)[1])
    assert query == {"sensitivity": ["high"], "by": ["platform", "channel"]}
    asked = page.request.get(
        f"{web.base}/api/v1/workspaces/shop/insights?sensitivity=high&by=platform&by=channel"
    ).json()
    assert len(shown(page)) == len(asked["findings"]) > 0
    assert [s["field"] for s in asked["scanned"]["slices"]] == ["platform", "channel"]
    # a period without data is an error in words, not "nothing changed"
    page = t.open("/insights?since=2031-01-01", wait_for="#insights-report .state.error")
    refused = page.request.get(f"{web.base}/api/v1/workspaces/shop/insights?since=2031-01-01")
    assert refused.status == 400
    assert refused.json()["error"]["code"] == "no_data_in_period"
    assert page.locator("#insights-nothing").count() == 0


def open_overview(t: Tab) -> Any:
    """The overview, scrolled to its "What changed" card (which loads once seen)."""
    page = t.open("/", wait_for="#overview canvas")
    page.locator("#home-insights").scroll_into_view_if_needed()
    page.wait_for_selector("#home-insights .ins-home-list li, #home-insights-nothing")
    return page


def test_overview_card_lists_the_top_three(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="viewer", lang="vi")
    page = open_overview(t)
    report = insights_api(page, web, "vi")
    headlines = page.eval_on_selector_all(
        "#home-insights .ins-home-headline", "links => links.map(a => a.textContent)"
    )
    assert headlines == [headline(f, "vi") for f in report["findings"][:3]]
    assert headlines
    page.click("#home-insights-more")
    page.wait_for_selector("#insights-list .insight")
    page = open_overview(t)
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("home.vi")
