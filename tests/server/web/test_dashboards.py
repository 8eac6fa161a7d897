"""The dashboards in the browser: the funnel builder shows the CLI's numbers, who dropped
at a step can be listed and exported, every dashboard draws its chart in both languages
without English left or a serious accessibility problem, and a saved dashboard reopens
with its query."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.server.web.conftest import Tab, Web, axe_violations, english_left

pytestmark = pytest.mark.browser

STEPS = "product_view,add_to_cart,checkout,purchase"
PAGES = {
    "funnel": f"/funnel?steps={STEPS}&window=7d",
    "paths": "/paths?from=product_view",
    "stages": "/stages",
    "touchpoints": "/touchpoints",
    "attribution": "/attribution",
    "retention": "/retention",
}


def cli_json(web: Web, *args: str) -> Any:
    """What `journeyscope ... --json` prints for the served workspace."""
    done = subprocess.run(
        [sys.executable, "-m", "journeyscope.cli", *args, "-w", str(web.shop), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def table_numbers(page: Any) -> list[dict[str, Any]]:
    """The funnel table as shown: each step's name and the numbers behind its cells."""
    rows = page.eval_on_selector_all(
        "#funnel-table tbody tr",
        """rows => rows.map(r => [...r.querySelectorAll('td')].map(
            td => { const v = td.querySelector('[data-value]');
                    return v ? v.dataset.value : td.innerText.trim(); }))""",
    )
    return [
        {
            "step": cells[0],
            "customers": int(cells[1]),
            "conversion": float(cells[2]),
            "conversion_from_previous": float(cells[3]),
            "dropped": int(cells[4]),
        }
        for cells in rows
    ]


def test_funnel_shows_the_cli_numbers_and_who_dropped(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="editor", lang="en")
    page = t.open("/funnel?steps=product_view,login,purchase", wait_for="#funnel-form")
    # build the funnel in the form: remove a step, add two, pick the demo's four steps
    page.click("button[aria-label='Remove step 2']")
    assert page.input_value("#funnel-step-2") == "purchase"  # numbered again
    steps = STEPS.split(",")
    while page.locator(".funnel-step").count() < len(steps):
        page.click("#funnel-add-step")
    assert page.locator("#funnel-step-4").count() == 1
    for n, event in enumerate(steps, start=1):
        page.select_option(f"#funnel-step-{n}", event)
    page.fill("#funnel-window", "7d")
    page.click("#funnel-form button[type=submit]")
    page.wait_for_selector("#funnel-table tbody tr")
    page.wait_for_selector("#funnel-report canvas")
    assert "steps=product_view,add_to_cart,checkout,purchase" in page.url
    assert "window=7d" in page.url
    expected = cli_json(web, "funnel", "--steps", STEPS, "--window", "7d")["steps"]
    shown = table_numbers(page)
    assert shown == [
        {
            k: s[k]
            for k in ("step", "customers", "conversion", "conversion_from_previous", "dropped")
        }
        for s in expected
    ]
    assert shown[0]["customers"] > shown[-1]["customers"] > 0
    # who dropped at checkout (reached add_to_cart, not checkout): the CLI's count and list
    page.click("button[aria-label='Who dropped at step 3']")
    page.wait_for_selector("#funnel-dropped-count")
    count = int(page.get_attribute("#funnel-dropped-count", "data-value") or "0")
    assert count == expected[2]["dropped"] > 0
    with page.expect_download() as info:
        page.click("#funnel-dropped-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    listed = list(csv.DictReader(io.StringIO(text)))
    assert len(listed) == count
    first = listed[0]["customer_id"]
    assert page.locator(f"#funnel-dropped a[href='#/customers/{first}']").count() == 1
    t.shot("funnel-dropped.en")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_dashboard_draws_its_chart(tab: Callable[..., Tab], lang: str) -> None:
    t = tab(role="viewer", lang=lang)
    for name, route in PAGES.items():
        page = t.open(route, wait_for=f"#{name}-report .chart canvas")
        page.wait_for_selector(f"#{name}-saved-list table, #{name}-saved-list p")
        assert page.locator("h1").count() == 1
        assert page.locator(f"#{name}-report .state.error").count() == 0, name
        # a viewer reads saved dashboards but cannot save one
        assert page.locator(f"#{name}-save-name").count() == 0
        if lang == "vi":
            assert english_left(page) == [], name
        assert axe_violations(page) == [], name
        # asked for less motion (the tab's setting): the chart is drawn at once, whole
        animated = page.evaluate(
            f"""() => window.echarts.getInstanceByDom(
                document.querySelector('#{name}-report .chart')).getOption().animation"""
        )
        assert animated is False, name
        t.shot(f"{name}.{lang}")


def test_a_saved_dashboard_reopens_with_its_query(tab: Callable[..., Tab]) -> None:
    t = tab(role="editor", lang="vi")
    route = "/funnel?steps=product_view,purchase&window=3d&mode=unordered&by=channel"
    page = t.open(route, wait_for="#funnel-report canvas")
    name = "Phễu xem → mua, 3 ngày"
    page.fill("#funnel-save-name", name)
    page.click(".dash-save button[type=submit]")
    link = page.locator("#funnel-saved-list a.saved-open", has_text=name)
    link.wait_for()
    page.goto(f"{t.base}/#/paths")
    page.wait_for_selector("#paths-report canvas")
    page.goto(f"{t.base}/#/funnel")
    page.locator("#funnel-saved-list a.saved-open", has_text=name).click()
    page.wait_for_selector("#funnel-report canvas")
    page.wait_for_function("location.hash.includes('window=3d')")
    assert page.input_value("#funnel-window") == "3d"
    assert page.input_value("#funnel-mode") == "unordered"
    assert page.input_value("#funnel-by") == "channel"
    assert page.locator(".funnel-step").count() == 2
    assert page.input_value("#funnel-step-2") == "purchase"
    t.shot("funnel-saved.vi")
    # any order: who completed one step and not two, in Vietnamese
    page.click("button[aria-label='Ai đã rời bỏ ở bước 2']")
    page.wait_for_selector("#funnel-dropped-count")
    dropped = int(page.get_attribute("#funnel-dropped-count", "data-value") or "0")
    assert dropped == table_numbers(page)[1]["dropped"] > 0
    assert english_left(page) == []
    # deleting asks first, then the list no longer has it
    page.locator(f"button[aria-label='Xoá: {name}']").click()
    page.locator("dialog button.danger").click()
    page.wait_for_selector(f"#funnel-saved-list a.saved-open:has-text('{name}')", state="detached")


def test_empty_and_error_states_speak_the_users_language(tab: Callable[..., Tab]) -> None:
    t = tab(role="viewer", lang="vi")
    page = t.open(f"/funnel?steps={STEPS}&since=2031-01-01", wait_for="#funnel-report .state.empty")
    assert "Không có khách hàng nào" in page.inner_text("#funnel-report")
    assert english_left(page) == []
    page = t.open(f"/funnel?steps={STEPS}&window=7x", wait_for="#funnel-report .state.error")
    said = page.inner_text("#funnel-report")
    assert "7x" in said  # the server's own, located message, in Vietnamese
    # about the field a marketer sees, not the CLI's option name
    assert "--window" not in said and "“Thời gian hoàn tất (tính từ bước 1)”" in said
    assert page.get_attribute("#funnel-window", "aria-invalid") == "true"
    assert english_left(page) == []
    t.shot("funnel-error.vi")
    page = t.open("/stages?model=nope", wait_for="#stages-report .state.error")
    assert english_left(page) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_warning_beside_the_numbers_is_shown_in_the_page(
    tab: Callable[..., Tab], web: Web, lang: str
) -> None:
    """What the CLI warns on stderr is said above the chart, in the user's language: here
    an exclusion that is also a step (every attempt reaching it is discarded)."""
    t = tab(role="viewer", lang=lang)
    page = t.open(
        "/funnel?steps=product_view,add_to_cart&exclude=add_to_cart",
        wait_for="#funnel-report .dash-notes",
    )
    said = page.inner_text("#funnel-report .dash-notes")
    notes = cli_json(
        web,
        "funnel",
        "--steps",
        "product_view,add_to_cart",
        "--exclude",
        "add_to_cart",
        "--lang",
        lang,
    )["notes"]
    assert [n["code"] for n in notes] == ["step_empty", "exclusion_is_step"]
    for note in notes:
        assert note["message"] in said
    assert ("cảnh báo" if lang == "vi" else "warning") in said
    assert page.get_attribute("#funnel-report .dash-notes", "role") == "note"
    if lang == "vi":
        assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot(f"funnel-notes.{lang}")
