"""SQL dialects: how an analysis is spelled for DuckDB (:class:`Sql`) and for Spark SQL
(:class:`SparkSql`).

Reports build their statements through these builders, so one report's code renders for
either engine; only the few functions whose spelling differs live here, as methods.
"""

from __future__ import annotations

from typing import Any

from journeyscope.events.query import Query, event_name

__all__ = ["SparkSql", "Sql"]


class Sql(Query):
    """Query text with bound parameters, noting whether it reads fields that only the full
    event row has (identifiers, properties): then the journey table is joined to it.

    The dialect is DuckDB's; :class:`SparkSql` renders the same analyses for Spark SQL."""

    uint = "UINTEGER"  # the type of a funnel's step bits
    text = "VARCHAR"  # the type of text

    def __init__(self) -> None:
        super().__init__()
        self.event_row = False

    def json_text(self, column: str, path: str) -> str:
        return f"json_extract_string({column}, {self.bind(path)})"

    def is_event(self, column: str, names: tuple[str, ...] | list[str]) -> str:
        """``column`` is one of the event ``names`` (normalised; FALSE for none — an empty
        ``IN ()`` is not SQL, and ``IN (NULL)`` would make ``NOT`` unknown, not TRUE)."""
        if not names:
            return "FALSE"
        return f"{column} IN ({', '.join(self.bind(event_name(n)) for n in names)})"

    # the few functions whose spelling differs between the engines
    def seconds(self, ts: str) -> str:
        """A timestamp as seconds since the epoch (fractional)."""
        return f"epoch({ts})"

    def micros(self, ts: str) -> str:
        """A timestamp as whole microseconds since the epoch."""
        return f"epoch_us({ts})"

    def position(self, names: str, value: str) -> str:
        """The 0-based position of ``value`` in the bound list ``names`` (−1: absent)."""
        return f"coalesce(list_position({names}, {value}), 0) - 1"

    def json_keys(self, column: str) -> str:
        """One row per top-level key of the JSON object ``column`` (a select expression)."""
        return f"unnest(json_keys({column}))"

    def ordered_list(self, value: str, order: str) -> str:
        return f"list({value} ORDER BY {order})"

    def joined_text(self, value: str, where: str) -> str:
        """The rows' ``value`` where ``where`` holds, sorted, joined by spaces (NULL: none)."""
        return f"string_agg({value}, ' ' ORDER BY {value}) FILTER (WHERE {where})"

    def from_micros(self, us: str) -> str:
        """Microseconds since the epoch as a UTC timestamp."""
        return f"make_timestamp({us})"

    def iso_local(self, local: str, zone: str) -> str:
        """A wall-clock time in ``zone`` as ISO 8601 with its offset,
        ``2026-05-01T10:00:00+07:00``: a time in a CSV says which zone it is in."""
        minutes = f"date_diff('minute', CAST(timezone({zone}, {local}) AS TIMESTAMP), {local})"
        return (
            f"strftime({local}, '%Y-%m-%dT%H:%M:%S') || "
            f"CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END || "
            f"lpad(CAST(abs({minutes}) // 60 AS VARCHAR), 2, '0') || ':' || "
            f"lpad(CAST(abs({minutes}) % 60 AS VARCHAR), 2, '0')"
        )

    # ``value`` on the row with the smallest / largest ``key`` (rows whose key is NULL are
    # ignored), even when ``value`` is NULL there: DuckDB's arg_min/arg_max would skip to
    # another row, Spark's min_by/max_by would not, so both engines use these
    def value_at_min(self, value: str, key: str) -> str:
        return f"arg_min_null({value}, {key})"

    def value_at_max(self, value: str, key: str) -> str:
        return f"arg_max_null({value}, {key})"

    def local_date(self, ts: str, zone: str) -> str:
        """The date of a UTC timestamp in the time zone ``zone`` (an SQL expression)."""
        return f"CAST({self.local_time(ts, zone)} AS DATE)"

    def numbers(self, upto: int) -> str:
        """A one-column table ``k`` of 0..upto."""
        return f"(SELECT range AS k FROM range(0, {int(upto) + 1}))"

    def quantile(self, value: str, p: float) -> str:
        """The exact quantile with linear interpolation between neighbours."""
        return f"quantile_cont({value}, {float(p)})"

    def row(self, *fields: str) -> str:
        """A comparable tuple of fields (an ordering key)."""
        return f"({', '.join(fields)})"

    def local_time(self, ts: str, zone: str) -> str:
        """A UTC timestamp as wall-clock time in ``zone`` (a timestamp without zone)."""
        return f"timezone({zone}, CAST({ts} AS TIMESTAMPTZ))"

    def days_between(self, a: str, b: str) -> str:
        """Calendar days from ``a`` to ``b`` (midnights crossed)."""
        return f"date_diff('day', {a}, {b})"

    def periods_between(self, period: str, a: str, b: str) -> str:
        """Whole periods (day, week, month) from period start ``a`` to period start ``b``."""
        return f"date_diff('{_period(period)}', {a}, {b})"


class SparkSql(Sql):
    """The same queries for Spark SQL: ``:name`` parameters (``spark.sql(text, args=...)``),
    ``get_json_object`` for properties, signed step bits (at most 31 steps fit)."""

    uint = "INT"
    text = "STRING"

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def json_text(self, column: str, path: str) -> str:
        return f"get_json_object({column}, {self.bind(path)})"

    def seconds(self, ts: str) -> str:
        return f"(unix_micros({ts}) / 1e6)"

    def micros(self, ts: str) -> str:
        return f"unix_micros({ts})"

    def position(self, names: str, value: str) -> str:
        return f"array_position({names}, {value}) - 1"

    def json_keys(self, column: str) -> str:
        return f"explode(json_object_keys({column}))"

    def ordered_list(self, value: str, order: str) -> str:
        return f"transform(array_sort(collect_list(struct({order} AS o, {value} AS v))), x -> x.v)"

    def joined_text(self, value: str, where: str) -> str:
        return (
            f"nullif(array_join(array_sort(collect_list({value}) FILTER (WHERE {where})), ' '), '')"
        )

    def from_micros(self, us: str) -> str:
        return f"timestamp_micros({us})"

    def iso_local(self, local: str, zone: str) -> str:
        minutes = (
            f"CAST((unix_timestamp({local}) - unix_timestamp(to_utc_timestamp({local}, {zone})))"
            " / 60 AS INT)"
        )
        return (  # format_string writes NULL as 'null': keep NULL a NULL
            f"CASE WHEN {local} IS NOT NULL THEN "
            f"format_string('%sT%s%s%02d:%02d', date_format({local}, 'yyyy-MM-dd'), "
            f"date_format({local}, 'HH:mm:ss'), CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END, "
            f"abs({minutes}) div 60, abs({minutes}) % 60) END"
        )

    def value_at_min(self, value: str, key: str) -> str:
        return f"min_by({value}, {key})"

    def value_at_max(self, value: str, key: str) -> str:
        return f"max_by({value}, {key})"

    def numbers(self, upto: int) -> str:
        return f"(SELECT id AS k FROM range(0, {int(upto) + 1}))"

    def quantile(self, value: str, p: float) -> str:
        return f"percentile({value}, {float(p)})"

    def row(self, *fields: str) -> str:
        return f"struct({', '.join(fields)})"

    def local_time(self, ts: str, zone: str) -> str:
        return f"from_utc_timestamp({ts}, {zone})"

    def days_between(self, a: str, b: str) -> str:
        return f"datediff(CAST({b} AS DATE), CAST({a} AS DATE))"

    def periods_between(self, period: str, a: str, b: str) -> str:
        return f"timestampdiff({_period(period).upper()}, {a}, {b})"


def _period(name: str) -> str:
    """A period name checked against the three we use (it is written into the SQL text)."""
    if name not in ("day", "week", "month"):
        raise ValueError(f"unknown period {name!r}")
    return name
