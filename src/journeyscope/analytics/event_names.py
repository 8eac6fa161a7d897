"""The event names a workspace's customers' events use, with how often: what a funnel
builder offers as steps, so a user picks ``add_to_cart`` instead of guessing its spelling.

Counted over the same events every report reads (those that belong to a customer), on the
workspace's engine, so a name listed here is a name a funnel step accepts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Runner

if TYPE_CHECKING:
    import numpy as np

__all__ = ["customers_per_code", "event_names"]

#: names counted per customer with one bit each (more: SQL counts them)
MAX_BITS = 64


class _Everything:
    """Every event: the list is the workspace's vocabulary, not one period's."""

    def sql(self, q: Sql, alias: str = "e") -> str:
        del q, alias
        return "TRUE"


def event_names(r: Runner) -> list[dict[str, Any]]:
    """``[{event, events, customers}]``, most frequent first (ties by name): counted from
    the scan a long-lived process keeps when it has one (every dashboard asks this first),
    else in SQL."""
    from journeyscope.analytics.events_arrays import kept_read
    from journeyscope.analytics.scope import Scope

    ev = kept_read(r, Scope())
    if ev is not None and len(ev.event_names) <= MAX_BITS:
        return _from_arrays(ev.owner, ev.event, ev.event_names)
    q = r.sql()
    base = r.source(_Everything(), q, "e.event AS event")
    rows = r.rows(
        "SELECT event, count(*) AS n, count(DISTINCT customer_id) AS c "
        f"FROM ({base}) b WHERE event IS NOT NULL GROUP BY event ORDER BY n DESC, event",
        q,
    )
    return [{"event": str(e), "events": int(n), "customers": int(c)} for e, n, c in rows]


def _from_arrays(owner: np.ndarray, event: np.ndarray, names: list[str]) -> list[dict[str, Any]]:
    """The same list from the events in journey order."""
    import numpy as np

    if not len(event):
        return []
    events = np.bincount(event, minlength=len(names))
    customers = customers_per_code(owner, event, len(names))
    found = [
        (-int(events[k]), name, int(customers[k])) for k, name in enumerate(names) if events[k]
    ]
    return [{"event": name, "events": -n, "customers": c} for n, name, c in sorted(found)]


def customers_per_code(owner: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """For each of ``n`` (at most :data:`MAX_BITS`) codes, how many journeys have a row of
    it: each journey's codes as the bits of one integer (one OR per journey of rows in
    journey order), then the journeys with each bit set."""
    import numpy as np

    if n > MAX_BITS:
        raise ValueError(f"at most {MAX_BITS} codes, not {n}")
    if not len(codes):
        return np.zeros(n, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
    bits = np.left_shift(np.uint64(1), codes.astype(np.uint64))
    seen = np.bitwise_or.reduceat(bits, starts)
    return np.array([np.count_nonzero(seen & np.uint64(1 << k)) for k in range(n)], np.int64)
