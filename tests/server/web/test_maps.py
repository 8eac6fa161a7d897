"""Journey maps in the browser: the gallery, a map made from a template, edited with a live
preview, its emotion curve dragged, saved as versions with their author, a conflicting save
shown, exports, viewers kept to reading, and map text that stays text."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.server.web.conftest import USERS, Tab, Web, axe_violations, english_left

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def create(page: Any, web: Web, name: str, template: str = "retail-current-state") -> None:
    """A map made through the API with the page's own session (its cookie and CSRF token)."""
    csrf = page.evaluate("window.journeyscope.session.csrf")
    answer = page.request.post(
        f"{web.base}/api/v1/workspaces/shop/maps/{name}/new",
        data=json.dumps({"template": template, "lang": "vi"}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert answer.status == 201, answer.text()


def preview_src(page: Any) -> str:
    page.wait_for_selector("#map-preview[src^='blob:']")
    return str(page.get_attribute("#map-preview", "src"))


def wait_new_preview(page: Any, old: str) -> str:
    page.wait_for_function(
        "(old) => { const i = document.querySelector('#map-preview');"
        " return i && i.src !== old && i.src.startsWith('blob:') && i.complete; }",
        arg=old,
    )
    return preview_src(page)


def drawn(page: Any, change: Callable[[], Any]) -> str:
    """The SVG the server draws for the preview request ``change`` makes (Chromium does
    not keep the body the page turned into a blob: the same request is sent again)."""
    with page.expect_request(
        lambda r: r.url.endswith("/maps/render") and r.method == "POST"
    ) as sent:
        change()
    request = sent.value
    answer = page.request.post(request.url, data=request.post_data, headers=request.headers)
    assert answer.status == 200, answer.text()
    return str(answer.text())


def drag_first_point(page: Any) -> tuple[float, float]:
    """Drag the first curve's first point 60 px down with the mouse: (before, after)."""
    page.locator("#emotion-chart").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => window.echarts.getInstanceByDom(document.querySelector('#emotion-chart'))"
    )
    where = page.evaluate(
        """() => { const el = document.querySelector('#emotion-chart');
        const chart = window.echarts.getInstanceByDom(el); const box = el.getBoundingClientRect();
        const value = chart.getOption().series[0].data[0];
        const [x, y] = chart.convertToPixel('grid', [0, value]);
        return {x: box.left + x, y: box.top + y, value}; }"""
    )
    point = page.locator("input[data-point='0-0']")
    assert float(point.input_value()) == where["value"]
    page.mouse.move(where["x"], where["y"])
    page.mouse.down()
    page.mouse.move(where["x"], where["y"] + 30, steps=6)
    page.mouse.move(where["x"], where["y"] + 60, steps=6)
    page.mouse.up()
    return float(where["value"]), float(point.input_value())


def test_gallery_in_both_languages(tab: Callable[..., Tab]) -> None:
    t = tab(role="editor", lang="vi")
    page = t.open("/maps", wait_for=".map-card")
    assert page.get_by_role("heading", name="Bản đồ hành trình", level=1).is_visible()
    card = page.locator(".map-card[data-map='retail-current-state']")
    assert card.count() == 1 and "Hiện trạng" in card.inner_text()
    assert page.locator(".template-card").count() >= 7
    assert page.locator("#new-map").count() == 1
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("maps.vi")
    e = tab(role="editor", lang="en")
    page = e.open("/maps", wait_for=".map-card")
    assert (
        "Current state" in page.locator(".map-card[data-map='retail-current-state']").inner_text()
    )
    assert axe_violations(page) == []
    e.shot("maps.en")


def test_create_edit_preview_drag_undo_save_and_version(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="editor", lang="en")
    page = t.open("/maps", wait_for="#new-map")
    name = unique("made")
    page.fill("#new-map-name", name)
    page.select_option("#new-map-from", "template:retail-current-state")
    page.select_option("#new-map-lang", "en")
    page.click("#new-map-create")
    page.wait_for_url(f"**/#/maps/{name}")
    first = preview_src(page)
    assert page.input_value("#map-title")

    # a cell edited: the preview is drawn again and shows the new words
    cell = page.locator("textarea[data-path='lanes.0.cells.awareness']")
    before = cell.input_value()
    svg = drawn(page, lambda: cell.fill(before + "\nSaw a Zalo ad for giày thể thao"))
    assert "Saw a Zalo ad for giày thể thao" in svg
    second = wait_new_preview(page, first)
    # undo (button) and redo (keyboard) walk the history
    page.click("#map-undo")
    assert cell.input_value() == before
    page.keyboard.press("Control+y")
    assert (
        "giày thể thao"
        in page.locator("textarea[data-path='lanes.0.cells.awareness']").input_value()
    )

    # an emotion point dragged down: its number changes with it
    value, dragged = drag_first_point(page)
    assert dragged < value - 0.5
    wait_new_preview(page, second)

    # a problem shows at its field, and Save keeps a version with the author
    title = page.locator("#map-title")
    title.fill("")
    page.wait_for_selector("#map-title[aria-invalid='true']")
    assert page.locator("#map-title + .field-error").is_visible()
    t.shot("editor.problem.en")
    title.fill("Our shoe journey")
    page.wait_for_selector("#map-title:not([aria-invalid])")
    page.click("#map-save")
    page.wait_for_selector("#save-status:has-text('Saved as version 2')")
    page.reload()
    page.wait_for_selector("#versions table")
    rows = page.locator("#versions tbody tr")
    assert rows.count() == 2
    assert USERS["editor"] in rows.first.inner_text()
    assert page.input_value("#map-title") == "Our shoe journey"
    assert float(page.locator("input[data-point='0-0']").input_value()) == dragged
    page.select_option("#diff-old", "1")
    page.select_option("#diff-new", "2")
    page.click("#diff-run")
    page.wait_for_selector("#diff-result table")
    diff = page.inner_text("#diff-result")
    assert "Our shoe journey" in diff and "giày thể thao" in diff
    # an old version opened in the editor, as a change to save or undo
    page.click("#versions tbody tr:last-child button")
    page.wait_for_selector("#save-status:has-text('Version 1 is open')")
    assert page.input_value("#map-title") != "Our shoe journey"
    page.click("#map-undo")
    assert page.input_value("#map-title") == "Our shoe journey"


def test_a_stale_save_is_shown_as_a_conflict(tab: Callable[..., Tab], web: Web) -> None:
    mine, theirs = tab(role="editor", lang="vi"), tab(role="admin", lang="vi")
    mine.open("/maps", wait_for="#gallery")
    name = unique("both")
    create(mine.page, web, name)
    for t in (mine, theirs):
        t.open(f"/maps/{name}", wait_for="#map-title")
    theirs.page.fill("#map-title", "Bản của người khác")
    theirs.page.click("#map-save")
    theirs.page.wait_for_selector("#save-status:has-text('phiên bản 2')")
    mine.page.fill("#map-title", "Bản của tôi")
    mine.page.click("#map-save")
    mine.page.wait_for_selector("dialog#conflict[open]")
    assert axe_violations(mine.page) == []
    mine.shot("editor.conflict.vi")
    mine.page.click("#conflict-reload")
    mine.page.wait_for_selector("#save-status:has-text('Đã tải phiên bản của họ')")
    assert mine.page.input_value("#map-title") == "Bản của người khác"
    mine.page.keyboard.press("Control+z")  # my words come back
    assert mine.page.input_value("#map-title") == "Bản của tôi"
    mine.page.click("#map-save")
    mine.page.wait_for_selector("#save-status:has-text('phiên bản 3')")


def test_export_pdf_and_the_editor_in_both_languages(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="editor", lang="vi")
    page = t.open("/maps/retail-current-state", wait_for="#map-title")
    preview_src(page)
    page.wait_for_selector("#emotion-chart canvas")
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("editor.vi")
    with page.expect_download(timeout=60_000) as event:
        page.click("[data-export='pdf']")
    download = event.value
    assert download.suggested_filename == "retail-current-state.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    e = tab(role="editor", lang="en")
    page = e.open("/maps/retail-current-state", wait_for="#map-title")
    preview_src(page)
    page.wait_for_selector("#emotion-chart canvas")
    assert axe_violations(page) == []
    e.shot("editor.en")


def test_viewer_reads_but_cannot_change(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="viewer", lang="vi")
    page = t.open("/maps", wait_for=".map-card")
    for control in ("#new-map", "#import-go", ".map-delete"):
        assert page.locator(control).count() == 0, control
    page.click(".map-card[data-map='retail-current-state'] button")
    page.wait_for_selector("#map-preview[src^='blob:']")
    for control in ("#map-save", "#map-undo", "#map-title", "textarea"):
        assert page.locator(control).count() == 0, control
    assert page.locator("[data-export='svg']").count() == 1
    assert english_left(page) == []
    assert axe_violations(page) == []
    t.shot("editor.viewer.vi")
    csrf = page.evaluate("window.journeyscope.session.csrf")
    base = f"{web.base}/api/v1/workspaces/shop/maps"
    document = page.request.get(f"{base}/retail-current-state").json()["document"]
    for method, url in (("put", "/retail-current-state"), ("post", "/render")):
        answer = getattr(page.request, method)(
            f"{base}{url}",
            data=json.dumps(document),
            headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
        )
        assert answer.status == 403, (method, answer.text())


def test_map_text_stays_text_everywhere(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="editor", lang="en")
    page = t.page
    dialogs: list[str] = []

    def seen(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    t.open("/maps", wait_for="#gallery")
    name = unique("xss")
    create(page, web, name)
    base = f"{web.base}/api/v1/workspaces/shop/maps"
    document = page.request.get(f"{base}/{name}").json()["document"]
    document["title"] = f"Title {XSS}"
    document["lanes"][0]["cells"]["awareness"] = [f"Cell {XSS}"]
    document["personas"] = [{"id": "evil", "name": f"Persona {XSS}"}]
    document["emotions"] = [{"persona": "evil", "points": {"awareness": 1}}]
    csrf = page.evaluate("window.journeyscope.session.csrf")
    saved = page.request.put(
        f"{base}/{name}",
        data=json.dumps(document),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert saved.status == 200, saved.text()
    page.reload()
    page.wait_for_selector(f".map-card[data-map='{name}']")
    card = page.locator(f".map-card[data-map='{name}']").inner_text()
    assert XSS in card and f"Persona {XSS}" in card
    svg = drawn(page, lambda: t.open(f"/maps/{name}", wait_for="#map-title"))
    preview_src(page)
    assert page.input_value("#map-title") == f"Title {XSS}"
    assert XSS in page.inner_text("#map-heading")
    assert page.input_value("textarea[data-path='lanes.0.cells.awareness']") == f"Cell {XSS}"
    assert page.input_value(".persona-name") == f"Persona {XSS}"
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg and "<script" not in svg
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0


def test_import_an_excel_grid_as_a_new_map(tab: Callable[..., Tab], web: Web) -> None:
    t = tab(role="editor", lang="vi")
    page = t.open("/maps", wait_for="#import-go")
    workbook = page.request.get(
        f"{web.base}/api/v1/workspaces/shop/maps/retail-current-state/render",
        params={"format": "xlsx"},
    )
    assert workbook.status == 200
    name = unique("excel")
    page.click("#import-go")  # nothing chosen yet: said in words, nothing sent
    assert page.locator(".form-error:has-text('Hãy đặt tên')").count() == 1
    page.fill("#import-name", name)
    page.set_input_files(
        "#import-file",
        files=[
            {
                "name": "ban-do.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": workbook.body(),
            }
        ],
    )
    page.click("#import-go")
    page.wait_for_url(f"**/#/maps/{name}")
    page.wait_for_selector("#map-preview[src^='blob:']")
    original = page.request.get(f"{web.base}/api/v1/workspaces/shop/maps/retail-current-state")
    assert page.input_value("#map-title") == original.json()["map"]["title"]
    assert page.locator("#versions tbody tr").count() == 1
