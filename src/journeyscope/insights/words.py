"""One sentence per finding, in the reader's language: what moved, how much.

Shared by every face that prints findings (the terminal, the demo's report); the web app
says the same in its own page module.
"""

from __future__ import annotations

from typing import Any

from journeyscope.i18n.formatting import format_number

__all__ = ["headline"]


def _pct(x: float | None, lang: str) -> str:
    return "–" if x is None else f"{format_number(x * 100, lang, 1)}%"


def headline(f: dict[str, Any], lang: str) -> str:
    """``Conversion checkout → purchase fell from 95.0% to 31.4%`` (en) or its Vietnamese."""
    vi = lang == "vi"
    metric = f.get("metric") or {}
    kind = f["kind"]
    down = f["direction"] == "down"
    if kind == "conversion":
        step = f"{metric['from_step']} → {metric['to_step']}"
        a, b = _pct(f["before"]["rate"], lang), _pct(f["during"]["rate"], lang)
        if vi:
            verb, to = ("giảm", "xuống") if down else ("tăng", "lên")
            return f"Chuyển đổi {step} {verb} từ {a} {to} {b}"
        return f"Conversion {step} {'fell' if down else 'rose'} from {a} to {b}"
    if kind == "loop":
        rate = _pct(f["during"]["rate"], lang)
        if vi:
            return f"{rate} khách ở bước {metric['step']} bị đưa quay lại {metric['back_to']}"
        return f"{rate} of customers at {metric['step']} were sent back to {metric['back_to']}"
    if kind in ("spike", "new_event"):
        obs = format_number(f.get("observed_per_day") or 0, lang, 1)
        exp = format_number(f.get("expected_per_day") or 0, lang, 1)
        new = kind == "new_event"
        if vi:
            lead = "Sự kiện mới" if new else "Tăng đột biến"
            return f"{lead} {metric['event']}: {obs} khách/ngày (thường {exp})"
        lead = "New event" if new else "Spike in"
        return f"{lead} {metric['event']}: {obs} customers/day (usually {exp})"
    if kind == "spike_not_converting":
        n = format_number(f["during"]["customers"], lang)
        rate, base = _pct(f["during"]["rate"], lang), _pct(f["baseline"]["rate"], lang)
        if vi:
            return f"{n} khách mới đến nhưng chỉ {rate} mua (thường {base})"
        return f"{n} new customers came but only {rate} bought (usually {base})"
    rate, base = _pct(f["during"]["rate"], lang), _pct(f["baseline"]["rate"], lang)
    if vi:
        return f"Khách mua lần đầu trong kỳ này quay lại {rate} (các kỳ khác {base})"
    return f"First buyers of this period came back {rate} (other periods {base})"
