"""Numbers, money and times the way each language writes them, labelled.

Money is shown with its currency (``GBP 1,234.50``, ``15.000.000 ₫``) and rounded to the
currency's minor unit (ISO 4217: VND has none, GBP/USD/EUR have cents), so JSON and CSV
never carry ``247.65999999999997``. Times are stored as UTC and shown in the workspace's
time zone with their offset (``2026-05-01T10:00:00+07:00``), so a reader knows which.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: ISO 4217 minor units (digits after the decimal point); any other code: 2.
MINOR_UNITS: dict[str, int] = {
    "VND": 0,
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "ISK": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
SYMBOLS = {"VND": "₫"}


def minor_unit(currency: str | None) -> int:
    """Digits after the decimal point for ``currency`` (2 when unknown)."""
    return MINOR_UNITS.get((currency or "").upper(), 2)


def round_money(amount: float | None, currency: str | None) -> float | int | None:
    """``amount`` rounded to the currency's minor unit (an int for VND-like currencies)."""
    if amount is None:
        return None
    digits = minor_unit(currency)
    value = round(float(amount), digits)
    return int(value) if digits == 0 else value + 0.0  # + 0.0: no "-0.0"


def format_number(value: float, lang: str = "en", decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "vi":  # 1.234.567,5
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_money(amount: float, currency: str | None, lang: str = "en") -> str:
    """``GBP 1,234.50`` / ``1.234,50 GBP``; the đồng as ``VND 15,000,000`` / ``15.000.000 ₫``."""
    code = (currency or "VND").upper()
    number = format_number(amount, lang, minor_unit(code))
    if lang == "vi":
        return f"{number} {SYMBOLS.get(code, code)}"
    return f"{code} {number}"


def format_vnd(amount: float, lang: str = "en") -> str:
    """Vietnamese đồng: ``15.000.000 ₫`` in Vietnamese, ``VND 15,000,000`` in English."""
    return format_money(amount, "VND", lang)


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


def local_iso(ts: datetime | date | None, zone: str) -> str | None:
    """A stored time (naive = UTC) as ISO 8601 in ``zone`` with its offset:
    ``2026-05-01T10:00:00+07:00``. A date stays a date."""
    if ts is None:
        return None
    if not isinstance(ts, datetime):
        return ts.isoformat()
    aware = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone)).isoformat()


def local_text(ts: datetime | None, zone: str) -> str:
    """A stored time for a table: ``2026-05-01 10:00 +07:00`` (zone offset shown)."""
    if ts is None:
        return ""
    aware = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"
