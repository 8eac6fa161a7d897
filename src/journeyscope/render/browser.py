"""Headless Chromium (Debian's ``chromium``) driven by Playwright, for PDF and PNG output.

Playwright's own browser download is not used: we point it at the system Chromium, found
through ``JOURNEYSCOPE_CHROMIUM`` or the usual names on ``PATH``. The page is loaded from a
string with networking off, so a rendered map can never fetch anything.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from journeyscope.errors import MissingDependency

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]


def find_chromium() -> str | None:
    configured = os.environ.get("JOURNEYSCOPE_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    path = find_chromium()
    if path is None:
        raise MissingDependency(
            "PDF and PNG output need Chromium, which was not found",
            "Xuất PDF và PNG cần trình duyệt Chromium nhưng không tìm thấy",
            hint_en="install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set "
            "JOURNEYSCOPE_CHROMIUM to its path; SVG, HTML and XLSX work without it",
            hint_vi="hãy cài đặt (Debian/Ubuntu: `sudo apt-get install chromium`) hoặc đặt "
            "JOURNEYSCOPE_CHROMIUM là đường dẫn tới nó; SVG, HTML và XLSX không cần Chromium",
        )
    return path


@contextmanager
def chromium_page(width: int = 1280, height: int = 800, scale: float = 1.0) -> Iterator[Any]:
    """A fresh page in headless Chromium with every network request blocked."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=scale
            )
            context.route("**/*", lambda route: route.abort())
            yield context.new_page()
        finally:
            browser.close()


def html_to_pdf(html: str, width_px: float, landscape: bool = True) -> bytes:
    """Print a page to PDF on A3, the content scaled so the widest element fits a page."""
    page_w_in = 16.54 if landscape else 11.69  # A3
    margin_in = 0.4
    printable_px = (page_w_in - 2 * margin_in) * 96
    scale = max(0.1, min(1.0, printable_px / max(width_px, 1)))
    with chromium_page() as page:
        page.set_content(html, wait_until="load")
        pdf: bytes = page.pdf(
            format="A3",
            landscape=landscape,
            print_background=True,
            scale=scale,
            margin=dict.fromkeys(("top", "bottom", "left", "right"), f"{margin_in}in"),
        )
    return pdf


def svg_to_png(svg: str, width: float, height: float, scale: float = 2.0) -> bytes:
    """Rasterise an SVG document at ``scale`` device pixels per CSS pixel."""
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "html,body{margin:0;padding:0;background:#fff}svg{display:block}</style></head>"
        f"<body>{svg}</body></html>"
    )
    with chromium_page(int(width) + 1, int(height) + 1, scale) as page:
        page.set_content(html, wait_until="load")
        png: bytes = page.locator("svg").first.screenshot(type="png")
    return png
