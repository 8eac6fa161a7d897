"""Channel grouping of collected events: the Python twin of ``events.grouping``.

Import classifies a file's rows in SQL; a collected message is classified once, in the
request, from its ``context.campaign`` (UTM), referrer and ``context.channel``. The rules are
the same data (``events.grouping.RULES``) and DuckDB's ``regexp_matches`` is a search, like
:func:`re.search`, so both give the same channel (tests/collect/test_channels.py compares
them on the same inputs).
"""

from __future__ import annotations

import re
from functools import lru_cache

from journeyscope.events.grouping import RULES

#: Segment's ``context.channel`` (and the call type) when no UTM or referrer says more.
CONTEXT_CHANNELS = {"browser": "web", "mobile": "app"}
HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?(?:[^@/]*@)?([^/:?#]+)")


#: The rules with their patterns compiled: (channel, ((part, pattern), ...)).
COMPILED = tuple(
    (
        rule.channel,
        tuple(
            (name, re.compile(pattern))
            for name in ("source", "medium", "referrer")
            if (pattern := getattr(rule, name)) is not None
        ),
    )
    for rule in RULES
)


def referrer_host(referrer: str | None) -> str:
    """The lower-case host of a referrer URL ('' when there is none)."""
    if not referrer:  # most events have none: no regex for them
        return ""
    match = HOST.match(referrer)
    return match.group(1).lower() if match else ""


def group(source: str | None, medium: str | None, referrer: str | None) -> str | None:
    """The channel the default rules give, or None when none matches (direct traffic)."""
    return _group(
        (source or "").strip().lower(), (medium or "").strip().lower(), referrer_host(referrer)
    )


@lru_cache(maxsize=8192)
def _group(source: str, medium: str, host: str) -> str | None:
    """Campaigns repeat: each distinct (source, medium, host) is classified once."""
    parts = {"source": source, "medium": medium, "referrer": host}
    for channel, tests in COMPILED:
        if all(pattern.search(parts[name]) for name, pattern in tests):
            return channel
    return None
