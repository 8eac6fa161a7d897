"""Measuring and wrapping text for SVG, where the renderer must place every line itself.

Widths are estimated from per-character classes of a sans-serif font (DejaVu Sans / Noto
Sans); Vietnamese letters with diacritics are as wide as their base letters, so the
estimate holds for both languages. It errs wide, so text never overflows its box.
"""

from __future__ import annotations

import unicodedata

_NARROW = set("iljtfrI.,;:'!|()[]{} ")
_WIDE = set("mwMW@%")


def char_width(ch: str, size: float) -> float:
    base = unicodedata.normalize("NFD", ch)[:1] or ch
    if base in _NARROW:
        return 0.34 * size
    if base in _WIDE:
        return 0.86 * size
    if base.isupper() or base.isdigit():
        return 0.66 * size
    if unicodedata.east_asian_width(base) in ("W", "F") or ord(base) > 0x2000:
        return 1.0 * size
    return 0.56 * size


def text_width(text: str, size: float) -> float:
    return sum(char_width(ch, size) for ch in text)


def wrap(text: str, width: float, size: float, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap to ``width`` pixels; words longer than a line are split."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for whole_word in paragraph.split():
            word = whole_word
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            while text_width(word, size) > width:
                cut = _fit(word, width, size)
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def _fit(word: str, width: float, size: float) -> int:
    total = 0.0
    for index, ch in enumerate(word):
        total += char_width(ch, size)
        if total > width:
            return max(index, 1)
    return len(word)
