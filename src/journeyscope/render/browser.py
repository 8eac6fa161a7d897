"""Headless Chromium (Debian's ``chromium``) driven by Playwright, for PDF and PNG output.

Playwright's own browser download is not used: we point it at the system Chromium, found
through ``JOURNEYSCOPE_CHROMIUM`` or the usual names on ``PATH``. The page is loaded from a
string with networking off, so a rendered map can never fetch anything.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from journeyscope.errors import InputError, MissingDependency

#: Chromium draws at most about 16k device pixels a side.
MAX_PNG_SIDE = 16_000
#: Device pixels in one PNG (an RGBA buffer of 256 MB): bigger is minutes of work.
MAX_PNG_PIXELS = 64_000_000
#: Below half a device pixel per CSS pixel the text of a map can no longer be read.
MIN_PNG_SCALE = 0.5
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


#: A3 pages one PDF may have: a longer map is minutes of printing and no one's reading.
MAX_PDF_PAGES = 200


def check_pdf_size(width_px: float, height_px: float, landscape: bool = True) -> None:
    """Refuse at once a map whose PDF would run past :data:`MAX_PDF_PAGES` pages."""
    page_w_in, page_h_in = (16.54, 11.69) if landscape else (11.69, 16.54)
    scale = max(0.1, min(1.0, (page_w_in - 0.8) * 96 / max(width_px, 1)))
    pages = height_px * scale / ((page_h_in - 0.8) * 96)
    if pages > MAX_PDF_PAGES:
        raise InputError(
            f"the map would print on about {pages:,.0f} A3 pages, more than {MAX_PDF_PAGES}",
            f"bản đồ sẽ in ra khoảng {pages:,.0f} trang A3, vượt quá {MAX_PDF_PAGES} trang",
            hint_en="render it as .svg or .html, or split it into several maps",
            hint_vi="hãy xuất .svg hoặc .html, hoặc tách thành nhiều bản đồ",
            code="map_too_large",
        )


#: A3 in inches (landscape: width, height) and the printed margin on every side.
A3_IN = (16.54, 11.69)
PDF_MARGIN_IN = 0.4


def printable_px(landscape: bool = True) -> tuple[float, float]:
    """The printable area of an A3 page in CSS pixels (96 a inch), margins taken off."""
    w, h = A3_IN if landscape else A3_IN[::-1]
    return (w - 2 * PDF_MARGIN_IN) * 96, (h - 2 * PDF_MARGIN_IN) * 96


def pdf_scale(width_px: float, landscape: bool = True) -> float:
    """How much :func:`html_to_pdf` shrinks a page ``width_px`` wide to fit the paper.

    Print layouts (:mod:`journeyscope.render.html_page`) size their pages with it, so a
    page box drawn in CSS pixels lands exactly on one sheet.
    """
    return max(0.1, min(1.0, printable_px(landscape)[0] / max(width_px, 1)))


def html_to_pdf(html: str, width_px: float, landscape: bool = True) -> bytes:
    """Print a page to PDF on A3, the content scaled so the widest element fits a page."""
    margin_in = PDF_MARGIN_IN
    scale = pdf_scale(width_px, landscape)
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


def png_scale(width: float, height: float, wanted: float = 2.0) -> float:
    """The scale a PNG of ``width`` x ``height`` CSS pixels is drawn at, or a clear refusal.

    Big maps are scaled down to fit Chromium's side limit and the pixel budget; a map that
    would have to shrink below :data:`MIN_PNG_SCALE` is refused at once instead of taking
    minutes to become an unreadable image.
    """
    side = max(width, height, 1.0)
    scale = min(wanted, MAX_PNG_SIDE / side, math.sqrt(MAX_PNG_PIXELS / max(width * height, 1.0)))
    if scale < MIN_PNG_SCALE:
        size = f"{width:,.0f} x {height:,.0f}"
        raise InputError(
            f"the map is {size} pixels, too large for a readable PNG",
            f"bản đồ có kích thước {size} điểm ảnh, quá lớn để xuất PNG đọc được",
            hint_en="render it as .svg, .html or .pdf, or split it into several maps "
            "(fewer stages, lanes or shorter texts)",
            hint_vi="hãy xuất .svg, .html hoặc .pdf, hoặc tách thành nhiều bản đồ "
            "(ít giai đoạn, ít hàng hoặc văn bản ngắn hơn)",
            code="map_too_large",
        )
    return scale
