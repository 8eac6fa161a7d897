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

from journeyscope.analytics import touchpoints_arrays
from journeyscope.analytics.scope import Scope
from journeyscope.analytics.stages import rules_for, staged_sql
from journeyscope.engine.dialect import SparkSql, Sql
from journeyscope.engine.runner import Runner, as_runner
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import local_iso

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


def touchpoints(ws: Runner | Workspace, spec: TouchpointSpec, scope: Scope) -> dict[str, Any]:
    """The touchpoints report (the ``--json`` shape of ``journeyscope touchpoints``)."""
    return touchpoints_on(as_runner(ws), spec, scope)


def touchpoints_on(r: Runner, spec: TouchpointSpec, scope: Scope) -> dict[str, Any]:
    """The touchpoints report on either engine: on DuckDB from one scan into arrays
    (:mod:`~journeyscope.analytics.touchpoints_arrays`), on Spark with the SQL below."""
    if not isinstance(r.sql(), SparkSql):
        try:
            rows, end = touchpoints_arrays.report_rows(r, spec, scope)
        except touchpoints_arrays.NotServed:
            pass  # a NULL code or no perfect hash of the names: SQL answers
        else:
            return _report(rows, end, r.zone, spec, scope)
    return touchpoints_in_sql(r, spec, scope)


def touchpoints_in_sql(r: Runner, spec: TouchpointSpec, scope: Scope) -> dict[str, Any]:
    """The report with window frames, as Spark runs it (tests hold it equal to the
    arrays' on DuckDB)."""
    q = r.sql()
    cols = "ts, seq, event, channel, coalesce(touchpoint, channel || ':' || event) AS tp, rating"
    if spec.stage_model:
        model, rules = rules_for(spec.stage_model, spec.stage_rules)
        staged = staged_sql(r, model, rules, scope, q)
        base = f"SELECT customer_id, {cols}, stage FROM ({staged}) st"
    else:
        plain = r.source(scope, q, "e.*")
        base = f"SELECT customer_id, {cols}, CAST(NULL AS INTEGER) AS stage FROM ({plain}) pl"
    with r.scratch("tp_rows", "tp_marked"):
        r.table("tp_rows", base, q)
        q = r.sql()
        r.table("tp_marked", _marked_sql(q, spec), q)
        q = r.sql()
        rows = r.rows(_report_sql(q, spec), q)
        end = r.rows("SELECT max(ts) FROM tp_rows")[0][0]
    return _report(rows, end, r.zone, spec, scope)


def _report(
    rows: list[tuple[Any, ...]], end: Any, zone: str, spec: TouchpointSpec, scope: Scope
) -> dict[str, Any]:
    """The JSON shape from the per-touchpoint rows (either form's) and the data's end."""
    names: list[str] = []
    if spec.stage_model:
        model, _ = rules_for(spec.stage_model, spec.stage_rules)
        names = [s.id for s in model.stages]
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
        "conversion": event_name(spec.conversion),
        "window_seconds": spec.within.total_seconds(),
        "data_ends": local_iso(end, zone),
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


def _marked_sql(q: Sql, spec: TouchpointSpec) -> str:
    """Each event with the next conversion and own action after it, the latest conversion
    at or before it (itself included), and the first rating from it on — window frames of
    rows in (time, seq) order, so events at one instant keep the source's order: a touch
    written before a purchase of the same second leads to it, one written after does not."""
    us = q.micros("ts")
    conv = q.bind(event_name(spec.conversion))
    after = "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING"
    w = "PARTITION BY customer_id ORDER BY us, seq"
    rated = f"CASE WHEN rating IS NOT NULL THEN {q.row('us', 'seq')} END"
    return f"""
SELECT *,
    min(CASE WHEN event = {conv} THEN us END) OVER ({w} {after}) AS next_conv,
    max(CASE WHEN event = {conv} THEN us END) OVER (
        {w} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prev_conv,
    min(CASE WHEN NOT {q.is_event("event", spec.passive)} THEN us END) OVER ({w} {after})
        AS next_action,
    min(CASE WHEN rating IS NOT NULL THEN us END) OVER (
        {w} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rated_at,
    {q.value_at_min("rating", rated)} OVER (
        {w} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rating_next
FROM (SELECT *, {us} AS us FROM tp_rows) t
"""


def _report_sql(q: Sql, spec: TouchpointSpec) -> str:
    win = q.bind(int(spec.within.total_seconds() * 1_000_000))
    rep = q.bind(int(spec.repeat_within.total_seconds() * 1_000_000))
    contact = q.is_event("event", spec.contacts)
    key = q.row("us", "seq")
    open_touch = f"prev_conv IS NULL OR us - prev_conv > {win}"
    return f"""
WITH per_customer AS (
    SELECT customer_id, tp,
        bool_or(next_conv - us <= {win}) AS converted,
        max(us) AS last_touch,
        -- an open touch: no conversion in the window before it (or at it)
        max(us) FILTER (WHERE {open_touch}) AS last_open,
        {q.value_at_max("next_action", key)} FILTER (WHERE {open_touch}) AS next_action,
        {q.value_at_max("next_conv", key)} FILTER (WHERE {open_touch}) AS next_conv,
        {q.value_at_max("rating_next", key)} AS rating,
        {q.value_at_max("rated_at", key)} AS rated_at,
        count(*) FILTER (WHERE {contact}) AS contacts
    FROM tp_marked GROUP BY customer_id, tp
), repeats AS (
    SELECT customer_id, tp, bool_or(gap <= {rep}) AS repeated FROM (
        SELECT customer_id, tp,
            us - lag(us) OVER (PARTITION BY customer_id, tp ORDER BY us) AS gap
        FROM tp_marked WHERE {contact}
    ) g GROUP BY customer_id, tp
), ends AS (
    SELECT max(us) AS data_end FROM tp_marked
), judged AS (
    SELECT p.*,
        p.last_open IS NOT NULL AND e.data_end - p.last_open >= {win} AS observed,
        coalesce(p.next_action - p.last_open <= {win}, FALSE)
            OR coalesce(p.next_conv - p.last_open <= {win}, FALSE) AS moved_on
    FROM per_customer p CROSS JOIN ends e
), channels AS (  -- the most frequent channel and stage of a touchpoint (ties: smallest)
    SELECT tp, channel FROM (
        SELECT tp, channel, row_number() OVER (
            PARTITION BY tp ORDER BY count(*) DESC, channel) AS k
        FROM tp_marked GROUP BY tp, channel
    ) c WHERE k = 1
), stages AS (
    SELECT tp, stage FROM (
        SELECT tp, stage, row_number() OVER (
            PARTITION BY tp ORDER BY count(*) DESC, stage) AS k
        FROM tp_marked WHERE stage IS NOT NULL GROUP BY tp, stage
    ) s WHERE k = 1
), counts AS (
    SELECT m.tp, count(*) AS events, bool_and({q.is_event("m.event", spec.passive)}) AS outbound
    FROM tp_marked m GROUP BY m.tp
)
SELECT j.tp, ch.channel, st.stage, c.outbound, c.events, count(*) AS customers,
    count(*) FILTER (WHERE j.converted) AS converted,
    count(*) FILTER (WHERE j.observed AND NOT j.moved_on) AS dropped,
    count(*) FILTER (WHERE j.observed) AS observed,
    count(*) FILTER (WHERE j.contacts > 0) AS contact_customers,
    count(*) FILTER (WHERE r.repeated) AS repeat_contacts,
    avg(j.rating) FILTER (WHERE j.rated_at - j.last_touch <= {win}) AS rating_after,
    count(j.rating) FILTER (WHERE j.rated_at - j.last_touch <= {win}) AS rated
FROM judged j
JOIN counts c ON c.tp = j.tp
JOIN channels ch ON ch.tp = j.tp
LEFT JOIN stages st ON st.tp = j.tp
LEFT JOIN repeats r ON r.customer_id = j.customer_id AND r.tp = j.tp
GROUP BY j.tp, ch.channel, st.stage, c.outbound, c.events
HAVING count(*) >= {q.bind(spec.min_customers)}
ORDER BY customers DESC, j.tp
"""
