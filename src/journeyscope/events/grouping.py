"""Default channel grouping: UTM parameters and referrers to channels.

Like GA4's default channel group, adapted to Vietnam (Zalo, Shopee, Lazada, TikTok Shop,
Cốc Cốc, COD). Rules are data, compiled to one SQL ``CASE`` whose patterns are bound as
parameters; the first rule that matches wins. ``docs/data.md`` lists them in this order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

PAID: Final = r"^(cpc|ppc|cpm|cpv|cpa|paid.*|ads?|display|retargeting)$"


@dataclass(frozen=True)
class Rule:
    """``channel`` when every given pattern matches (source, medium, referrer host)."""

    channel: str
    source: str | None = None
    medium: str | None = None
    referrer: str | None = None


RULES: Final[tuple[Rule, ...]] = (
    Rule("tiktok_shop", source=r"(tiktok_?shop|shop\.tiktok)"),
    Rule("shopee", source=r"shopee"),
    Rule("lazada", source=r"lazada"),
    Rule("zalo", medium=r"^(zns|zalo.*|oa)$"),
    Rule("zalo", source=r"zalo"),
    Rule("email", medium=r"^(e-?mail|newsletter|edm)$"),
    Rule("sms", medium=r"^(sms|brandname)$"),
    Rule("delivery", medium=r"^cod$"),
    Rule("instagram", source=r"(instagram|^ig$)"),
    Rule("facebook", source=r"(facebook|^fb$|^meta$|messenger)"),
    Rule("tiktok", source=r"tiktok"),
    Rule("youtube", source=r"youtube"),
    Rule("google_ads", source=r"(google|adwords|gdn|dv360)", medium=PAID),
    Rule("google_ads", source=r"^$", medium=r"^(cpc|ppc)$"),
    Rule("referral", medium=r"^(referral|affiliate|partner|kol|koc)$"),
    Rule("search", medium=r"^organic$"),
    Rule("search", referrer=r"(^|\.)(google|bing|coccoc|yahoo|duckduckgo|yandex)\."),
    Rule("instagram", referrer=r"(^|\.)instagram\.com$"),
    Rule("facebook", referrer=r"(^|\.)(facebook\.com|fb\.com|fb\.me|messenger\.com)$"),
    Rule("tiktok", referrer=r"(^|\.)tiktok\.com$"),
    Rule("youtube", referrer=r"(^|\.)(youtube\.com|youtu\.be)$"),
    Rule("zalo", referrer=r"(^|\.)zalo\.(me|vn)$"),
    Rule("shopee", referrer=r"(^|\.)shopee\.vn$"),
    Rule("lazada", referrer=r"(^|\.)lazada\.vn$"),
    Rule("referral", referrer=r"."),
)


def _host(referrer_sql: str) -> str:
    """SQL for the lower-case host of a referrer URL."""
    return (
        f"lower(regexp_extract(coalesce({referrer_sql}, ''), "
        r"'^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?(?:[^@/]*@)?([^/:?#]+)', 1))"
    )


def grouping_sql(
    bind: Callable[[str], str],
    source_sql: str | None,
    medium_sql: str | None,
    referrer_sql: str | None,
) -> str:
    """A SQL expression giving the channel, or NULL when no rule matches.

    ``bind`` registers a parameter and returns its placeholder.
    """
    parts = {
        "source": f"lower(trim(coalesce({source_sql}, '')))" if source_sql else "''",
        "medium": f"lower(trim(coalesce({medium_sql}, '')))" if medium_sql else "''",
        "referrer": _host(referrer_sql) if referrer_sql else "''",
    }
    whens: list[str] = []
    for rule in RULES:
        needed = {n: getattr(rule, n) for n in ("source", "medium", "referrer")}
        needed = {n: p for n, p in needed.items() if p is not None}
        if any(parts[n] == "''" and p != "^$" for n, p in needed.items()):
            continue  # the file lacks a column this rule needs
        tests = " AND ".join(f"regexp_matches({parts[n]}, {bind(p)})" for n, p in needed.items())
        whens.append(f"WHEN {tests} THEN {bind(rule.channel)}")
    if not whens:
        return "NULL"
    return "CASE " + " ".join(whens) + " ELSE NULL END"
