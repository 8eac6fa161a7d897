"""The scoped events as arrays, on the embedded engine: one scan that several reports share.

``journey_events`` is stored in (customer, time, seq) order (with live identity, a long run
in that order and a few short ones, merged here), so one plain scan returns each customer's
rows together and in journey order, with small integer codes for event, channel
and touchpoint (``hash(text) % m`` computed by DuckDB, :func:`paths_arrays._coders`) and,
when a stage model is given, each row's stage by the stage rules. The touchpoints and
stages reports read these arrays instead of running window frames, and ``map generate``
draws its whole map from one scan (:mod:`journeyscope.app.generate`).

Stage rules are decided exactly as the SQL form decides them (``stage_case`` with
``nth``, the occurrence number of the event's name for the customer in (time, seq)
order): over the few distinct (event, channel) pairs when the rules read nothing else,
per row in SQL when a rule has a ``where``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import numpy as np

from journeyscope.analytics import paths_arrays
from journeyscope.analytics.stages import stage_case
from journeyscope.arrays import distinct, journey_order
from journeyscope.events.query import event_name

if TYPE_CHECKING:
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import StageRules
    from journeyscope.engine.dialect import Sql
    from journeyscope.engine.runner import Runner
    from journeyscope.maps.stage_models import StageModel

#: a stage model and its rules (or None: no stages)
Staging: TypeAlias = "tuple[StageModel, StageRules] | None"

__all__ = [
    "Events",
    "NotServed",
    "Staging",
    "blocks",
    "cores",
    "in_blocks",
    "kept_already",
    "kept_read",
    "plain",
    "read_events",
    "shared_reads",
]

T = TypeVar("T")

#: the fewest rows worth a block of its own (threads cost more below)
BLOCK_ROWS = 100_000

#: what a scan reads of each scoped event (``first``/``later``: the stage CASEs, or -1)
_COLUMNS = (
    "e.ts, e.seq, e.event, e.channel, "
    "coalesce(e.touchpoint, e.channel || ':' || e.event) AS tp, e.rating, e.revenue, "
    "{first} AS s1, {later} AS s2"
)
_EPOCH = datetime(1970, 1, 1)

#: reads kept for the ``with shared_reads():`` block that is running (None: none kept)
_SHARED: ContextVar[dict[tuple[Any, ...], Events] | None] = ContextVar(
    "journeyscope_shared_reads", default=None
)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, reports that read the same scoped events with the same stages
    share one scan (``map generate`` reads stages, touchpoints, actions and feedback from
    one). Reads are kept only for the block: data that changes afterwards is read anew."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


class NotServed(Exception):
    """The arrays cannot answer this scope (a code column came back NULL, or no perfect
    hash of the names): the caller computes the report in SQL."""


@dataclass
class Events:
    """Every scoped event, each journey's rows together in (time, seq) order."""

    owner: np.ndarray  # int64: the journey's number (0, 1, …)
    us: np.ndarray  # int64: µs since the epoch (UTC)
    event: np.ndarray  # codes into event_names
    event_names: list[str]
    channel: np.ndarray
    channel_names: list[str]
    tp: np.ndarray
    tp_names: list[str]
    rated: np.ndarray  # bool: the row carries a rating
    rating: np.ndarray  # float64 (0 where none)
    stage: np.ndarray  # int64: stage index, -1 for none
    seq: np.ndarray  # int64: the stored event's sequence number
    revenue: np.ndarray  # float64 (NaN where none)
    customer: np.ndarray  # int64, per journey number: its customer_id

    def codes(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """The codes of those event names the data has (names normalised, as the SQL
        forms' ``q.is_event`` does)."""
        found = {event_name(n) for n in names}
        return np.array([i for i, n in enumerate(self.event_names) if n in found], np.int64)

    def of_names(self, names: tuple[str, ...] | list[str], codes: np.ndarray) -> np.ndarray:
        """Which of ``codes`` (event codes, e.g. a block of ``event``) are one of the
        ``names``: ``np.isin`` by a lookup table (one gather, not a search per row)."""
        table = np.zeros(max(len(self.event_names), 1), np.bool_)
        table[self.codes(names)] = True
        out: np.ndarray = table[codes]
        return out

    def code(self, name: str) -> int:
        """The code of one event name (normalised); -1 when the data has none."""
        wanted = event_name(name)
        return self.event_names.index(wanted) if wanted in self.event_names else -1


def _stage_cases(staging: Staging, q: Sql) -> tuple[str, str]:
    """The stage of an event if it is the first of its name for the customer, and if it
    is a later one (the SQL form's ``nth > 1``), as two CASE expressions."""
    if staging is None:
        return "-1", "-1"
    model, rules = staging
    first = _case(
        model, rules.model_copy(update={"rules": [x for x in rules.rules if not x.repeat]}), q
    )
    later = _case(
        model,
        rules.model_copy(
            update={"rules": [x.model_copy(update={"repeat": False}) for x in rules.rules]}
        ),
        q,
    )
    return first, later


def _case(model: StageModel, rules: StageRules, q: Sql) -> str:
    if not rules.rules:
        return "-1"
    return f"coalesce({stage_case(model, rules, q, 'e')}, -1)"


def read_events(r: Runner, scope: Scope, staging: Staging) -> Events:
    """One scan of the scoped events (after a pass for the distinct names)."""
    q = r.sql()
    by_names = staging is not None and not any(x.where for x in staging[1].rules)
    # the stage in SQL only when a rule reads more than the event's name and channel
    per_event = staging is not None and not by_names
    first, later = _stage_cases(staging, q) if per_event else ("-1", "-1")  # may need the row
    columns = _COLUMNS.format(first=first, later=later)
    base = r.source(scope, q, columns)
    if not per_event:
        whole = _kept_whole(r, scope)
        if whole is not None:
            ev = _within(whole, scope)
            if ev is whole and staging is not None:  # every kept row: its stages kept too
                return _kept_stages(r, whole, staging)
            return _staged(r, ev, staging)
    shared = _SHARED.get()
    key = (id(r.ws.con), base, repr(sorted(q.params.items())), _staging_key(staging))
    if shared is not None and key in shared:
        return shared[key]
    ev = _read(r, q, base, staging, by_names=by_names, per_event=per_event)
    if shared is not None:
        shared[key] = ev
    return ev


def kept_read(r: Runner, scope: Scope) -> Events | None:
    """The scoped events from the scan this process keeps (no stages), or None when it
    keeps none or cannot serve ``scope`` from one (see :func:`_kept_whole`)."""
    whole = _kept_whole(r, scope)
    return None if whole is None else _within(whole, scope)


def _kept_store(r: Runner) -> Any:
    """This process's kept scans when ``r`` reads the way they were read: the embedded
    engine, customers as journeys (not Spark, not a session runner); else None."""
    from journeyscope.analytics import kept_events
    from journeyscope.engine.runner import Runner

    store = kept_events.kept()
    return store if store is not None and type(r) is Runner else None


def kept_already(r: Runner, wait: bool = False) -> Events | None:
    """Every event of the workspace if this process keeps a scan of its data as it is now
    (no scan is taken for asking: a name check must not cost a funnel a whole scan);
    ``wait``: after a scan running now (never from inside a scan: it would wait on
    itself)."""
    store = _kept_store(r)
    if store is None:
        return None
    ev: Events | None = store.peek(str(r.ws.root), r.ws.stamp(), wait)
    return ev


def _kept_whole(r: Runner, scope: Scope) -> Events | None:
    """Every event of the workspace from the scan this process keeps (taken now if none
    is kept at the data's stamp), when the process keeps scans and ``scope`` is a period
    only: on the embedded engine, customers as the journey unit, no ``--where``."""
    from journeyscope.analytics import kept_events
    from journeyscope.analytics.scope import Scope

    store = _kept_store(r)
    if store is None or scope.where.clauses:
        return None

    def scan() -> Events:
        rows = int(r.ws.scalar("SELECT count(*) FROM journey_events") or 0)
        if rows * kept_events.ROW_BYTES > store.budget:
            raise NotServed  # would not fit: each report reads its own period
        q = r.sql()
        whole = r.source(Scope(), q, _COLUMNS.format(first="-1", later="-1"))
        ev = _read(r, q, whole, None, by_names=False, per_event=False)
        # no stages in the kept scan (each report stages its rows): -1 for every row,
        # held as one value rather than 8 bytes a row
        ev = replace(ev, stage=np.broadcast_to(np.int64(-1), len(ev.us)))
        for array in _arrays(ev):
            array.flags.writeable = False  # kept: no report may change the next one's rows
        return ev

    root, stamp = str(r.ws.root), r.ws.stamp()
    try:
        ev: Events | None = store.get(root, stamp, scan, _nbytes)
    except NotServed:  # too large, or names the arrays cannot code: not asked again
        store.refuse(root, stamp)
        return None
    return ev


def _arrays(ev: Events) -> list[np.ndarray]:
    return [v for v in vars(ev).values() if isinstance(v, np.ndarray)]


def _nbytes(ev: Events) -> int:
    """The memory the arrays hold (a broadcast one holds a single value)."""
    held = sum(a.nbytes if a.strides != (0,) else a.itemsize for a in _arrays(ev))
    return held + 64 * (len(ev.event_names) + len(ev.channel_names) + len(ev.tp_names))


def _within(whole: Events, scope: Scope) -> Events:
    """The events of ``scope``'s period, as a scan of that period would give them: the
    journeys numbered anew, and only the names that occur in the period."""
    keep: np.ndarray | None = None
    for bound, after in ((scope.since, True), (scope.until, False)):
        if bound is not None:
            at = (bound - _EPOCH) // timedelta(microseconds=1)
            inside = whole.us >= at if after else whole.us < at
            keep = inside if keep is None else keep & inside
    if keep is None or bool(keep.all()):
        return whole
    rows = np.flatnonzero(keep)
    was = whole.owner[rows]
    start = np.ones(len(rows), np.bool_)
    start[1:] = was[1:] != was[:-1]
    event, event_names = _recoded(whole.event[rows], whole.event_names)
    channel, channel_names = _recoded(whole.channel[rows], whole.channel_names)
    tp, tp_names = _recoded(whole.tp[rows], whole.tp_names)
    return Events(
        np.cumsum(start, dtype=np.int64) - 1,
        whole.us[rows],
        event,
        event_names,
        channel,
        channel_names,
        tp,
        tp_names,
        whole.rated[rows],
        whole.rating[rows],
        whole.stage[rows],
        whole.seq[rows],
        whole.revenue[rows],
        whole.customer[was[start]],
    )


def _recoded(codes: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Codes into only the names that occur (still sorted), as a scan of them would code."""
    seen = np.bincount(codes, minlength=len(names)) > 0
    if bool(seen.all()):
        return codes, names
    rank = (np.cumsum(seen) - 1).astype(codes.dtype)
    return rank[codes], [n for n, s in zip(names, seen.tolist(), strict=True) if s]


def _kept_stages(r: Runner, whole: Events, staging: Staging) -> Events:
    """Every kept row with its stage by ``staging``, the column kept beside the scan."""
    from journeyscope.analytics import kept_events

    store = kept_events.kept()
    if store is None:  # keeping stopped meanwhile
        return _staged(r, whole, staging)
    stage = store.derived(
        str(r.ws.root),
        r.ws.stamp(),
        ("stage", _staging_key(staging)),
        lambda: _staged(r, whole, staging).stage,
    )
    return replace(whole, stage=stage)


def _staged(r: Runner, ev: Events, staging: Staging) -> Events:
    """``ev`` with each row's stage, from rules that read only the event's name and
    channel (decided over the few pairs, as :func:`_read` does)."""
    if staging is None:
        return ev
    one, two = _stage_table(r, staging, ev.event_names, ev.channel_names)
    return replace(ev, stage=_stages_by_names(ev.owner, ev.event, ev.channel, one, two))


def _staging_key(staging: Staging) -> str | None:
    if staging is None:
        return None
    model, rules = staging
    return model.model_dump_json() + rules.model_dump_json()


def _read(
    r: Runner, q: Sql, base: str, staging: Staging, *, by_names: bool, per_event: bool
) -> Events:
    text = {"event": "event", "channel": "channel", "tp": "tp"}
    try:
        coders = paths_arrays._coders(r, base, q.params, text)
    except paths_arrays.HashClash:
        raise NotServed from None
    codes = ", ".join(
        f"CAST(hash({k}) % {c.modulus} AS UINTEGER) AS {k}" for k, c in coders.items()
    )
    select = (
        f"SELECT customer_id, epoch_us(ts) AS us, seq, {codes}, rating IS NOT NULL AS rated, "
        "coalesce(rating, 0) AS rating, coalesce(revenue, 'NaN'::DOUBLE) AS revenue"
        + (", CAST(s1 AS BIGINT) AS s1, CAST(s2 AS BIGINT) AS s2" if per_event else "")
        + f" FROM ({base}) b"
    )
    # journey_events is stored in (customer, ts, seq) order, but for the runs live identity
    # appended (put in order below, in about linear time); a join to the full event row or
    # a session runner keeps no order at all
    sort = " ORDER BY customer_id, ts, seq" if q.event_row else ""
    found = r.ws.con.sql(select + sort, params=q.params).fetchnumpy()
    cols = {name: plain(col) for name, col in found.items()}
    cols = _in_journey_order(cols)
    cust = cols["customer_id"]
    start = np.ones(len(cust), np.bool_)
    start[1:] = cust[1:] != cust[:-1]
    owner = np.cumsum(start, dtype=np.int64) - 1
    event = coders["event"].codes(cols["event"])
    channel = coders["channel"].codes(cols["channel"])
    if by_names:
        assert staging is not None
        one, two = _stage_table(r, staging, coders["event"].names, coders["channel"].names)
        stage = _stages_by_names(owner, event, channel, one, two)
    elif per_event:
        stage = _stages(owner, event, cols["s1"], cols["s2"])
    else:
        stage = np.full(len(event), -1, np.int64)
    return Events(
        owner,
        cols["us"],
        event,
        coders["event"].names,
        channel,
        coders["channel"].names,
        coders["tp"].codes(cols["tp"]),
        coders["tp"].names,
        cols["rated"].astype(np.bool_, copy=False),
        cols["rating"].astype(np.float64, copy=False),
        stage,
        cols["seq"].astype(np.int64, copy=False),
        cols["revenue"].astype(np.float64, copy=False),
        cust[start].astype(np.int64, copy=False),
    )


def _stage_table(
    r: Runner, staging: Staging, events: list[str], channels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The stage of every (event, channel) pair, as the first and as a later event of its
    name: the stage rules' own CASE run over the few pairs instead of every event."""
    q = r.sql()
    first, later = _stage_cases(staging, q)
    q.params |= {"js_events": events, "js_channels": channels}
    pairs = r.rows(
        f"""SELECT e.i, e.k, {first}, {later} FROM (
            SELECT a.i, a.event, b.k, b.channel FROM
                (SELECT unnest(range(len($js_events))) AS i,
                    unnest($js_events::VARCHAR[]) AS event) a
            CROSS JOIN (SELECT unnest(range(len($js_channels))) AS k,
                    unnest($js_channels::VARCHAR[]) AS channel) b
        ) e""",
        q,
    )
    one = np.full((max(len(events), 1), max(len(channels), 1)), -1, np.int64)
    two = one.copy()
    for i, k, a, b in pairs:
        one[i, k], two[i, k] = a, b
    return one, two


def plain(col: Any) -> np.ndarray:
    """A fetched column as a plain array; a NULL in it is refused (never expected)."""
    if isinstance(col, np.ma.MaskedArray):
        if np.ma.getmaskarray(col).any():
            raise NotServed
        return np.asarray(col.data)
    return np.asarray(col)


def _in_journey_order(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows sorted by (customer, us, seq): a plain scan returns them so, or as a long
    run and a few short ones after live identity's passes (:func:`arrays.journey_order`)."""
    order = journey_order(cols["customer_id"], cols["us"], cols["seq"])
    if order is None:
        return cols
    return {k: v[order] for k, v in cols.items()}


def _stages_by_names(
    owner: np.ndarray, event: np.ndarray, channel: np.ndarray, one: np.ndarray, two: np.ndarray
) -> np.ndarray:
    """Each row's stage from the (event, channel) tables: ``one`` for the journey's first
    event of its name, ``two`` for later ones (only names with a repeat rule differ)."""
    pair = event.astype(np.int64) * one.shape[1] + channel
    stage: np.ndarray = one.ravel()[pair]
    for name in np.flatnonzero((one != two).any(axis=1)).tolist():
        rows = np.flatnonzero(event == name)
        who = owner[rows]
        later = rows[1:][who[1:] == who[:-1]]  # rows in journey order: all but the first
        stage[later] = two.ravel()[pair[later]]
    return stage


def _stages(owner: np.ndarray, event: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Each row's stage: ``s1`` for the journey's first event of its name, else ``s2``."""
    differ = s1 != s2
    if not differ.any():
        return s1
    later = np.ones(len(owner), np.bool_)  # for rows of the names below, then cleared
    for name in distinct(event[differ]).tolist():  # the few names whose stage differs
        rows = np.flatnonzero(event == name)
        who = owner[rows]
        first = np.ones(len(rows), np.bool_)
        first[1:] = who[1:] != who[:-1]  # rows in journey order: a customer's first
        later[rows[first]] = False
    out: np.ndarray = np.where(later, s2, s1)
    return out


def blocks(owner: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Row ranges of whole journeys, about equal in rows (one if the rows are few)."""
    n = len(owner)
    parts = max(1, min(parts, n // BLOCK_ROWS))
    cuts = [0]
    for k in range(1, parts):
        at = int(np.searchsorted(owner, owner[n * k // parts]))  # the journey's first row
        if at > cuts[-1]:
            cuts.append(at)
    cuts.append(n)
    return list(itertools.pairwise(cuts))


def cores() -> int:
    """How many blocks to cut the journeys into: one per core."""
    return os.cpu_count() or 1


def in_blocks(ev: Events, work: Callable[[tuple[int, int]], T]) -> list[T]:
    """``work`` on blocks of whole journeys, one per core, on threads (NumPy lets go of
    the interpreter in its loops), in block order. Reports whose parts are sums over
    customers add the blocks' results up."""
    parts = blocks(ev.owner, cores())
    if len(parts) == 1:
        return [work(parts[0])]
    with ThreadPoolExecutor(len(parts)) as pool:
        return list(pool.map(work, parts))
