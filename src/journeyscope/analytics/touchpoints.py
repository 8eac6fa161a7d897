"""Touchpoints: which places in the journey move customers on, and which lose them.

A touchpoint is the event's ``touchpoint`` field, or ``channel:event`` where a source has
none (``shopee:delivery_late``). Per touchpoint, over the customers who touched it:

- ``converted``: share who converted (``--conversion``, default purchase) within the
  window after a touch;
- ``dropped``: share whose last touch there was followed, within the window, by no
  conversion and no action of their own (outbound events such as ads shown, messages
  sent and deliveries are not actions). Only *open* touches count — those with no
  conversion in the window before them, so the calm after a purchase (order page,
  delivery, review) is not a loss — and only touches at least one window before the end
  of the data, so recent touches are not mistaken for losses. ``outbound`` marks
  touchpoints made only of outbound events (their "drop" is "no response");
- ``repeat_contacts``: for contact events (support calls), customers who came back to the
  same touchpoint within ``--repeat-within`` — an unresolved problem;
- ``rating_after``: the mean of the first rating each customer gave within the window
  after the touch, where feedback carries a ``rating`` property.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from journeyscope.analytics.scope import Scope, Sql, customer_events
from journeyscope.analytics.stages import rules_for, staged_events_sql
from journeyscope.events.ingest import event_name
from journeyscope.events.workspace import Workspace

PASSIVE = ("ad_impression", "message_sent", "email_sent", "order_delivered", "delivery_late")
CONTACTS = ("support_call", "complaint", "chat")


@dataclass(frozen=True)
class TouchpointSpec:
    conversion: str = "purchase"
    within: timedelta = timedelta(days=7)
    repeat_within: timedelta = timedelta(days=7)
    passive: tuple[str, ...] = PASSIVE
    contacts: tuple[str, ...] = CONTACTS
    min_customers: int = 1
    min_observed: int = 20
    stage_model: str | None = "retail5"
    stage_rules: Path | None = None


def touchpoints(ws: Workspace, spec: TouchpointSpec, scope: Scope) -> dict[str, Any]:
    """The touchpoints report (the ``--json`` shape of ``journeyscope touchpoints``)."""
    q = Sql()
    cols = (
        "ts, event_id, event, channel, coalesce(touchpoint, channel || ':' || event) AS tp, rating"
    )
    if spec.stage_model:
        model, rules = rules_for(spec.stage_model, spec.stage_rules)
        staged = staged_events_sql(ws, model, rules, scope, q)
        base = f"SELECT customer_id, {cols}, stage FROM ({staged})"
        names = [s.id for s in model.stages]
    else:
        plain = customer_events(ws, scope, q)
        base = f"SELECT customer_id, {cols}, NULL::INTEGER AS stage FROM ({plain})"
        names = []
    params = {
        "conv": event_name(spec.conversion),
        "passive": [event_name(p) for p in spec.passive],
        "contacts": [event_name(c) for c in spec.contacts],
        "win": spec.within.total_seconds(),
        "rep": spec.repeat_within.total_seconds(),
        "min": spec.min_customers,
    }
    with ws.scratch("tp_rows") as con:
        con.execute(f"CREATE OR REPLACE TEMP TABLE tp_rows AS {base}", q.params)
        rows = con.execute(_SQL, params).fetchall()
        end = con.execute("SELECT max(ts) FROM tp_rows").fetchall()[0][0]
    fields = (
        "touchpoint",
        "channel",
        "stage",
        "outbound",
        "events",
        "customers",
        "converted",
        "dropped",
        "observed",
        "contact_customers",
        "repeat_contacts",
        "rating_after",
        "rated",
    )
    items = []
    for row in rows:
        item = dict(zip(fields, row, strict=True))
        item["stage"] = names[item["stage"]] if item["stage"] is not None and names else None
        item["converted_share"] = _share(item["converted"], item["customers"])
        item["dropped_share"] = _share(item["dropped"], item["observed"])
        item["repeat_contact_share"] = (
            _share(item["repeat_contacts"], item["contact_customers"])
            if item["contact_customers"]
            else None
        )
        if item["rating_after"] is not None:
            item["rating_after"] = round(float(item["rating_after"]), 2)
        items.append(item)
    _rank_drops(items, spec.min_observed)
    return {
        "conversion": params["conv"],
        "window_seconds": params["win"],
        "data_ends": end.isoformat() + "Z" if end else None,
        "touchpoints": items,
        "scope": scope.describe(),
    }


def _rank_drops(items: list[dict[str, Any]], min_observed: int) -> None:
    """``drop_rank``: 1 = the worst drop among the customer's own actions in that stage.

    Outbound touchpoints and those with fewer than ``min_observed`` observed customers
    get no rank: a handful of customers is noise, not a finding.
    """
    groups: dict[Any, list[dict[str, Any]]] = {}
    for item in items:
        item["drop_rank"] = None
        if not item["outbound"] and item["observed"] >= min_observed:
            groups.setdefault(item["stage"], []).append(item)
    for group in groups.values():
        for rank, item in enumerate(sorted(group, key=lambda x: -x["dropped_share"]), start=1):
            item["drop_rank"] = rank


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


_SQL = """
WITH active AS (
    SELECT customer_id, ts FROM tp_rows WHERE event NOT IN (SELECT unnest($passive))
), conv AS (
    SELECT customer_id, ts FROM tp_rows WHERE event = $conv
), rated AS (
    SELECT customer_id, ts, rating FROM tp_rows WHERE rating IS NOT NULL
), touch AS (  -- per touch: the next conversion, and the last one before (or at) it
    SELECT t.customer_id, t.tp, t.ts, t.event, nc.ts AS next_conv, pc.ts AS prev_conv
    FROM tp_rows t
    ASOF LEFT JOIN conv nc ON nc.customer_id = t.customer_id AND nc.ts > t.ts
    ASOF LEFT JOIN conv pc ON pc.customer_id = t.customer_id AND pc.ts <= t.ts
), per_customer AS (
    SELECT customer_id, tp,
        bool_or(epoch(next_conv) - epoch(ts) <= $win) AS converted,
        max(ts) AS last_touch,
        -- an open touch: no conversion in the window before it (or at it)
        max(ts) FILTER (WHERE prev_conv IS NULL OR epoch(ts) - epoch(prev_conv) > $win)
            AS last_open,
        count(*) FILTER (WHERE event IN (SELECT unnest($contacts))) AS contacts
    FROM touch GROUP BY ALL
), after AS (
    SELECT p.*, na.ts AS next_action, nc.ts AS next_conv
    FROM per_customer p
    ASOF LEFT JOIN active na ON na.customer_id = p.customer_id AND na.ts > p.last_open
    ASOF LEFT JOIN conv nc ON nc.customer_id = p.customer_id AND nc.ts > p.last_open
), rating AS (
    SELECT p.customer_id, p.tp, r.rating, r.ts AS rated_at, p.last_touch
    FROM per_customer p
    ASOF LEFT JOIN rated r ON r.customer_id = p.customer_id AND r.ts >= p.last_touch
), repeats AS (
    SELECT customer_id, tp, bool_or(gap <= $rep) AS repeated FROM (
        SELECT customer_id, tp,
            epoch(ts) - epoch(lag(ts) OVER (PARTITION BY customer_id, tp ORDER BY ts)) AS gap
        FROM tp_rows WHERE event IN (SELECT unnest($contacts))
    ) GROUP BY ALL
), ends AS (
    SELECT max(ts) AS data_end FROM tp_rows
), judged AS (
    SELECT a.*,
        a.last_open IS NOT NULL
            AND epoch((SELECT data_end FROM ends)) - epoch(a.last_open) >= $win AS observed,
        coalesce(epoch(a.next_action) - epoch(a.last_open) <= $win, FALSE)
            OR coalesce(epoch(a.next_conv) - epoch(a.last_open) <= $win, FALSE) AS moved_on
    FROM after a
), counts AS (
    SELECT tp, count(*) AS events, mode(channel) AS channel, mode(stage) AS stage,
        bool_and(event IN (SELECT unnest($passive))) AS outbound
    FROM tp_rows GROUP BY tp
)
SELECT j.tp, c.channel, c.stage, c.outbound, c.events, count(*) AS customers,
    count(*) FILTER (WHERE j.converted) AS converted,
    count(*) FILTER (WHERE j.observed AND NOT j.moved_on) AS dropped,
    count(*) FILTER (WHERE j.observed) AS observed,
    count(*) FILTER (WHERE j.contacts > 0) AS contact_customers,
    count(*) FILTER (WHERE r.repeated) AS repeat_contacts,
    avg(g.rating) FILTER (WHERE epoch(g.rated_at) - epoch(g.last_touch) <= $win) AS rating_after,
    count(g.rating) FILTER (WHERE epoch(g.rated_at) - epoch(g.last_touch) <= $win) AS rated
FROM judged j
JOIN counts c ON c.tp = j.tp
JOIN rating g ON g.customer_id = j.customer_id AND g.tp = j.tp
LEFT JOIN repeats r ON r.customer_id = j.customer_id AND r.tp = j.tp
GROUP BY j.tp, c.channel, c.stage, c.outbound, c.events HAVING count(*) >= $min
ORDER BY customers DESC, j.tp
"""
