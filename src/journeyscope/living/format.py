"""A bound value as text in English and Vietnamese: the number, ``n = …`` and its badges.

Two lines a renderer can wrap: the number (``Drop-off: 30.6% (95% CI 25.2–36.5%)``), then
its sample and badges (``n = 252 · ⚠ few customers``). A missing number reads "no data",
never 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeyscope.i18n.formatting import format_number, format_vnd
from journeyscope.living.metrics import MetricDef
from journeyscope.maps.text import Localized, Text, localize

if TYPE_CHECKING:
    from journeyscope.living.bind import BoundValue

__all__ = ["number_text", "value_text"]

_STATES = {
    "no_data": ("no data", "không có dữ liệu"),
    "no_feedback": ("no feedback data", "chưa có dữ liệu phản hồi"),
    "not_evaluated": ("not evaluated", "chưa tính"),
}
_BADGES = {
    "few": ("⚠ few customers", "⚠ ít khách hàng"),
    "stale": ("⚠ stale: data ends {date}", "⚠ dữ liệu cũ: đến {date}"),
}


def _duration(seconds: float, lang: str) -> str:
    steps = ((86_400, "d", " ngày"), (3_600, "h", " giờ"), (60, " min", " phút"))
    for size, en, vi in steps:
        if seconds >= 1.5 * size:
            return f"{format_number(seconds / size, lang, 1)}{vi if lang == 'vi' else en}"
    return f"{format_number(seconds, lang)}{' giây' if lang == 'vi' else ' s'}"


def number_text(value: float, unit: str, lang: str) -> str:
    """``30.6%`` / ``30,6%``, ``858 customers`` / ``858 khách hàng``, ``2.4 d``, ``4.5 ★``."""
    if unit == "%":
        return f"{format_number(value * 100, lang, 1)}%"
    if unit == "customers":
        return f"{format_number(value, lang)} {'khách hàng' if lang == 'vi' else 'customers'}"
    if unit == "duration":
        return _duration(value, lang)
    if unit == "stars":
        return f"{format_number(value, lang, 2)} ★"
    if unit == "VND":
        return format_vnd(value, lang)
    if unit in ("of5", "of7"):
        return f"{format_number(value, lang, 2)} / {unit[-1]}"
    sign = "+" if value > 0 else ""
    if unit == "nps":
        return f"{sign}{format_number(value, lang, 1)}"
    return f"{sign}{format_number(value, lang, 2)} (−1…+1)"


def _one(value: BoundValue, metric: MetricDef, label: Text | None, lang: str) -> str:
    head = (
        localize(label, lang) if label else (metric.label_vi if lang == "vi" else metric.label_en)
    )
    if value.state != "ok" or value.value is None:
        en, vi = _STATES[value.state if value.state != "ok" else "no_data"]
        shown = f"{head}: {vi if lang == 'vi' else en}"
        return f"{shown}\n{value.expression}" if value.state == "not_evaluated" else shown
    line = f"{head}: {number_text(value.value, value.unit, lang)}"
    if value.ci is not None:
        low, high = (format_number(x * 100, lang, 1) for x in value.ci)
        line += f" ({'KTC 95%' if lang == 'vi' else '95% CI'} {low}–{high}%)"
    sample = [f"n = {format_number(value.n or 0, lang)}"]
    for badge in value.badges:
        en, vi = _BADGES[badge]
        sample.append((vi if lang == "vi" else en).format(date=(value.data_ends or "")[:10]))
    return f"{line}\n{' · '.join(sample)}"


def value_text(value: BoundValue, metric: MetricDef, label: Text | None = None) -> Localized:
    """The value in both languages (a renderer picks the map's language)."""
    return Localized(en=_one(value, metric, label, "en"), vi=_one(value, metric, label, "vi"))
