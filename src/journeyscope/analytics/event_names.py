"""The event names a workspace's customers' events use, with how often: what a funnel
builder offers as steps, so a user picks ``add_to_cart`` instead of guessing its spelling.

Counted over the same events every report reads (those that belong to a customer), on the
workspace's engine, so a name listed here is a name a funnel step accepts.
"""

from __future__ import annotations

from typing import Any

from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Runner

__all__ = ["event_names"]


class _Everything:
    """Every event: the list is the workspace's vocabulary, not one period's."""

    def sql(self, q: Sql, alias: str = "e") -> str:
        del q, alias
        return "TRUE"


def event_names(r: Runner) -> list[dict[str, Any]]:
    """``[{event, events, customers}]``, most frequent first (ties by name)."""
    q = r.sql()
    base = r.source(_Everything(), q, "e.event AS event")
    rows = r.rows(
        "SELECT event, count(*) AS n, count(DISTINCT customer_id) AS c "
        f"FROM ({base}) b WHERE event IS NOT NULL GROUP BY event ORDER BY n DESC, event",
        q,
    )
    return [{"event": str(e), "events": int(n), "customers": int(c)} for e, n, c in rows]
