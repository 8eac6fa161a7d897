"""A tiny SVG builder on ElementTree: every text and attribute is escaped by construction."""

from __future__ import annotations

import xml.etree.ElementTree as ET

FONT = "'Noto Sans', 'DejaVu Sans', 'Segoe UI', Arial, sans-serif"
SVG_NS = "http://www.w3.org/2000/svg"


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class Svg:
    """An SVG document under construction; coordinates in CSS pixels."""

    def __init__(self) -> None:
        self.root = ET.Element("svg", {"xmlns": SVG_NS})
        self.stack: list[ET.Element] = [self.root]

    @property
    def parent(self) -> ET.Element:
        return self.stack[-1]

    def el(self, tag: str, **attrs: float | str | None) -> ET.Element:
        clean = {
            k.rstrip("_").replace("_", "-"): (_num(v) if isinstance(v, float | int) else v)
            for k, v in attrs.items()
            if v is not None
        }
        return ET.SubElement(self.parent, tag, clean)

    def group(self, **attrs: float | str | None) -> ET.Element:
        return self.el("g", **attrs)

    def push(self, element: ET.Element) -> None:
        self.stack.append(element)

    def pop(self) -> None:
        self.stack.pop()

    def rect(self, x: float, y: float, w: float, h: float, **attrs: float | str | None) -> None:
        self.el("rect", x=x, y=y, width=w, height=h, **attrs)

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: float | str | None) -> None:
        self.el("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)

    def text(
        self,
        x: float,
        y: float,
        lines: list[str] | str,
        size: float = 12,
        line_height: float | None = None,
        **attrs: float | str | None,
    ) -> ET.Element:
        """Text whose first baseline is at ``y``; a list gives one line per ``tspan``."""
        items = [lines] if isinstance(lines, str) else lines
        node = self.el("text", x=x, y=y, font_size=size, **attrs)
        if len(items) == 1:
            node.text = items[0]
            return node
        step = line_height or size * 1.3
        for index, line in enumerate(items):
            span = ET.SubElement(
                node, "tspan", {"x": _num(x), "dy": "0" if index == 0 else _num(step)}
            )
            span.text = line
        return node

    def title(self, element: ET.Element, text: str) -> None:
        """A tooltip: full text on hover, also read by screen readers."""
        ET.SubElement(element, "title").text = text

    def to_string(self, width: float, height: float, label: str) -> str:
        self.root.set("width", _num(width))
        self.root.set("height", _num(height))
        self.root.set("viewBox", f"0 0 {_num(width)} {_num(height)}")
        self.root.set("font-family", FONT)
        self.root.set("role", "img")
        self.root.set("aria-label", label)
        ET.indent(self.root, space=" ", level=0)
        return ET.tostring(self.root, encoding="unicode") + "\n"
