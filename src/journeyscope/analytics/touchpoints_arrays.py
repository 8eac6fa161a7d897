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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from journeyscope.analytics import paths_arrays
from journeyscope.analytics.stages import rules_for, stage_case
from journeyscope.arrays import distinct
from journeyscope.events.query import event_name

if TYPE_CHECKING:
    from journeyscope.analytics.scope import Scope
    from journeyscope.analytics.stages import StageRules
    from journeyscope.analytics.touchpoints import TouchpointSpec
    from journeyscope.engine.dialect import Sql
    from journeyscope.engine.runner import Runner
    from journeyscope.maps.stage_models import StageModel

#: A row's (touchpoint, channel, stage, outbound, events, customers, converted, dropped,
#: observed, contact_customers, repeat_contacts, rating_after, rated), as the SQL form's
Row = tuple[Any, ...]


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


def report_rows(r: Runner, spec: TouchpointSpec, scope: Scope) -> tuple[list[Row], datetime | None]:
    """The SQL form's rows (same fields, same order) and the end of the data."""
    ev = read_events(r, spec, scope)
    if not len(ev.us):
        return [], None
    end = datetime(1970, 1, 1) + timedelta(microseconds=int(ev.us.max()))
    return _rows(ev, spec), end


# --- reading ---------------------------------------------------------------------------


def _stage_cases(spec: TouchpointSpec, q: Sql) -> tuple[str, str]:
    """The stage of an event if it is the first of its name for the customer, and if it
    is a later one (the SQL form's ``nth > 1``), as two CASE expressions."""
    if not spec.stage_model:
        return "-1", "-1"
    model, rules = rules_for(spec.stage_model, spec.stage_rules)
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


def read_events(r: Runner, spec: TouchpointSpec, scope: Scope) -> Events:
    """One scan of the scoped events (after a pass for the distinct names)."""
    q = r.sql()
    by_names = _by_names(spec)
    # the stage in SQL only when a rule reads more than the event's name and channel
    per_event = bool(spec.stage_model) and not by_names
    first, later = _stage_cases(spec, q) if per_event else ("-1", "-1")  # may need the row
    columns = (
        "e.ts, e.seq, e.event, e.channel, "
        "coalesce(e.touchpoint, e.channel || ':' || e.event) AS tp, e.rating, "
        f"{first} AS s1, {later} AS s2"
    )
    base = r.source(scope, q, columns)
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
        "coalesce(rating, 0) AS rating"
        + (", CAST(s1 AS BIGINT) AS s1, CAST(s2 AS BIGINT) AS s2" if per_event else "")
        + f" FROM ({base}) b"
    )
    # journey_events is stored in (customer, ts, seq) order and a plain scan keeps it; a
    # join to the full event row or a session runner does not
    sort = " ORDER BY customer_id, ts, seq" if q.event_row else ""
    found = r.ws.con.sql(select + sort, params=q.params).fetchnumpy()
    cols = {name: _plain(col) for name, col in found.items()}
    cols = _in_journey_order(cols)
    cust = cols["customer_id"]
    start = np.ones(len(cust), np.bool_)
    start[1:] = cust[1:] != cust[:-1]
    owner = np.cumsum(start, dtype=np.int64) - 1
    event = coders["event"].codes(cols["event"])
    channel = coders["channel"].codes(cols["channel"])
    if by_names:
        one, two = _stage_table(r, spec, coders["event"].names, coders["channel"].names)
        s1, s2 = one[event, channel], two[event, channel]
    elif per_event:
        s1, s2 = cols["s1"], cols["s2"]
    else:
        s1 = s2 = np.full(len(event), -1, np.int64)
    stage = _stages(owner, event, s1, s2, len(coders["event"].names))
    return Events(
        owner,
        cols["us"],
        event,
        coders["event"].names,
        channel,
        coders["channel"].names,
        coders["tp"].codes(cols["tp"]),
        coders["tp"].names,
        cols["rated"].astype(np.bool_),
        cols["rating"].astype(np.float64),
        stage,
    )


def _by_names(spec: TouchpointSpec) -> bool:
    """Does each event's stage follow from its name, channel and repeat alone?"""
    if not spec.stage_model:
        return False
    _, rules = rules_for(spec.stage_model, spec.stage_rules)
    return not any(x.where for x in rules.rules)


def _stage_table(
    r: Runner, spec: TouchpointSpec, events: list[str], channels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The stage of every (event, channel) pair, as the first and as a later event of its
    name: the stage rules' own CASE run over the few pairs instead of every event."""
    q = r.sql()
    first, later = _stage_cases(spec, q)
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


def _plain(col: Any) -> np.ndarray:
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
    if len(cust) < 2:
        return cols
    dc, du, ds = np.diff(cust), np.diff(us), np.diff(seq)
    if bool(np.all((dc > 0) | ((dc == 0) & ((du > 0) | ((du == 0) & (ds > 0)))))):
        return cols
    order = np.lexsort((seq, us, cust))
    return {k: v[order] for k, v in cols.items()}


def _stages(
    owner: np.ndarray, event: np.ndarray, s1: np.ndarray, s2: np.ndarray, names: int
) -> np.ndarray:
    """Each row's stage: ``s1`` for the journey's first event of its name, else ``s2``."""
    differ = s1 != s2
    if not differ.any():
        return s1
    names_seen = distinct(event[differ])
    rows = np.flatnonzero(np.isin(event, names_seen))
    key = owner[rows] * max(names, 1) + event[rows]
    order = np.argsort(key, kind="stable")  # stable: each key's rows in journey order
    sk = key[order]
    first = np.ones(len(sk), np.bool_)
    first[1:] = sk[1:] != sk[:-1]
    later = np.zeros(len(owner), np.bool_)
    later[rows[order[~first]]] = True
    out: np.ndarray = np.where(later, s2, s1)
    return out


# --- the report ------------------------------------------------------------------------


def _codes_of(names: list[str], wanted: tuple[str, ...]) -> np.ndarray:
    found = {event_name(w) for w in wanted}
    return np.array([i for i, n in enumerate(names) if n in found], np.int64)


def _next_at(mask: np.ndarray, owner: np.ndarray, *, strict: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the first row of ``mask`` after it (``strict``) or from it on, within
    its journey: (index, found). One backward running minimum over the row numbers."""
    n = len(owner)
    at = np.where(mask, np.arange(n), n)
    nxt = np.minimum.accumulate(at[::-1])[::-1]
    if strict:
        nxt = np.append(nxt[1:], n)
    found = nxt < n
    j = np.minimum(nxt, max(n - 1, 0))
    return j, found & (owner[j] == owner)


def _prev_at(mask: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the last row of ``mask`` at or before it, within its journey."""
    at = np.where(mask, np.arange(len(owner)), -1)
    prev = np.maximum.accumulate(at)
    j = np.maximum(prev, 0)
    return j, (prev >= 0) & (owner[j] == owner)


def _rows(ev: Events, spec: TouchpointSpec) -> list[Row]:
    win = int(spec.within.total_seconds() * 1_000_000)
    rep = int(spec.repeat_within.total_seconds() * 1_000_000)
    us, owner = ev.us, ev.owner
    conv = ev.event == _code(ev.event_names, event_name(spec.conversion))
    passive = np.isin(ev.event, _codes_of(ev.event_names, spec.passive))
    contact = np.isin(ev.event, _codes_of(ev.event_names, spec.contacts))
    nc_j, nc_ok = _next_at(conv, owner, strict=True)
    pc_j, pc_ok = _prev_at(conv, owner)
    na_j, na_ok = _next_at(~passive, owner, strict=True)
    rt_j, rt_ok = _next_at(ev.rated, owner, strict=False)
    next_conv = us[nc_j]
    converted_row = nc_ok & (next_conv - us <= win)
    open_row = ~pc_ok | (us - us[pc_j] > win)

    # groups: (journey, touchpoint), each group's rows in journey order
    ntp = max(len(ev.tp_names), 1)
    key = owner * ntp + ev.tp
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.flatnonzero(np.concatenate(([True], sk[1:] != sk[:-1])))
    last = order[np.append(starts[1:], len(sk)) - 1]
    gtp = ev.tp[last]
    converted = np.logical_or.reduceat(converted_row[order], starts)
    # the last open touch of each group (-1: none)
    at = np.where(open_row[order], np.arange(len(order)), -1)
    lo_s = np.maximum.reduceat(at, starts)
    has_open = lo_s >= 0
    lo = order[np.maximum(lo_s, 0)]
    end = int(us.max())
    observed = has_open & (end - us[lo] >= win)
    moved = (na_ok[lo] & (us[na_j[lo]] - us[lo] <= win)) | (
        nc_ok[lo] & (next_conv[lo] - us[lo] <= win)
    )
    dropped = observed & ~moved
    contacts = np.add.reduceat(contact[order].astype(np.int64), starts) > 0
    repeated = _repeated(order, contact, us, sk, starts, rep)
    rated = rt_ok[last] & (us[rt_j[last]] - us[last] <= win)
    rating = ev.rating[rt_j[last]]

    n = len(ev.tp_names)

    def per_tp(flags: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.bincount(gtp[flags], minlength=n)
        return out

    customers = np.bincount(gtp, minlength=n)
    counts = {
        "converted": per_tp(converted),
        "dropped": per_tp(dropped),
        "observed": per_tp(observed),
        "contact": per_tp(contacts),
        "repeat": per_tp(repeated),
        "rated": per_tp(rated),
    }
    rating_sum = np.bincount(gtp[rated], weights=rating[rated], minlength=n)
    events = np.bincount(ev.tp, minlength=n)
    active = np.bincount(ev.tp, weights=~passive, minlength=n)
    channel = _most(ev.tp, ev.channel, len(ev.channel_names), n)
    staged = ev.stage >= 0
    stage = _most(ev.tp[staged], ev.stage[staged], int(ev.stage.max()) + 1, n)
    out = []
    for t in np.flatnonzero(customers >= max(spec.min_customers, 1)).tolist():
        k = int(counts["rated"][t])
        out.append(
            (
                ev.tp_names[t],
                ev.channel_names[int(channel[t])],
                None if stage[t] < 0 else int(stage[t]),
                bool(active[t] == 0),
                int(events[t]),
                int(customers[t]),
                int(counts["converted"][t]),
                int(counts["dropped"][t]),
                int(counts["observed"][t]),
                int(counts["contact"][t]),
                int(counts["repeat"][t]),
                float(rating_sum[t]) / k if k else None,
                k,
            )
        )
    out.sort(key=lambda row: (-row[5], row[0]))
    return out


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


def _most(tp: np.ndarray, value: np.ndarray, values: int, n: int) -> np.ndarray:
    """Each touchpoint's most frequent value (ties: the smallest code); -1 for none."""
    width = max(values, 1)
    counts = np.bincount(tp.astype(np.int64) * width + value, minlength=n * width).reshape(n, width)
    best: np.ndarray = np.where(counts.max(axis=1) > 0, counts.argmax(axis=1), -1)
    return best


def _code(names: list[str], name: str) -> int:
    return names.index(name) if name in names else -1
