"""The names a workspace's events actually use, so a report never answers a typo with 0.

A funnel step, a ``--where`` field or value, a ``--by`` field, a path anchor or a
conversion event that names something no event has is an error that says what exists
and what the user probably meant ("did you mean add_to_cart?"). Checks read only what
they need: event names and channels are small distinct scans of the journey columns; a
property is looked up only when a query names one (the first matching event ends the
search), and the list of property keys is gathered only to suggest a fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from journeyscope.analytics.scope import COLUMNS, NUMERIC, Filter, Step
from journeyscope.analytics.stages import StageRules
from journeyscope.engine.runner import Runner
from journeyscope.errors import InputError, Location
from journeyscope.events.query import event_name

__all__ = ["UnknownName", "Vocabulary"]

#: Columns whose values are names a user picks from (``channel = shopee``)
CATEGORICAL = ("event", "channel", "touchpoint", "source", "currency")
_KINDS = {
    "event": ("event", "sự kiện"),
    "channel": ("channel", "kênh"),
    "touchpoint": ("touchpoint", "điểm chạm"),
    "source": ("source", "nguồn"),
    "currency": ("currency", "tiền tệ"),
    "field": ("field", "trường"),
}


class UnknownName(InputError):
    """A name (event, field, channel, ...) that no event in the workspace has."""

    code = "unknown_name"
    http_status = 422


def _suggest(value: str, known: Iterable[str]) -> list[str]:
    names = sorted({k for k in known if k})
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    if not close:
        folded = value.lower().replace("-", "_").replace(" ", "_")
        close = [n for n in names if folded in n.lower() or n.lower() in folded][:3]
    return close


def unknown(
    kind: str, value: str, known: Iterable[str], where: str, file: str | None = None
) -> UnknownName:
    """The error for ``value``: what it is not, what the user probably meant, what exists."""
    names = sorted({k for k in known if k})
    close = _suggest(value, names)
    en_kind, vi_kind = _KINDS.get(kind, (kind, kind))
    shown = ", ".join(names[:25]) + (" …" if len(names) > 25 else "")
    if close:
        hint_en = f"did you mean {' or '.join(close)}? The workspace has: {shown}"
        hint_vi = f"có phải ý bạn là {' hoặc '.join(close)}? Workspace có: {shown}"
    else:
        hint_en = f"the workspace has: {shown or '(none)'}"
        hint_vi = f"workspace có: {shown or '(không có)'}"
    return UnknownName(
        f"no event in the workspace has the {en_kind} {value!r}",
        f"không sự kiện nào trong workspace có {vi_kind} {value!r}",
        location=Location(file=file, field=where),
        hint_en=hint_en,
        hint_vi=hint_vi,
        code=f"unknown_{kind}",
    )


@dataclass
class Vocabulary:
    """Names in use on one runner's events, read on demand and kept for the command."""

    r: Runner
    _values: dict[str, set[str]] = field(default_factory=dict)
    _properties: set[str] = field(default_factory=set)

    def values(self, column: str) -> set[str]:
        """The distinct values of a categorical column."""
        if column not in self._values and column in ("event", "channel"):
            from journeyscope.analytics.events_arrays import kept_already

            ev = kept_already(self.r)  # the names of a scan kept in this process
            if ev is not None:
                self._values[column] = set(
                    ev.event_names if column == "event" else ev.channel_names
                )
        if column not in self._values:
            q = self.r.sql()
            base = self.r.source(_Everything(), q, f"e.{column} AS v")
            rows = self.r.rows(f"SELECT DISTINCT v FROM ({base}) b WHERE v IS NOT NULL", q)
            self._values[column] = {str(row[0]) for row in rows}
        return self._values[column]

    def has_property(self, key: str) -> bool:
        if key in self._properties:
            return True
        q = self.r.sql()
        q.event_row = True  # properties live on the full event row
        value = q.json_text("e.properties", "$." + _path(key))
        base = self.r.source(_Everything(), q, f"{value} AS v")
        found = bool(self.r.rows(f"SELECT 1 FROM ({base}) b WHERE v IS NOT NULL LIMIT 1", q))
        if found:
            self._properties.add(key)
        return found

    def property_keys(self) -> set[str]:
        """Every top-level property key (only to suggest a fix: it reads every event)."""
        q = self.r.sql()
        q.event_row = True
        base = self.r.source(_Everything(), q, "e.properties AS p")
        keys = f"SELECT {q.json_keys('p')} AS k FROM ({base}) b"
        rows = self.r.rows(f"SELECT DISTINCT k FROM ({keys}) x WHERE k IS NOT NULL", q)
        return {str(row[0]) for row in rows}

    # -- checks ----------------------------------------------------------------------

    def check_event(self, name: str | None, where: str) -> None:
        if name is None or name in ("*", "any"):
            return
        events = self.values("event")
        if events and event_name(name) not in events:
            raise unknown("event", name, events, where)

    def check_field(self, name: str, where: str) -> None:
        if name in COLUMNS or name in NUMERIC or name in ("ts", "segment"):
            return
        key = name.removeprefix("properties.")
        if not self.has_property(key):
            known = sorted(COLUMNS | NUMERIC) + sorted(self.property_keys())
            raise unknown("field", name, known, where)

    def check_filter(self, flt: Filter, where: str) -> None:
        for clause in flt.clauses:
            self.check_field(clause.field, where)
            if clause.field in CATEGORICAL and clause.op in ("=", "in"):
                known = self.values(clause.field)
                for value in clause.values:
                    wanted = event_name(value) if clause.field == "event" else value
                    if known and wanted not in known:
                        raise unknown(clause.field, value, known, where)

    def check_stage_rules(self, rules: StageRules, file: str) -> None:
        """A rules file written for this data names only events, channels and fields its
        events have (a typo would leave a stage empty without a word)."""
        from journeyscope.analytics.scope import parse_filter

        for i, rule in enumerate(rules.rules):
            events = self.values("event")
            for name in rule.events:
                if events and event_name(name) not in events:
                    raise unknown("event", name, events, f"rules.{i}.events", file)
            channels = self.values("channel")
            for name in rule.channels:
                if channels and name not in channels:
                    raise unknown("channel", name, channels, f"rules.{i}.channels", file)
            if rule.where:
                self.check_filter(parse_filter(rule.where), f"rules.{i}.where")

    def check_steps(self, steps: Iterable[Step], where: str) -> None:
        for step in steps:
            self.check_event(step.event, where)
            self.check_filter(step.filter, where)


def _path(key: str) -> str:
    from journeyscope.analytics.scope import json_key

    return json_key(key)


class _Everything:
    """The whole workspace as a scope (names are checked against every event)."""

    def sql(self, q: object, alias: str = "e") -> str:
        del q, alias
        return "TRUE"
