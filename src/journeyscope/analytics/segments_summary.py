"""What a segment looks like today: its size, channels, typical order and what it buys.

The same summary is a ``segment show``, a persona card's live numbers, and the REST
``GET .../segments/{name}``: the members are registered once as a small table and each
figure is one aggregate over their events.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from journeyscope.analytics.segments import Segment, members, unmatched
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import minor_unit

__all__ = ["PRODUCT_KEYS", "summary"]

#: Properties that name what was bought or looked at, most specific first
PRODUCT_KEYS = ("product", "product_name", "product_id", "sku", "item", "category")
_TOP = 8


def summary(ws: Workspace, segment: Segment, top: int = _TOP) -> dict[str, Any]:
    """The ``segment show --json`` shape (docs/analytics.md "Segments")."""
    ids = members(ws, segment)
    total = int(ws.scalar("SELECT count(DISTINCT customer_id) FROM journey_events") or 0)
    out: dict[str, Any] = {
        "name": segment.name,
        "kind": segment.kind,
        "description": segment.description,
        "rule": segment.rule,
        "customers": len(ids),
        "total_customers": total,
        "share": round(len(ids) / total, 4) if total else None,
        "currency": ws.config.currency,
    }
    if segment.members is not None:
        out["listed"] = len(segment.members)
        out["unmatched"] = unmatched(ws, segment)
    ws.con.register("sg_in", pa.table({"customer_id": pa.array(ids, pa.int64())}))
    try:
        out.update(_orders(ws))
        out["channels"] = _channels(ws, len(ids), top)
        out["top_events"] = _events(ws, top)
        out["top_products"] = _products(ws, top)
    finally:
        ws.con.unregister("sg_in")
    return out


def _orders(ws: Workspace) -> dict[str, Any]:
    digits = int(minor_unit(ws.config.currency))
    row = ws.one(
        f"""SELECT count(*) FILTER (WHERE j.event = 'purchase'),
            round(coalesce(sum(j.revenue) FILTER (WHERE j.event IN ('purchase', 'refund')), 0),
                  {digits}),
            round(median(j.revenue) FILTER (WHERE j.event = 'purchase' AND j.revenue > 0),
                  {digits})
        FROM journey_events j JOIN sg_in s ON s.customer_id = j.customer_id"""
    )
    orders, revenue, typical = row if row else (0, 0, None)
    return {
        "orders": int(orders or 0),
        "revenue": float(revenue or 0),
        "typical_order_value": None if typical is None else float(typical),
    }


def _own(ws: Workspace) -> tuple[str, list[str]]:
    passive = list(ws.config.events.passive) or ["\x00"]
    return "NOT list_contains($passive, j.event)", passive


def _channels(ws: Workspace, size: int, top: int) -> list[dict[str, Any]]:
    """Per channel: customers who used it (share of the segment) and share of actions."""
    own, passive = _own(ws)
    rows = ws.con.execute(
        f"""SELECT j.channel, count(DISTINCT j.customer_id) AS c, count(*) AS n,
            sum(count(*)) OVER () AS total
        FROM journey_events j JOIN sg_in s ON s.customer_id = j.customer_id
        WHERE {own} GROUP BY 1 ORDER BY c DESC, n DESC, 1 LIMIT {int(top)}""",
        {"passive": passive},
    ).fetchall()
    return [
        {
            "channel": str(ch),
            "customers": int(c),
            "share_of_customers": round(int(c) / size, 4) if size else 0.0,
            "share_of_actions": round(int(n) / float(total), 4) if total else 0.0,
        }
        for ch, c, n, total in rows
    ]


def _events(ws: Workspace, top: int) -> list[dict[str, Any]]:
    rows = ws.con.execute(
        f"""SELECT j.event, count(DISTINCT j.customer_id), count(*)
        FROM journey_events j JOIN sg_in s ON s.customer_id = j.customer_id
        GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT {int(top)}"""
    ).fetchall()
    return [{"event": str(e), "customers": int(c), "events": int(n)} for e, c, n in rows]


def _products(ws: Workspace, top: int) -> dict[str, Any] | None:
    """The first of ``PRODUCT_KEYS`` the members' events carry, with its top values by
    customers (purchases first, then any event naming one)."""
    for key in PRODUCT_KEYS:
        rows = ws.con.execute(
            f"""SELECT v, count(DISTINCT customer_id) AS c,
                count(*) FILTER (WHERE event = 'purchase') AS bought, count(*) AS n
            FROM (SELECT j.customer_id, j.event, json_extract_string(x.properties, $path) AS v
                  FROM journey_events j JOIN sg_in s ON s.customer_id = j.customer_id
                  JOIN events x ON x.seq = j.seq) t
            WHERE v IS NOT NULL GROUP BY 1 ORDER BY bought DESC, c DESC, 1 LIMIT {int(top)}""",
            {"path": f"$.{key}"},
        ).fetchall()
        if rows:
            return {
                "property": key,
                "values": [
                    {"value": str(v), "customers": int(c), "purchases": int(b), "events": int(n)}
                    for v, c, b, n in rows
                ],
            }
    return None
