"""Segment rules: which customers belong, by facts about each customer (not each event).

A rule reads like a ``--where`` filter (the same tokens and parser,
:func:`journeyscope.analytics.scope.parse_filter`) but its fields describe a customer::

    rule    := clause ("and" clause)*
    clause  := FIELD OP VALUE | FIELD ["not"] "in" "(" VALUE ("," VALUE)* ")"
    FIELD   := orders | refunds | revenue | aov | events | days_since_last
               | days_since_first | avg_rating | r | f | m | rfm_segment
               | channel | main_channel | first_channel
               | channel_share.CHANNEL | did.EVENT | traits.KEY

Facts come from every stitched event of the workspace (never a report's period), so a
segment means the same customers in every report. Days count calendar days in the
workspace's time zone up to the day of the workspace's last event (so a rule gives the same
answer tomorrow on the same data). "Activity" is what the customer did: the events
``workspace.yaml`` calls passive (ads shown, messages sent, deliveries) are not theirs.
The rule is rendered as SQL with every value bound as a parameter, never pasted in.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from journeyscope.analytics.scope import Clause, Filter, json_key, parse_filter
from journeyscope.engine.dialect import Sql
from journeyscope.errors import InputError, Location
from journeyscope.events.query import event_name

__all__ = [
    "FIELDS",
    "PREFIXES",
    "Rule",
    "UnknownSegmentField",
    "facts_sql",
    "parse_rule",
]

#: Number fields: name -> (English, Vietnamese) meaning, for help and errors
FIELDS: dict[str, tuple[str, str]] = {
    "orders": ("purchases", "số đơn mua"),
    "refunds": ("refunds", "số lần hoàn tiền"),
    "revenue": ("net revenue, in the workspace currency", "doanh thu ròng"),
    "aov": ("average order value", "giá trị đơn trung bình"),
    "events": ("events of any kind", "số sự kiện"),
    "days_since_last": ("days since the last own action", "số ngày từ hoạt động gần nhất"),
    "days_since_first": ("days since the first own action", "số ngày từ hoạt động đầu tiên"),
    "avg_rating": ("average rating given", "điểm đánh giá trung bình"),
    "r": ("RFM recency score 1-5", "điểm R (gần đây) 1-5"),
    "f": ("RFM frequency score 1-5", "điểm F (tần suất) 1-5"),
    "m": ("RFM monetary score 1-5", "điểm M (giá trị) 1-5"),
    "rfm_segment": ("RFM segment (champions, loyal, at_risk, ...)", "nhóm RFM"),
    "channel": ("channels used (any of)", "các kênh đã dùng"),
    "main_channel": ("the channel used most", "kênh dùng nhiều nhất"),
    "first_channel": ("the channel of the first own action", "kênh của hoạt động đầu tiên"),
}
#: Field families: prefix -> what follows the dot
PREFIXES: dict[str, tuple[str, str]] = {
    "channel_share": ("CHANNEL: share of own actions on it, 0-1", "KÊNH: tỷ lệ hoạt động"),
    "did": ("EVENT: how many times", "SỰ_KIỆN: số lần"),
    "traits": ("KEY: the latest identify trait", "KHOÁ: thuộc tính identify mới nhất"),
}
TEXT = frozenset({"rfm_segment", "main_channel", "first_channel"})
_RULE_EXAMPLE = '"orders >= 2 and channel in (shopee, lazada) and days_since_last <= 90"'


class UnknownSegmentField(InputError):
    """A rule names a field customers do not have."""

    code = "unknown_segment_field"
    http_status = 422


@dataclass(frozen=True)
class Rule:
    """A parsed rule: its clauses, and the text it came from."""

    text: str
    where: Filter

    @property
    def events(self) -> list[str]:
        """Event names the rule counts (``did.EVENT``), to check against the data."""
        return [event_name(c.field[4:]) for c in self.where.clauses if c.field.startswith("did.")]

    @property
    def channels(self) -> list[tuple[str, str]]:
        """(channel, field) pairs the rule names, to check against the data."""
        out = [(c.field[14:], c.field) for c in self.where.clauses if _prefix(c) == "channel_share"]
        for c in self.where.clauses:
            if c.field in ("channel", "main_channel", "first_channel"):
                out += [(v, c.field) for v in c.values]
        return out

    @property
    def traits(self) -> list[str]:
        return [c.field[7:] for c in self.where.clauses if _prefix(c) == "traits"]


def _prefix(c: Clause) -> str | None:
    head, dot, tail = c.field.partition(".")
    return head if dot and tail and head in PREFIXES else None


def bad_rule(text: str, en: str, vi: str, field: str = "--rule") -> InputError:
    return InputError(
        f"cannot read rule {text!r}: {en}",
        f"không đọc được quy tắc {text!r}: {vi}",
        location=Location(field=field),
        hint_en=f"example: {_RULE_EXAMPLE}",
        hint_vi=f"ví dụ: {_RULE_EXAMPLE}",
        code="invalid_rule",
    )


def _unknown_field(name: str, field: str) -> UnknownSegmentField:
    known = [*FIELDS, *(f"{p}.{tail.split(':')[0]}" for p, (tail, _) in PREFIXES.items())]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    shown = ", ".join(known)
    hint_en = (f"did you mean {' or '.join(close)}? " if close else "") + f"fields: {shown}"
    hint_vi = (
        f"có phải ý bạn là {' hoặc '.join(close)}? " if close else ""
    ) + f"các trường: {shown}"
    return UnknownSegmentField(
        f"a segment rule has no field {name!r}",
        f"quy tắc phân khúc không có trường {name!r}",
        location=Location(field=field),
        hint_en=hint_en,
        hint_vi=hint_vi,
    )


def parse_rule(text: str, field: str = "--rule") -> Rule:
    """Parse and check a rule's shape (fields, operators, numbers); names in the data
    (events, channels, traits) are checked against a workspace by the caller."""
    if not text or not text.strip():
        raise bad_rule(text, "the rule is empty", "quy tắc trống", field)
    where = parse_filter(text, field, events=False)
    for c in where.clauses:
        _check_clause(text, c, field)
    return Rule(text.strip(), where)


def _check_clause(text: str, c: Clause, field: str) -> None:
    prefix = _prefix(c)
    if c.field not in FIELDS and prefix is None:
        raise _unknown_field(c.field, field)
    numeric = c.field not in TEXT and c.field != "channel" and prefix != "traits"
    if c.field == "channel" and c.op not in ("=", "!=", "in", "not in"):
        raise bad_rule(
            text,
            "channel takes =, !=, in or not in (channels used)",
            "channel dùng =, !=, in hoặc not in (các kênh đã dùng)",
            field,
        )
    if numeric and c.op == "~":
        raise bad_rule(text, f"{c.field} is a number: ~ reads text", f"{c.field} là số", field)
    if numeric:
        for value in c.values:
            try:
                float(value)
            except ValueError:
                raise bad_rule(
                    text,
                    f"{c.field} is a number, not {value!r}",
                    f"{c.field} là số, không phải {value!r}",
                    field,
                ) from None


# -- SQL ----------------------------------------------------------------------------------


def facts_sql(
    q: Sql, rule: Rule | None, zone: str, passive: list[str], purchase: str = "purchase"
) -> str:
    """``SELECT customer_id, <facts>`` — one row per stitched customer; with ``rule``,
    only those it keeps (its dynamic fields are extra columns ``x0``, ``x1``, ...)."""
    from journeyscope.analytics.retention import _rfm_sql

    clauses = rule.where.clauses if rule else ()
    zone_p = q.bind(zone)
    passive_p = q.bind(list(passive) or ["\x00"])
    bought = q.bind(purchase)
    own = f"NOT list_contains({passive_p}, event)"
    extra, joins = _dynamic(q, clauses)
    cond = " AND ".join(_clause_sql(q, c, i) for i, c in enumerate(clauses)) or "TRUE"
    rfm = _rfm_sql(q, purchase)
    return f"""
WITH rt_rows AS (
    SELECT customer_id, ts, seq, event, channel, revenue, rating FROM journey_events
), own_ch AS (
    SELECT customer_id, channel, count(*) AS n FROM rt_rows WHERE {own} GROUP BY 1, 2
), chans AS (
    SELECT customer_id, list(channel ORDER BY channel) AS channels,
        arg_max(channel, (n, -rank_ch)) AS main_channel, sum(n) AS own_events
    FROM (SELECT *, dense_rank() OVER (ORDER BY channel) AS rank_ch FROM own_ch) c GROUP BY 1
), rfm AS ({rfm}
), base AS (
    SELECT customer_id,
        count(*) FILTER (WHERE event = {bought}) AS orders,
        count(*) FILTER (WHERE event = 'refund') AS refunds,
        coalesce(sum(revenue) FILTER (WHERE event IN ({bought}, 'refund')), 0) AS revenue,
        count(*) AS events,
        max(ts) FILTER (WHERE {own}) AS last_own, min(ts) FILTER (WHERE {own}) AS first_own,
        arg_min(channel, (ts, seq)) FILTER (WHERE {own}) AS first_channel,
        avg(rating) AS avg_rating{extra}
    FROM rt_rows GROUP BY 1
), facts AS (
    SELECT b.customer_id, b.orders, b.refunds, b.revenue,
        CASE WHEN b.orders > 0 THEN b.revenue / b.orders END AS aov, b.events,
        {_days(q, "b.last_own", zone_p)} AS days_since_last,
        {_days(q, "b.first_own", zone_p)} AS days_since_first,
        b.avg_rating, r.r, r.f, r.m, r.segment AS rfm_segment,
        coalesce(c.channels, []) AS channels, c.main_channel, b.first_channel,
        c.own_events, b.* EXCLUDE (customer_id, orders, refunds, revenue, events, last_own,
            first_own, first_channel, avg_rating){joins[0]}
    FROM base b LEFT JOIN rfm r ON r.customer_id = b.customer_id
    LEFT JOIN chans c ON c.customer_id = b.customer_id{joins[1]}
)
SELECT * FROM facts WHERE {cond}"""


def _days(q: Sql, ts: str, zone_p: str) -> str:
    last = q.local_date("(SELECT max(ts) FROM journey_events)", zone_p)
    return q.days_between(q.local_date(ts, zone_p), last)


def _dynamic(q: Sql, clauses: tuple[Clause, ...]) -> tuple[str, tuple[str, str]]:
    """Aggregates for ``did.*`` and ``channel_share.*`` (in ``base``) and the joins that
    bring ``traits.*`` (read from identify events' properties on the full event row)."""
    extra: list[str] = []
    select, join = "", ""
    for i, c in enumerate(clauses):
        prefix = _prefix(c)
        if prefix == "did":
            name = q.bind(event_name(c.field[4:]))
            extra.append(f"count(*) FILTER (WHERE event = {name}) AS x{i}")
        elif prefix == "channel_share":
            extra.append(f"count(*) FILTER (WHERE channel = {q.bind(c.field[14:])}) AS n{i}")
        elif prefix == "traits":
            path = q.bind("$.traits." + json_key(c.field[7:]))
            value = f"json_extract_string(x.properties, {path})"
            select += f", t{i}.v AS x{i}"
            join += f"""
    LEFT JOIN (SELECT j.customer_id, arg_max({value}, (j.ts, j.seq)) AS v
        FROM journey_events j JOIN events x ON x.seq = j.seq
        WHERE j.event = 'identify' AND {value} IS NOT NULL GROUP BY 1
    ) t{i} ON t{i}.customer_id = b.customer_id"""
    for i, c in enumerate(clauses):  # shares need own_events: computed once joined
        if _prefix(c) == "channel_share":
            select += f", CAST(b.n{i} AS DOUBLE) / nullif(c.own_events, 0) AS x{i}"
    return "".join(f",\n        {e}" for e in extra), (select, join)


def _clause_sql(q: Sql, c: Clause, i: int) -> str:
    """One clause over ``facts``: numbers compared as numbers, ``channel`` as "used any
    of"; a missing fact (no purchase: no ``aov``) matches only ``!=`` and ``not in``,
    as in ``--where``."""
    prefix = _prefix(c)
    if c.field == "channel":
        sql = f"list_has_any(channels, {q.bind(list(c.values))})"
        return f"NOT {sql}" if c.op in ("!=", "not in") else sql
    column = f"x{i}" if prefix in ("did", "channel_share", "traits") else c.field
    numeric = c.field not in TEXT and prefix != "traits"

    def val(v: str) -> str:
        return q.bind(float(v) if numeric else v)

    if c.op in ("in", "not in"):
        sql = f"{column} IN ({', '.join(val(v) for v in c.values)})"
        return f"coalesce(NOT ({sql}), TRUE)" if c.op == "not in" else f"coalesce({sql}, FALSE)"
    if c.op == "~":
        return f"coalesce(contains(lower({column}), lower({q.bind(c.values[0])})), FALSE)"
    if c.op == "!=":
        return f"coalesce({column} <> {val(c.values[0])}, TRUE)"
    return f"coalesce({column} {c.op} {val(c.values[0])}, FALSE)"
