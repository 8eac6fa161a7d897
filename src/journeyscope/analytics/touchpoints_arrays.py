"""The touchpoints report on the embedded engine: one scan into arrays, the rest NumPy.

The SQL form (:mod:`journeyscope.analytics.touchpoints`) marks every event with five
window frames (next conversion, latest conversion, next own action, first rating from
it on) and then groups twice; on ten million events the frames dominate. Here the scoped
events are read once, each customer's rows together in (time, seq) order — the order
``journey_events`` is stored in — with small integer codes for event, channel and
touchpoint, and each frame becomes a ``searchsorted`` over the positions of the rows it
looks for. The per (customer, touchpoint) groups come from one stable sort of their keys,
so a group's rows keep the journey order and "the last (open) touch" is the group's last
(open) row.

The answer is the SQL form's, number for number: ties in time keep the source's ``seq``
order, text orders are code-point orders (codes are ranks of the sorted names), the stage
rule ``repeat`` ("the customer's second and later events of that name") is decided from
the same order. The SQL form stays what Spark runs; tests hold the two equal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from journeyscope.analytics.events_arrays import (
    Events,
    NotServed,
    Staging,
    in_blocks,
    read_events,
)
from journeyscope.analytics.stages import rules_for
from journeyscope.compiled import in_cache, loaded_kernel

if TYPE_CHECKING:
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.touchpoints import TouchpointSpec
    from journeyscope.engine.runner import Runner

__all__ = ["NotServed", "report_rows", "rows_of", "staging"]

#: A row's (touchpoint, channel, stage, outbound, events, customers, converted, dropped,
#: observed, contact_customers, repeat_contacts, rating_after, rated), as the SQL form's
Row = tuple[Any, ...]


def staging(spec: TouchpointSpec) -> Staging:
    """The stage model and rules the report names (None: no stage column)."""
    return rules_for(spec.stage_model, spec.stage_rules) if spec.stage_model else None


def report_rows(r: Runner, spec: TouchpointSpec, scope: Scope) -> tuple[list[Row], datetime | None]:
    """The SQL form's rows (same fields, same order) and the end of the data."""
    return rows_of(read_events(r, scope, staging(spec)), spec)


def rows_of(ev: Events, spec: TouchpointSpec) -> tuple[list[Row], datetime | None]:
    """:func:`report_rows` from events already read (with the spec's stages)."""
    if not len(ev.us):
        return [], None
    end = datetime(1970, 1, 1) + timedelta(microseconds=int(ev.us.max()))
    return _rows(ev, spec), end


# --- the report ------------------------------------------------------------------------


def _bounds(owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row (journeys together), its journey's first row and the row after its
    last: a found row is in the same journey when it lies between them (two comparisons,
    instead of gathering the found row's journey)."""
    n = len(owner)
    cut = np.flatnonzero(owner[1:] != owner[:-1]) + 1
    starts = np.concatenate(([0], cut)).astype(_index(n))
    ends = np.concatenate((cut, [n])).astype(_index(n))
    sizes = ends - starts
    return np.repeat(starts, sizes), np.repeat(ends, sizes)


def _next_at(mask: np.ndarray, end: np.ndarray, *, strict: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the first row of ``mask`` after it (``strict``) or from it on, within
    its journey (``end``: the row after the journey's last): (index, found). One backward
    running minimum over the row numbers."""
    n = len(end)
    at = np.where(mask, np.arange(n, dtype=_index(n)), n)
    nxt = np.minimum.accumulate(at[::-1])[::-1]
    if strict:
        nxt = np.append(nxt[1:], n)
    j = np.minimum(nxt, max(n - 1, 0))
    return j, nxt < end


def _prev_at(mask: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the last row of ``mask`` at or before it, within its journey
    (``first``: the journey's first row)."""
    n = len(first)
    at = np.where(mask, np.arange(n, dtype=_index(n)), -1)
    prev = np.maximum.accumulate(at)
    return np.maximum(prev, 0), prev >= first


def _index(n: int) -> type[np.signedinteger[Any]]:
    """The narrowest row-number type: half the memory traffic below 2³¹ rows."""
    return np.int32 if n < 2**31 - 1 else np.int64


#: each block's sums per touchpoint, added up; and its rated groups, in journey order
Tally = dict[str, np.ndarray]


def _rows(ev: Events, spec: TouchpointSpec) -> list[Row]:
    """The report's rows: the journeys in blocks of whole customers, one block per core
    (each part is a sum over customers), then the rows per touchpoint."""
    n = len(ev.tp_names)
    shape = (max(len(ev.channel_names), 1), max(int(ev.stage.max()) + 1, 1))
    end = int(ev.us.max())
    parts = in_blocks(ev, lambda b: _tally(ev, b, spec, end, shape))
    t = {k: sum(p[k] for p in parts[1:]) + parts[0][k] for k in parts[0] if k[0] != "_"}
    gtp = np.concatenate([p["_rated_tp"] for p in parts])  # the unsplit order: same sums
    rating_sum = np.bincount(
        gtp, weights=np.concatenate([p["_rating"] for p in parts]), minlength=n
    )
    channel = _best(t["channel"])
    stage = _best(t["stage"])
    out = []
    for i in np.flatnonzero(t["customers"] >= max(spec.min_customers, 1)).tolist():
        k = int(t["rated"][i])
        out.append(
            (
                ev.tp_names[i],
                ev.channel_names[int(channel[i])],
                None if stage[i] < 0 else int(stage[i]),
                bool(t["active"][i] == 0),
                int(t["events"][i]),
                int(t["customers"][i]),
                int(t["converted"][i]),
                int(t["dropped"][i]),
                int(t["observed"][i]),
                int(t["contact"][i]),
                int(t["repeat"][i]),
                float(rating_sum[i]) / k if k else None,
                k,
            )
        )
    out.sort(key=lambda row: (-row[5], row[0]))
    return out


def _tally(
    ev: Events, block: tuple[int, int], spec: TouchpointSpec, end: int, shape: tuple[int, int]
) -> Tally:
    """Per touchpoint, the block's customers, conversions, drop-offs, contacts, ratings."""
    lo_row, hi_row = block
    us, owner = ev.us[lo_row:hi_row], ev.owner[lo_row:hi_row]
    event, tp = ev.event[lo_row:hi_row], ev.tp[lo_row:hi_row]
    win = int(spec.within.total_seconds() * 1_000_000)
    rep = int(spec.repeat_within.total_seconds() * 1_000_000)
    conv = event == ev.code(spec.conversion)
    passive = ev.of_names(spec.passive, event)
    contact = ev.of_names(spec.contacts, event)
    rated_row = ev.rated[lo_row:hi_row]
    rating_row = ev.rating[lo_row:hi_row]
    kernel = loaded_kernel("journeyscope.analytics.touchpoints_kernel", "frames")
    framing = _frames if kernel is None else partial(_frames_compiled, kernel)
    converted_row, open_row, moved_row, rated_in, rating_at = framing(
        (owner, us, conv, ~passive, rated_row, rating_row), win
    )

    # groups: (journey, touchpoint), each group's rows in journey order
    ntp = max(len(ev.tp_names), 1)
    key = owner * ntp + tp
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.flatnonzero(np.concatenate(([True], sk[1:] != sk[:-1])))
    last = order[np.append(starts[1:], len(sk)) - 1]
    gtp = tp[last]
    # per group, "any row converted" and "any row a contact": one gather, one reduce
    flags = converted_row.view(np.uint8) | (contact.view(np.uint8) << np.uint8(1))
    either = np.bitwise_or.reduceat(flags[order], starts)
    converted = (either & np.uint8(1)) != 0
    # the last open touch of each group (-1: none)
    at = np.where(open_row[order], np.arange(len(order), dtype=_index(len(order))), -1)
    lo_s = np.maximum.reduceat(at, starts)
    has_open = lo_s >= 0
    lo = order[np.maximum(lo_s, 0)]
    observed = has_open & (end - us[lo] >= win)
    dropped = observed & ~moved_row[lo]
    contacts = (either & np.uint8(2)) != 0
    repeated = _repeated(order, contact, us, sk, starts, rep)
    rated = rated_in[last]
    n = len(ev.tp_names)

    def per_tp(flags: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.bincount(gtp[flags], minlength=n)
        return out

    stage = ev.stage[lo_row:hi_row]
    staged = stage >= 0
    return {
        "customers": np.bincount(gtp, minlength=n),
        "converted": per_tp(converted),
        "dropped": per_tp(dropped),
        "observed": per_tp(observed),
        "contact": per_tp(contacts),
        "repeat": per_tp(repeated),
        "rated": per_tp(rated),
        "events": np.bincount(tp, minlength=n),
        "active": np.bincount(tp[~passive], minlength=n),
        "channel": _counts(tp, ev.channel[lo_row:hi_row], shape[0], n),
        "stage": _counts(tp[staged], stage[staged], shape[1], n),
        "_rated_tp": gtp[rated],
        "_rating": rating_at[last][rated],
    }


Frames = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
#: what the frames read, per row: journey, time (µs), conversion?, own action?, rated?,
#: rating — in this order, of these types (the compiled form's one signature)
FRAME_COLUMNS = (np.int64, np.int64, np.bool_, np.bool_, np.bool_, np.float64)


def _frames(columns: tuple[np.ndarray, ...], win: int) -> Frames:
    """Per row: converted, open, moved on, rated within ``win`` µs and that rating (see
    ``touchpoints_kernel.frames``, the compiled form a server uses)."""
    owner, us, conv, active, rated, rating = columns
    first, after = _bounds(owner)
    nc_j, nc_ok = _next_at(conv, after, strict=True)
    pc_j, pc_ok = _prev_at(conv, first)
    na_j, na_ok = _next_at(active, after, strict=True)
    rt_j, rt_ok = _next_at(rated, after, strict=False)
    del first, after
    converted = nc_ok & (us[nc_j] - us <= win)
    opened = ~pc_ok | (us - us[pc_j] > win)
    moved = converted | (na_ok & (us[na_j] - us <= win))
    rated_in = rt_ok & (us[rt_j] - us <= win)
    return converted, opened, moved, rated_in, np.where(rt_ok, rating[rt_j], 0.0)


def _frames_compiled(kernel: Any, columns: tuple[np.ndarray, ...], win: int) -> Frames:
    from journeyscope.compiled import frozen

    typed = (frozen(c, t) for c, t in zip(columns, FRAME_COLUMNS, strict=True))
    found: Frames = kernel(*typed, win)
    return found


def load_touchpoints_kernel() -> None:
    """Load the compiled frames (a server does, on a thread, as it starts)."""
    from journeyscope.analytics import touchpoints_kernel

    if in_cache(touchpoints_kernel.frames):  # never compile behind the user's back
        touchpoints_kernel.warm()


def _repeated(
    order: np.ndarray,
    contact: np.ndarray,
    us: np.ndarray,
    sk: np.ndarray,
    starts: np.ndarray,
    rep: int,
) -> np.ndarray:
    """Groups with two contact rows at most ``rep`` apart (consecutive in time)."""
    groups = np.zeros(len(sk), np.int64)
    groups[starts] = 1
    group = np.cumsum(groups) - 1
    mine = contact[order]
    g = group[mine]
    t = us[order][mine]
    near = (g[1:] == g[:-1]) & (t[1:] - t[:-1] <= rep)
    out = np.zeros(len(starts), np.bool_)
    out[g[1:][near]] = True
    return out


def _counts(tp: np.ndarray, value: np.ndarray, values: int, n: int) -> np.ndarray:
    """How often each touchpoint has each value: an (n, values) table."""
    key = tp.astype(np.int64) * values + value
    out: np.ndarray = np.bincount(key, minlength=n * values).reshape(n, values)
    return out


def _best(counts: np.ndarray) -> np.ndarray:
    """Each touchpoint's most frequent value (ties: the smallest code); -1 for none."""
    best: np.ndarray = np.where(counts.max(axis=1) > 0, counts.argmax(axis=1), -1)
    return best
