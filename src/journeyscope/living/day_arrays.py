"""A day in the life on the embedded engine: the scoped events read once into arrays.

The SQL form (:func:`journeyscope.living.day_in_life.gather_day_in_sql`) joins every
event to its full row (for the device properties), converts each time to the local clock
three times, writes a scratch table and counts distinct customers per block and per
(block, value) five times; on ten million events that is most of the time. Here the
events come from the scan the other reports share (:mod:`events_arrays`: customer, time,
codes for event, channel and touchpoint, in journey order), the local clock from the
zone's offsets (:func:`paths_arrays.local_us`), the device properties from one pass over
the events that carry any, and each "distinct customers per group" from one stable
(radix) sort of the group keys, the rows of a group then in customer order. The evidence
is the SQL form's, number for number and in the same order (names compare as code
points, as codes are ranks of the sorted names); tests hold the two equal.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from journeyscope.analytics import paths_arrays
from journeyscope.analytics.events_arrays import NotServed, plain, read_events
from journeyscope.arrays import distinct

if TYPE_CHECKING:
    from journeyscope.analytics.events_arrays import Events
    from journeyscope.analytics.scope import Scope
    from journeyscope.engine.runner import Runner
    from journeyscope.living.day_in_life import BlockStats, Counts, DayEvidence

__all__ = ["day_from_arrays"]


def day_from_arrays(r: Runner, scope: Scope, zone: str, top: int) -> DayEvidence | None:
    """The evidence of :func:`gather_day` for ``scope``; None when it has no events.
    Raises :class:`NotServed` where the arrays cannot answer (the SQL form then does)."""
    from journeyscope.living.day_in_life import BLOCKS, DayEvidence, _days

    ev = read_events(r, scope, None)
    if not len(ev.us):
        return None
    platform, platform_names = _platforms(r, ev)
    local = paths_arrays.local_us(ev.us, zone)
    day = np.floor_divide(local, paths_arrays.DAY_US)
    hour = np.floor_divide(local, paths_arrays.HOUR_US) % 24
    weekend = (day + 3) % 7 >= 5  # 1970-01-01 was a Thursday: isodow 6 and 7
    of_hour = np.zeros(24, np.int64)
    for i, b in enumerate(BLOCKS):
        of_hour[b.start : b.end + 1] = i
    block = of_hour[hour]
    ids = [b.id for b in BLOCKS]
    columns = {
        "channel": (ev.channel, ev.channel_names),
        "platform": (platform, platform_names),
        "event": (ev.event, ev.event_names),
        "tp": (ev.tp, ev.tp_names),
    }
    with ThreadPoolExecutor(2) as pool:  # NumPy's sorts let go of the interpreter
        wanted = {
            k: pool.submit(
                _per_group, ev.owner, block * max(len(n), 1) + v, len(ids) * max(len(n), 1)
            )
            for k, (v, n) in columns.items()
        }
        by_block = _per_group(ev.owner, block, len(ids))
        groups = {k: f.result() for k, f in wanted.items()}
    first, last = (dt.date(1970, 1, 1) + dt.timedelta(days=int(f(day))) for f in (np.min, np.max))
    tp_channel = _min_channel(
        block, ev.tp, ev.channel, len(ids), len(ev.tp_names), len(ev.channel_names)
    )
    tps = _top(ids, ev.tp_names, *groups["tp"])
    return DayEvidence(
        zone=zone,
        total_events=len(ev.us),
        total_customers=int(ev.owner[-1]) + 1,
        weekdays=_days(first, last, weekend=False),
        weekend_days=_days(first, last, weekend=True),
        blocks=_block_stats(ids, by_block, block, hour, weekend),
        channels=_top(ids, ev.channel_names, *groups["channel"]),
        platforms=_top(ids, platform_names, *groups["platform"]),
        actions=_top(ids, ev.event_names, *groups["event"]),
        touchpoints={
            b: [
                (tp, ev.channel_names[tp_channel[ids.index(b), ev.tp_names.index(tp)]], c, n)
                for tp, c, n in rows[:top]
            ]
            for b, rows in tps.items()
        },
        first_day=str(first),
        last_day=str(last),
    )


def _platforms(r: Runner, ev: Events) -> tuple[np.ndarray, list[str]]:
    """Each row's device or platform: the first device property the event carries
    (lower case, not empty), else the one its channel implies (the SQL form's coalesce)."""
    from journeyscope.living.day_in_life import platform_of_channel

    implied = [platform_of_channel(c) for c in ev.channel_names]
    rows, codes, said_names = _said_platforms(r, ev)
    names = sorted(set(implied) | set(said_names))
    rank = {n: i for i, n in enumerate(names)}
    platform = np.array([rank[p] for p in implied], np.int64)[ev.channel]
    if len(rows):
        platform[rows] = np.array([rank[n] for n in said_names], np.int64)[codes]
    return platform, names


def _said_platforms(r: Runner, ev: Events) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The rows of the scoped events that name their device, their codes into the names,
    and the names."""
    from journeyscope.analytics.scope import field_sql
    from journeyscope.living.day_in_life import DEVICE_PROPERTIES

    q = r.sql()
    props = ", ".join(f"nullif(lower({field_sql(p, q, 'x')}), '')" for p in DEVICE_PROPERTIES)
    base = f"SELECT x.seq, coalesce({props}) AS p FROM events x WHERE x.properties IS NOT NULL"
    said = f"SELECT * FROM ({base}) s WHERE p IS NOT NULL"
    try:
        coders = paths_arrays._coders(r, said, q.params, {"p": "p"})
    except paths_arrays.HashClash:
        raise NotServed from None
    if not coders["p"].names:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), []
    found = r.ws.con.sql(
        f"SELECT seq, CAST(hash(p) % {coders['p'].modulus} AS UINTEGER) AS p FROM ({said}) s",
        params=q.params,
    ).fetchnumpy()
    seq, code = plain(found["seq"]).astype(np.int64), coders["p"].codes(plain(found["p"]))
    rows = _rows_of(ev.seq, seq)
    mine = rows >= 0  # events of the scope
    return rows[mine], code[mine].astype(np.int64), coders["p"].names


def _rows_of(stored: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The row of each wanted ``seq`` among the stored ones (-1: not among them): a
    lookup table when the numbers are dense, else a sort and a binary search."""
    if not len(stored) or not len(wanted):
        return np.full(len(wanted), -1, np.int64)
    lo = int(min(stored.min(), wanted.min()))
    span = int(max(stored.max(), wanted.max())) - lo + 1
    if span <= 4 * (len(stored) + len(wanted)):
        at = np.full(span, -1, np.int64)
        at[stored - lo] = np.arange(len(stored))
        out: np.ndarray = at[wanted - lo]
        return out
    order = np.argsort(stored)
    ordered = stored[order]
    pos = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    return np.where(ordered[pos] == wanted, order[pos], -1)


def _per_group(owner: np.ndarray, group: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group: distinct customers and events. Rows come in journey order, so the
    (customer, group) keys are nearly sorted already and one sort finds the pairs."""
    events = np.bincount(group, minlength=groups)
    pairs = distinct(owner * groups + group)
    return np.bincount(pairs % groups, minlength=groups), events


def _block_stats(
    ids: list[str],
    by_block: tuple[np.ndarray, np.ndarray],
    block: np.ndarray,
    hour: np.ndarray,
    weekend: np.ndarray,
) -> dict[str, BlockStats]:
    from journeyscope.living.day_in_life import BlockStats

    customers, events = by_block
    nb = len(ids)
    weekend_events = np.bincount(block[weekend], minlength=nb)
    hours = np.bincount(block * 24 + hour, minlength=nb * 24).reshape(nb, 24)
    out = {}
    for i, b in enumerate(ids):
        if not events[i]:
            continue
        peak = int(np.argmax(hours[i]))  # the most events; ties: the earliest hour
        out[b] = BlockStats(
            int(customers[i]),
            int(events[i]),
            int(events[i] - weekend_events[i]),
            int(weekend_events[i]),
            peak,
            int(hours[i, peak]),
        )
    return out


def _top(
    ids: list[str], names: list[str], customers: np.ndarray, events: np.ndarray
) -> dict[str, list[Counts]]:
    """Per block, every value with its customers and events: most customers first, then
    most events, then by name (the SQL form's ORDER BY)."""
    n = max(len(names), 1)
    out: dict[str, list[Counts]] = {}
    for i, b in enumerate(ids):
        c, e = customers[i * n : (i + 1) * n], events[i * n : (i + 1) * n]
        present = np.flatnonzero(e)
        if not len(present):
            continue
        order = np.lexsort((present, -e[present], -c[present]))
        out[b] = [(names[v], int(c[v]), int(e[v])) for v in present[order].tolist()]
    return out


def _min_channel(
    block: np.ndarray, tp: np.ndarray, channel: np.ndarray, nb: int, ntp: int, nc: int
) -> np.ndarray:
    """Per (block, touchpoint), the smallest channel code seen (``min(channel)``)."""
    ntp, nc = max(ntp, 1), max(nc, 1)
    seen = np.bincount((block * ntp + tp) * nc + channel, minlength=nb * ntp * nc)
    out: np.ndarray = (seen.reshape(nb, ntp, nc) > 0).argmax(axis=2)
    return out
