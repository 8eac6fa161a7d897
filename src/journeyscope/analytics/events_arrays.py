"""The scoped events as arrays, on the embedded engine: one scan that several reports share.

``journey_events`` is stored in (customer, time, seq) order, so one plain scan returns each
customer's rows together and in journey order, with small integer codes for event, channel
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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import numpy as np

from journeyscope.analytics import paths_arrays
from journeyscope.analytics.stages import stage_case
from journeyscope.arrays import distinct
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
    "plain",
    "read_events",
    "shared_reads",
]

T = TypeVar("T")

#: the fewest rows worth a block of its own (threads cost more below)
BLOCK_ROWS = 100_000

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
    columns = (
        "e.ts, e.seq, e.event, e.channel, "
        "coalesce(e.touchpoint, e.channel || ':' || e.event) AS tp, e.rating, e.revenue, "
        f"{first} AS s1, {later} AS s2"
    )
    base = r.source(scope, q, columns)
    shared = _SHARED.get()
    key = (id(r.ws.con), base, repr(sorted(q.params.items())), _staging_key(staging))
    if shared is not None and key in shared:
        return shared[key]
    ev = _read(r, q, base, staging, by_names=by_names, per_event=per_event)
    if shared is not None:
        shared[key] = ev
    return ev


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
    # journey_events is stored in (customer, ts, seq) order and a plain scan keeps it; a
    # join to the full event row or a session runner does not
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
    """The rows sorted by (customer, us, seq), if they did not come so (never expected
    from a plain scan; correctness does not rest on it)."""
    cust, us, seq = cols["customer_id"], cols["us"], cols["seq"]
    if _ordered(cust, us, seq):
        return cols
    order = np.lexsort((seq, us, cust))
    return {k: v[order] for k, v in cols.items()}


def _ordered(cust: np.ndarray, us: np.ndarray, seq: np.ndarray, chunk: int = 1 << 18) -> bool:
    """Are the rows in strictly increasing (customer, us, seq) order? Checked in chunks
    that stay in the CPU's cache (three whole-length differences cost more than the
    comparisons)."""
    for lo in range(0, max(len(cust) - 1, 0), chunk):
        hi = min(lo + chunk + 1, len(cust))
        dc = np.diff(cust[lo:hi])
        du = np.diff(us[lo:hi])
        ds = np.diff(seq[lo:hi])
        if not bool(np.all((dc > 0) | ((dc == 0) & ((du > 0) | ((du == 0) & (ds > 0)))))):
            return False
    return True


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
