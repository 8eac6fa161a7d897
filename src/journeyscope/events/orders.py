"""Orders from lines, and refunds: the SQL behind a mapping's ``group_by``, ``lines``,
``event_when`` and ``refund_when``.

Many exports write one row per order *line* (UCI Online Retail, Shopee, POS systems): an
order is then the rows that share an invoice number. Counting lines as purchases makes
"orders per customer", funnels and attribution wrong, so a mapping can say which column(s)
make one order; import then groups the checked lines with a ``GROUP BY`` in the same
statement: revenue is summed, the time and the other fields are the first line's, the lines
are kept in ``properties.lines``, and the event id is the key (so a re-import adds nothing).
A refund or cancellation becomes its own event whose revenue is stored negative, so a sum
of revenue over all events is net revenue.

Values from the mapping are always bound as parameters (``bind``); column names are quoted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection

from journeyscope.errors import InputError
from journeyscope.events.mapping import EventRule, LoadedMapping, Mapping
from journeyscope.events.query import event_name, quote

Bind = Callable[[object], str]
#: The columns a grouped row carries (what storing and quarantine read).
GROUPED_COLUMNS = (
    "event_id",
    "ts",
    "event",
    "channel",
    "touchpoint",
    "anonymous_id",
    "user_id",
    "email",
    "phone",
    "device_id",
    "zalo_id",
    "fb_psid",
    "loyalty_id",
)
REFUND = "refund"


def _text(column: str) -> str:
    return f"nullif(trim(nfc_normalize(CAST({quote(column)} AS VARCHAR))), '')"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def rule_sql(bind: Bind, rule: EventRule) -> str:
    """True for the rows the rule matches (text compared after trimming, both in NFC)."""
    value = _text(rule.column)
    if rule.starts_with is not None:
        return f"coalesce(starts_with({value}, {bind(_nfc(rule.starts_with))}), false)"
    if rule.equals is not None:
        return f"coalesce({value} = {bind(_nfc(rule.equals))}, false)"
    one_of = [_nfc(v) for v in rule.one_of or []]
    return f"coalesce(list_contains({bind(one_of)}, {value}), false)"


def _event_rules(mapping: Mapping) -> list[tuple[EventRule, str]]:
    """(rule, our event name) in the order they are tried: refunds first."""
    refund = mapping.refund_when
    rules = [(refund, refund.event or REFUND)] if refund else []
    return [*rules, *((r, r.event or "") for r in mapping.event_when)]


def event_case(bind: Bind, mapping: Mapping, otherwise: str) -> str:
    """The event name with the mapping's rules tried before ``otherwise`` (first match wins)."""
    rules = _event_rules(mapping)
    if not rules:
        return otherwise
    whens = " ".join(f"WHEN {rule_sql(bind, r)} THEN {bind(event_name(e))}" for r, e in rules)
    return f"CASE {whens} ELSE {otherwise} END"


def refund_revenue(bind: Bind, mapping: Mapping, revenue: str) -> str:
    """Revenue of a refund row stored as ``-abs(amount)``: sums over events are net."""
    if mapping.refund_when is None:
        return revenue
    refund = rule_sql(bind, mapping.refund_when)
    return f"CASE WHEN {refund} THEN -abs({revenue}) ELSE {revenue} END"


def group_key(mapping: Mapping) -> str | None:
    """The order key as text (NULL when a key column is empty), or None without group_by."""
    if not mapping.group_by:
        return None
    parts = [_text(c) for c in mapping.group_by]
    if len(parts) == 1:
        return parts[0]
    missing = " OR ".join(f"{p} IS NULL" for p in parts)
    return f"CASE WHEN {missing} THEN NULL ELSE concat_ws('|', {', '.join(parts)}) END"


def line_object(bind: Bind, mapping: Mapping) -> str:
    """One line as a JSON object of the ``lines`` columns (NULL when none are named)."""
    if not mapping.lines:
        return "CAST(NULL AS JSON)"
    pairs = ", ".join(f"{bind(c)}, {quote(c)}" for c in mapping.lines)
    return f"json_object({pairs})"


def grouped_sql(per_line: str, mapping: Mapping, bind: Bind) -> str:
    """Checked lines (``per_line``, with ``_g``, ``_line`` and ``_problem``) as orders.

    A group with a rejected line is rejected whole (its other lines are quarantined too,
    saying why): an order missing a line would have a wrong total. Revenue is summed in
    line order: a parallel ``sum`` of doubles differs in its last bit from run to run, and
    a re-import would then see a changed event."""
    first = ", ".join(f"arg_min({c}, _rec) AS {c}" for c in GROUPED_COLUMNS)
    props = "arg_min(properties, _rec)"
    if mapping.lines:
        lines = f"json_object({bind('lines')}, to_json(list(_line ORDER BY _rec)))"
        props = f"json_merge_patch(coalesce({props}, '{{}}'), {lines})"
    columns = ", ".join(("_rec", *GROUPED_COLUMNS, "properties", "revenue", "currency"))
    sibling = bind("group_by|another line of this order was rejected")
    return f"""
        WITH lines AS ({per_line}),
        bad AS (SELECT DISTINCT _g FROM lines WHERE _problem IS NOT NULL AND _g IS NOT NULL)
        SELECT min(_rec) AS _rec, {first}, {props} AS properties,
            list_sum(list(revenue ORDER BY _rec)) AS revenue, arg_min(currency, _rec) AS currency,
            CAST(NULL AS VARCHAR) AS _problem
        FROM lines WHERE _problem IS NULL AND _g NOT IN (SELECT _g FROM bad)
        GROUP BY _g
        UNION ALL
        SELECT {columns}, coalesce(_problem, {sibling}) AS _problem
        FROM lines WHERE _problem IS NOT NULL OR _g IN (SELECT _g FROM bad)"""


def missing_key(bind: Bind, mapping: Mapping) -> str:
    """The quarantine reason for a line without its order key (a ``WHEN`` of the checks)."""
    if not mapping.group_by:
        return ""
    return f"WHEN _g IS NULL THEN {bind('group_by|no ' + ' / '.join(mapping.group_by))}"


def _named_columns(mapping: Mapping) -> list[tuple[tuple[str, ...], str]]:
    """(where in the mapping, column) for every column grouping and the rules read."""
    named: list[tuple[tuple[str, ...], str]] = [(("group_by",), c) for c in mapping.group_by or []]
    named += [(("lines",), c) for c in mapping.lines or []]
    named += [
        (("event_when", str(i), "column"), r.column) for i, r in enumerate(mapping.event_when)
    ]
    if mapping.refund_when:
        named.append((("refund_when", "column"), mapping.refund_when.column))
    return named


def check_columns(loaded: LoadedMapping, columns: Collection[str], file_name: str) -> None:
    """Refuse a mapping whose grouping or rules name a column the file lacks, at its line."""
    for where, column in _named_columns(loaded.mapping):
        if column not in columns:
            key = ".".join(where)
            raise InputError(
                f"{key} names column {column!r}, which {file_name} lacks",
                f"{key} dùng cột {column!r} nhưng {file_name} không có",
                location=loaded.location(*where),
                hint_en=f"columns in the file: {', '.join(columns)}",
                hint_vi=f"các cột trong tệp: {', '.join(columns)}",
                code="missing_column",
            )
