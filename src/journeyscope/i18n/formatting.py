"""Numbers and money the way each language writes them."""

from __future__ import annotations


def format_number(value: float, lang: str = "en", decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "vi":  # 1.234.567,5
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_vnd(amount: float, lang: str = "en") -> str:
    """Vietnamese đồng: ``15.000.000 ₫`` in Vietnamese, ``VND 15,000,000`` in English."""
    if lang == "vi":
        return f"{format_number(amount, 'vi')} ₫"
    return f"VND {format_number(amount, 'en')}"


def format_vnd_short(amount: float, lang: str = "en") -> str:
    """Compact amounts for cards: ``15 triệu ₫`` / ``VND 15M``."""
    if amount >= 1_000_000_000:
        value, vi_unit, en_unit = amount / 1_000_000_000, "tỷ", "B"
    elif amount >= 1_000_000:
        value, vi_unit, en_unit = amount / 1_000_000, "triệu", "M"
    elif amount >= 1_000:
        value, vi_unit, en_unit = amount / 1_000, "nghìn", "K"
    else:
        return format_vnd(amount, lang)
    decimals = 0 if value == int(value) else 1
    number = format_number(value, lang, decimals)
    return f"{number} {vi_unit} ₫" if lang == "vi" else f"VND {number}{en_unit}"
