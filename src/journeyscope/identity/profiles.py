"""Customer profiles and workspace statistics, read from the resolved workspace."""

from __future__ import annotations

from typing import Any

from journeyscope.errors import NotFound
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import local_iso, round_money
from journeyscope.identity.explain import find_node

#: Events whose revenue makes a customer's net revenue: orders, and refunds stored negative.
MONEY_EVENTS = ("purchase", "refund")


def customer_id_of(ws: Workspace, ref: str) -> int:
    """A customer from ``42`` or from any of its identifiers (``phone:0903123456``)."""
    if ref.isascii() and ref.isdigit():  # int("²") would raise
        cid = int(ref)
        if ws.scalar("SELECT count(*) FROM identity_customers WHERE customer_id = ?", [cid]):
            return cid
        raise NotFound(
            f"no customer {cid}",
            f"không có khách hàng {cid}",
            hint_en="list identifiers with `journeyscope identity export`, or pass TYPE:VALUE",
            hint_vi="xem định danh bằng `journeyscope identity export`, hoặc dùng LOẠI:GIÁ_TRỊ",
        )
    _, id_type, value, customer, status, _ = find_node(ws, ref)
    if customer is None:
        raise NotFound(
            f"{id_type}:{value} belongs to no customer ({status})",
            f"{id_type}:{value} không thuộc khách hàng nào ({status})",
            hint_en=f"see why with `journeyscope identity explain {id_type}:{value}`",
            hint_vi=f"xem lý do bằng `journeyscope identity explain {id_type}:{value}`",
        )
    return int(customer)


def profile(ws: Workspace, ref: str, limit: int = 500) -> dict[str, Any]:
    """A customer card: ``orders`` counts purchases, ``refunds`` refunds and cancellations,
    ``revenue`` is net (refunds are stored negative), rounded to the currency's minor unit;
    times are in the workspace's zone with their offset."""
    cid = customer_id_of(ws, ref)
    zone, currency = ws.config.timezone, ws.config.currency
    con = ws.con
    identifiers = [
        {"type": t, "value": v}
        for t, v in con.execute(
            "SELECT id_type, value FROM identity_nodes WHERE customer_id = ? ORDER BY 1, 2", [cid]
        ).fetchall()
    ]
    first, last, events, orders, refunds, revenue = ws.one(
        """SELECT min(ts), max(ts), count(*), count(*) FILTER (event = 'purchase'),
                  count(*) FILTER (event = 'refund'),
                  coalesce(sum(revenue) FILTER (event IN ?), 0)
           FROM journey_events WHERE customer_id = ?""",
        [list(MONEY_EVENTS), cid],
    ) or (None, None, 0, 0, 0, 0)
    channels = [
        {"channel": ch, "events": n}
        for ch, n in con.execute(
            "SELECT channel, count(*) FROM journey_events WHERE customer_id = ? "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            [cid],
        ).fetchall()
    ]
    timeline = [
        {
            "ts": local_iso(ts, zone),
            "event": ev,
            "channel": ch,
            "touchpoint": tp,
            "revenue": round_money(rev, cur or currency),
            "currency": (cur or currency) if rev is not None else None,
            "source": src,
            "event_id": eid,
        }
        for ts, ev, ch, tp, rev, cur, src, eid in con.execute(
            "SELECT ts, event, channel, touchpoint, revenue, currency, source, event_id "
            "FROM journey_events "
            "WHERE customer_id = ? ORDER BY ts, seq LIMIT ?",
            [cid, limit],
        ).fetchall()
    ]
    return {
        "customer_id": cid,
        "identifiers": identifiers,
        "first_seen": local_iso(first, zone),
        "last_seen": local_iso(last, zone),
        "timezone": zone,
        "events": events,
        "orders": orders,
        "refunds": refunds,
        "revenue": round_money(revenue, currency),
        "currency": currency,
        "channels": channels,
        "timeline": timeline,
        "timeline_truncated": events > limit,
    }


def distinct_customers(ws: Workspace) -> int:
    """``count(DISTINCT customer_id)`` of the identifiers. Customer ids are numbered from
    1 with few gaps (merges leave some), so a bitmap over their range counts them in a
    tenth of the time of DuckDB's hash (0.05 s against 0.38 s for 5 M identifiers);
    ids spread far wider than their count are left to DuckDB."""
    row = ws.one(
        "SELECT min(customer_id), max(customer_id), count(customer_id) FROM identity_customers"
    )
    lo, hi, n = row or (None, None, 0)
    if not n:
        return 0
    if hi - lo + 1 > 8 * n + 1024:
        return int(ws.scalar("SELECT count(DISTINCT customer_id) FROM identity_customers"))
    import numpy as np

    ids = ws.con.sql(
        "SELECT customer_id FROM identity_customers WHERE customer_id IS NOT NULL"
    ).fetchnumpy()["customer_id"]
    seen = np.zeros(hi - lo + 1, np.bool_)
    seen[np.asarray(ids, np.int64) - lo] = True
    return int(np.count_nonzero(seen))


def stats(ws: Workspace, channel_customers: dict[str, int] | None = None) -> dict[str, Any]:
    """The workspace's summary; ``channel_customers``: customers per channel when the
    caller already counted them (the server, from the events it keeps), else SQL does."""
    con = ws.con
    total, first, last = ws.one("SELECT count(*), min(ts), max(ts) FROM events") or (0, None, None)
    if channel_customers is not None:
        rows = con.execute(
            "SELECT channel, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        found = [(ch, n, channel_customers.get(ch, 0)) for ch, n in rows]
    else:
        found = con.execute(
            # events per channel from the events, customers from the journeys resolve
            # wrote (the same attributed events, no join of ten million rows)
            """SELECT e.channel, e.n, coalesce(j.c, 0) FROM (
                SELECT channel, count(*) AS n FROM events GROUP BY 1
            ) e LEFT JOIN (
                SELECT channel, count(DISTINCT customer_id) AS c FROM journey_events GROUP BY 1
            ) j USING (channel) ORDER BY 2 DESC, 1"""
        ).fetchall()
    per_channel = [{"channel": ch, "events": n, "customers": c} for ch, n, c in found]
    return {
        "events": total,
        "customers": distinct_customers(ws),
        "identifiers": ws.scalar("SELECT count(*) FROM identity_customers"),
        "unattributed_events": total - ws.scalar("SELECT count(*) FROM event_customers"),
        "resolved": bool(ws.scalar("SELECT count(*) FROM identity_runs")),
        "first_event": local_iso(first, ws.config.timezone),
        "last_event": local_iso(last, ws.config.timezone),
        "timezone": ws.config.timezone,
        "imports": ws.scalar("SELECT count(*) FROM imports"),
        "channels": per_channel,
    }
