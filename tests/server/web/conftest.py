"""The web app in Debian's Chromium against a real `journeyscope serve` on loopback.

One server and one browser for this folder's tests (starting either costs seconds), closed
when they are done: a sync Playwright left running keeps an asyncio loop in the main thread,
and every later test that renders a PDF through Playwright would fail. Each test gets a
fresh browser context (its own cookies), signed in through the app's own API.
Screenshots go to ``test-artifacts/web/`` (``JOURNEYSCOPE_ARTIFACTS`` to move it): look at
them. Every page is checked for console errors when the test ends.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import free_port, wait_healthy

PASSWORD = "mật-khẩu-thử-2026"
USERS = {"admin": "admin@shop.vn", "editor": "editor@shop.vn", "viewer": "viewer@shop.vn"}
OTHER_ADMIN = "admin@other.vn"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("JOURNEYSCOPE_ARTIFACTS") or ROOT / "test-artifacts") / "web"
AXE = ROOT / "tests" / "data" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def write_template_maps(root: Path) -> None:
    """Every template as a map of the workspace, in Vietnamese (the workspace's language)."""
    from journeyscope.maps.io import dump_document, write_atomic
    from journeyscope.maps.library import persona_library
    from journeyscope.maps.templates import list_templates, template_data
    from journeyscope.maps.validate import check_data

    library = persona_library()
    (root / "maps").mkdir(exist_ok=True)
    for info in list_templates():
        target = root / "maps" / f"{info.id}.yaml"
        checked = check_data(template_data(info.id, "vi"), {}, str(target), library)
        assert checked.map is not None
        write_atomic(target, dump_document(checked.map))


def add_users(root: Path, users: dict[str, str]) -> None:
    from journeyscope.events.users import add_user
    from journeyscope.events.workspace import Workspace

    with Workspace.open(root) as ws:
        for role, email in users.items():
            add_user(ws, email, role, PASSWORD, name=role.title())


@dataclass
class Web:
    base: str
    shop: Path
    other: Path
    proc: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="package")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop as the tests' conftest builds it (600 customers, seed 11), but with
    the planted incidents `journeyscope demo` has, so the "What changed" page has findings."""
    from journeyscope.events.demo_data import generate
    from journeyscope.events.ingest import ingest_files
    from journeyscope.events.mapping import load_mapping
    from journeyscope.events.workspace import Workspace
    from journeyscope.identity.resolve import resolve

    base = tmp_path_factory.mktemp("web-demo")
    facts = generate(base / "src", customers=600, seed=11, incidents=True)
    with Workspace.init(base / "ws") as ws:
        for item in facts["files"]:
            mapping = base / "src" / item["mapping"] if item["mapping"] else None
            ingest_files(ws, [base / "src" / item["file"]], load_mapping(mapping))
        resolve(ws)
    return base / "ws"


@pytest.fixture(scope="package")
def web(tmp_path_factory: pytest.TempPathFactory, web_template: Path) -> Iterator[Web]:
    """`journeyscope serve` of two workspaces: `shop` (the demo with its incidents, its
    maps, three users) and `other` (a copy with its own admin), for isolation tests."""
    folder = tmp_path_factory.mktemp("web")
    shop, other = folder / "shop", folder / "other"
    shutil.copytree(web_template, shop)
    write_template_maps(shop)
    add_users(shop, USERS)
    shutil.copytree(web_template, other)
    add_users(other, {"admin": OTHER_ADMIN})
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "journeyscope.cli",
                "serve",
                "-w",
                f"shop={shop}",
                "-w",
                f"other={other}",
                "--port",
                str(port),
                "--no-live-identity",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield Web(base, shop, other, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from journeyscope.render.browser import CHROMIUM_ARGS, require_chromium

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=require_chromium(), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A signed-in (or not) page with what its console said."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def console(self, kind: str, text: str) -> None:
        if kind == "error":
            self.problems.append(text)

    def open(self, route: str, wait_for: str | None = None) -> Any:
        self.page.goto(f"{self.base}/#{route}")
        if wait_for:
            self.page.wait_for_selector(wait_for)
        return self.page

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target


def sign_in_request(context: Any, base: str, workspace: str, email: str) -> Any:
    return context.request.post(
        f"{base}/api/v1/workspaces/{workspace}/session",
        data=json.dumps({"email": email, "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )


@pytest.fixture
def tab(browser: Any, web: Web) -> Iterator[Callable[..., Tab]]:
    """tab(role=None|'admin'|'editor'|'viewer', lang='vi'|'en', workspace='shop') → Tab."""
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def make(role: str | None = "admin", lang: str = "vi", workspace: str = "shop") -> Tab:
        context = browser.new_context(
            locale="vi-VN" if lang == "vi" else "en-GB",
            viewport={"width": 1360, "height": 900},
            accept_downloads=True,
            # charts drawn at once, as the app does for people who ask for less motion:
            # a screenshot never catches one half drawn
            reduced_motion="reduce",
        )
        contexts.append(context)
        context.add_cookies([{"name": "journeyscope_lang", "value": lang, "url": web.base}])
        if role is not None:
            email = USERS[role] if workspace == "shop" else OTHER_ADMIN
            answer = sign_in_request(context, web.base, workspace, email)
            assert answer.status == 200, answer.text()
        page = context.new_page()
        made = Tab(page, web.base)
        page.on("console", lambda m: made.console(m.type, m.text))
        page.on("pageerror", lambda e: made.problems.append(f"page error: {e}"))
        tabs.append(made)
        return made

    yield make
    for context in contexts:
        context.close()
    problems = [p for t in tabs for p in t.problems if "status of 4" not in p]
    assert not problems, problems  # a script error or an unknown message on some page


def english_left(page: Any) -> list[str]:
    """English words of our catalogue still on a Vietnamese page (data aside: pages mark
    data values ``translate="no"``, as the HTML standard has it for text not to translate)."""
    catalogues = page.evaluate("window.journeyscope.catalogues()")
    # data (names, e-mails, event names) is marked translate="no" and left out
    text = page.evaluate(
        """() => { const copy = document.body.cloneNode(true);
        copy.querySelectorAll('[translate="no"], script, style').forEach((e) => e.remove());
        document.body.append(copy); copy.hidden = false;
        const words = copy.innerText; copy.remove(); return words; }"""
    )
    left = []
    for key, english in catalogues["en"].items():
        vietnamese = catalogues["vi"].get(key)
        if not english or english == vietnamese:
            continue
        for part in english.split("{"):
            piece = part.split("}")[-1].strip(" :·–,.()")
            if len(piece) >= 4 and piece not in vietnamese and piece in text:
                left.append(f"{key}: {piece}")
    return left


def axe_violations(page: Any) -> list[str]:
    """Serious and critical accessibility problems axe-core finds on the page as it is."""
    page.evaluate(
        AXE.read_text(encoding="utf-8")
    )  # by the driver: the page's CSP allows no inline script
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result
        if v.get("impact") in {"serious", "critical"}
    ]
