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
    return _factor(ch) * size


def _factor(ch: str) -> float:
    """Width of ``ch`` in ems, remembered per character (Unicode lookups are slow)."""
    known = _FACTORS.get(ch)
    if known is None:
        known = _FACTORS[ch] = _classify(ch)
    return known


def _classify(ch: str) -> float:
    base = unicodedata.normalize("NFD", ch)[:1] or ch
    if base in _NARROW:
        return 0.34
    if base in _WIDE:
        return 0.86
    if base.isupper() or base.isdigit():
        return 0.66
    if unicodedata.east_asian_width(base) in ("W", "F") or ord(base) > 0x2000:
        return 1.0
    return 0.56


_FACTORS: dict[str, float] = {}


def text_width(text: str, size: float) -> float:
    return sum(char_width(ch, size) for ch in text)


def wrap(text: str, width: float, size: float, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap to ``width`` pixels; words longer than a line are split.

    Linear in the length of the text: each line's width is carried along instead of being
    measured again for every word, a long word is cut by walking it once, and with
    ``max_lines`` the walk stops as soon as the lines are known to overflow. The widths
    are summed in the same order as :func:`text_width`, so the lines are the same.
    """
    lines: list[str] = []
    limit = None if max_lines is None else max_lines + 1
    space = char_width(" ", size)
    for paragraph in text.splitlines() or [""]:
        current, current_w = "", 0.0
        for word in paragraph.split():
            if limit is not None and len(lines) >= limit:
                break
            total = current_w + space if current else 0.0
            for ch in word:
                total += char_width(ch, size)
            if total <= width:
                current, current_w = (f"{current} {word}" if current else word), total
                continue
            if current:
                lines.append(current)
            current, current_w = _split_long(word, width, size, lines)
        lines.append(current)
        if limit is not None and len(lines) >= limit:
            break
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def _split_long(word: str, width: float, size: float, lines: list[str]) -> tuple[str, float]:
    """Cut ``word`` into lines of at most ``width`` (at least one character each).

    Appends the full pieces to ``lines`` and returns the rest with its width, in one walk.
    """
    start, total, index = 0, 0.0, 0
    while index < len(word):
        total += char_width(word[index], size)
        if total > width:
            cut = max(index, start + 1)
            lines.append(word[start:cut])
            start, total = cut, 0.0
            index = cut
            continue
        index += 1
    return word[start:], total
