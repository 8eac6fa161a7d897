"""The paths report on the embedded engine: one scan into arrays, every part from it.

``journey_events`` is stored in (customer, time) order (but for a few runs live identity
appended, merged after the scan), so a plain scan returns each customer's events ready to
read in sequence: the directly-follows graph, starts and ends,
variants, sessions and viewed-without-buying are then all vectorised NumPy over the same
few columns (customer, time in µs, and small integer codes for event, channel and node),
with no window function, no sort of the events and no intermediate tables. The SQL form
in :mod:`journeyscope.analytics.paths` stays what Spark runs; the conformance tests hold
the two equal.

Answers are the SQL form's to the last bit: medians are DuckDB's (``lo * (1 - d) + hi * d``
over the same doubles), text orders are code-point orders (codes are ranks of the sorted
names), events at one instant keep the stored ``seq`` order (the SQL form's tie rule), and
variants are grouped by a hash that is then checked sequence by sequence — a clash falls
back to the SQL form, it never merges two journeys.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from journeyscope.arrays import interpolate, journey_order
from journeyscope.compiled import in_cache, loaded_kernel

if TYPE_CHECKING:
    from journeyscope.analytics.paths import PathSpec
    from journeyscope.analytics.scope import Scope
    from journeyscope.engine.runner import Runner

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 86400 * US
SESSION_GROUPS = 30  # rows of by_channel / by_entry, as the SQL form's LIMIT


class HashClash(Exception):
    """Two different journeys share a variant hash (with two million distinct journeys,
    about one report in ten million), or no small perfect hash of the names was found:
    the caller computes the report in SQL instead."""


@dataclass
class Journeys:
    """Every scoped event of every customer, each customer's rows together in (time,
    seq) order. Codes index the sorted name lists, so comparing codes compares text."""

    cust: np.ndarray  # int64
    us: np.ndarray  # int64, microseconds since the epoch (UTC)
    node: np.ndarray  # int32 codes into node_names
    node_names: list[str]
    event: np.ndarray
    event_names: list[str]
    channel: np.ndarray
    channel_names: list[str]
    first: np.ndarray  # bool: the customer's first row
    secs: np.ndarray  # float64: DuckDB's epoch(ts), µs / 1e6 as a double
    gap: np.ndarray  # float64: secs[i + 1] - secs[i] (across customers too)
    owner: np.ndarray  # int32: the customer's number (0, 1, …) for each row

    @property
    def last(self) -> np.ndarray:
        out = np.ones(len(self.first), np.bool_)
        out[:-1] = self.first[1:]
        return out


# --- reading ---------------------------------------------------------------------------


def _text_columns(level: str) -> dict[str, str]:
    """The text columns read as codes; the node is its own column only for touchpoints
    (made from event and channel codes otherwise)."""
    cols = {"event": "e.event", "channel": "e.channel"}
    if level == "touchpoint":
        cols["node"] = "coalesce(e.touchpoint, e.channel)"
    return cols


@dataclass(frozen=True)
class _Coder:
    """A text column as ``hash(text) % modulus`` in SQL (small integers, computed by the
    engine on all cores, no strings to move), and the lookup back to sorted names."""

    names: list[str]
    modulus: int
    lookup: np.ndarray  # residue -> rank of the name

    def codes(self, residues: np.ndarray) -> np.ndarray:
        out: np.ndarray = self.lookup[residues]
        return out


def _coders(
    r: Runner, base: str, params: dict[str, Any], text: dict[str, str]
) -> dict[str, _Coder]:
    """One pass for the distinct values of each text column, then a modulus under which
    their hashes differ (a perfect hash of the few values)."""
    con = r.ws.con
    found = con.execute(
        "SELECT " + ", ".join(f"list(DISTINCT {c})" for c in text) + f" FROM ({base}) b",
        params,
    ).fetchone()
    coders = {}
    for name, values in zip(text, found or [None] * len(text), strict=True):
        names = sorted(str(v) for v in values or [])
        hashed = dict(
            con.execute(
                "SELECT v, hash(v) FROM (SELECT unnest(?::VARCHAR[]) AS v)", [names]
            ).fetchall()
        )
        hashes = np.array([hashed[n] for n in names], np.uint64)
        coders[name] = _perfect(names, hashes)
    return coders


def _perfect(names: list[str], hashes: np.ndarray) -> _Coder:
    """A modulus under which the names' hashes differ: the smallest from ``len(names)``
    up to ``64 * len(names)``, tried in batches (a few hundred names need thousands of
    tries; past ~600 names hardly any is free), else one near ``4 * len(names)²`` (almost
    surely free at once) for up to 2,048 names; beyond, no lookup table small enough, and
    the SQL form answers."""
    k = max(len(names), 1)
    ranges = [(k, 64 * k + 1024)] if k <= 600 else []
    ranges += [(4 * k * k, 4 * k * k + 4096)] if k <= 2048 else []
    batch = max(1, min(1024, 2_000_000 // k))
    for start, limit in ranges:
        for low in range(start, limit, batch):
            moduli = np.arange(low, min(low + batch, limit), dtype=np.uint64)
            residues = np.sort(hashes[None, :] % moduli[:, None], axis=1)
            free = np.flatnonzero(~(residues[:, 1:] == residues[:, :-1]).any(axis=1))
            if len(free):
                m = int(moduli[free[0]])
                lookup = np.full(m, -1, np.int32)
                lookup[(hashes % np.uint64(m)).astype(np.int64)] = np.arange(len(names))
                return _Coder(names, m, lookup)
    raise HashClash  # no small perfect modulus: the SQL form answers


def read_journeys(r: Runner, spec: PathSpec, scope: Scope) -> Journeys:
    """One scan of the scoped events (after a pass for the distinct names), or the scan
    this process keeps (:mod:`~journeyscope.analytics.kept_events`) where it serves."""
    if spec.level != "touchpoint":  # the kept scan's touchpoint also names the event
        from journeyscope.analytics.events_arrays import kept_read

        ev = kept_read(r, scope)
        if ev is not None:
            cols = {"customer_id": ev.customer[ev.owner], "us": ev.us}
            coded = {"event": (ev.event, ev.event_names), "channel": (ev.channel, ev.channel_names)}
            return _journeys(spec.level, cols, coded)
    q = r.sql()
    text = _text_columns(spec.level)
    columns = "e.ts, e.seq, " + ", ".join(f"{v} AS {k}" for k, v in text.items())
    base = r.source(scope, q, columns)
    coders = _coders(r, base, q.params, {k: k for k in text})
    names = "customer_id, epoch_us(ts) AS us, seq, " + ", ".join(
        f"CAST(hash({k}) % {c.modulus} AS UINTEGER) AS {k}" for k, c in coders.items()
    )
    # journey_events is stored in (customer, ts, seq) order — the report's — but for the
    # runs live identity appended (merged here); a join to the full event row
    # (identifier/property filters) keeps no order, so the database sorts that one
    sort = " ORDER BY customer_id, ts, seq" if q.event_row else ""
    cols = _read(r, f"SELECT {names} FROM ({base}) b{sort}", q.params)
    perm = journey_order(cols["customer_id"], cols["us"], cols.pop("seq"))
    if perm is not None:
        cols = {k: v[perm] for k, v in cols.items()}
    return _journeys(spec.level, cols, {k: (c.codes(cols[k]), c.names) for k, c in coders.items()})


def _read(r: Runner, text: str, params: dict[str, Any]) -> dict[str, np.ndarray]:
    # straight into NumPy (a third of the CPU of Arrow + concatenating its chunks)
    found = r.ws.con.sql(text, params=params).fetchnumpy()
    return {name: np.asarray(col) for name, col in found.items()}


def _sorted_pairs(a: np.ndarray, b: np.ndarray) -> bool:
    """Rows sorted by ``a``, then ``b``?"""
    if len(a) < 2:
        return True
    da = np.diff(a)
    return bool(np.all((da > 0) | ((da == 0) & (np.diff(b) >= 0))))


def _journeys(
    level: str, cols: dict[str, np.ndarray], text: dict[str, tuple[np.ndarray, list[str]]]
) -> Journeys:
    cust = cols["customer_id"]
    first = np.ones(len(cust), np.bool_)
    first[1:] = cust[1:] != cust[:-1]
    event, event_names = text["event"]
    channel, channel_names = text["channel"]
    if level == "event":
        node, node_names = event, event_names
    elif level == "channel":
        node, node_names = channel, channel_names
    elif level == "touchpoint":
        node, node_names = text["node"]
    else:  # channel_event: "channel:event", from the two codes
        node, node_names = _pairs(channel, channel_names, event, event_names)
    us = cols["us"]
    owner = np.cumsum(first, dtype=np.int32) - 1
    secs = us / US
    return Journeys(
        cust,
        us,
        node,
        node_names,
        event,
        event_names,
        channel,
        channel_names,
        first,
        secs,
        secs[1:] - secs[:-1],
        owner,
    )


def _pairs(
    a: np.ndarray, a_names: list[str], b: np.ndarray, b_names: list[str]
) -> tuple[np.ndarray, list[str]]:
    """Codes of ``a || ':' || b`` (ranks of the sorted texts) from the two codes."""
    width = max(len(b_names), 1)
    pair = a.astype(np.int64) * width + b
    used = np.flatnonzero(np.bincount(pair, minlength=len(a_names) * width))
    text = [f"{a_names[p // width]}:{b_names[p % width]}" for p in used.tolist()]
    rank = np.argsort(np.argsort(np.array(text, dtype=object), kind="stable"), kind="stable")
    lookup = np.zeros(len(a_names) * width, np.int32)
    lookup[used] = rank
    return lookup[pair], sorted(text)


# --- the parts of the report -------------------------------------------------------------


def parts(
    j: Journeys,
    top: int,
    gap: timedelta,
    view: str,
    buy: str,
    zone: str,
    *,
    merge: bool = True,
    more: dict[str, Callable[[], Any]] | None = None,
) -> dict[str, Any]:
    """Every part of the report. They read the same arrays and NumPy releases the GIL in
    its loops, so they run side by side on two threads (the machines we aim at have two
    cores; the scan before already used them all). ``more``: other parts over the same
    arrays (the Sankey), run in the same pool; their results come under their names."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs: dict[str, Future[Any]] = {
            "edges": pool.submit(edges, j),
            "variants": pool.submit(variants, j, top, merge),
            "sessions": pool.submit(sessions, j, gap),
            "viewed_without_buying": pool.submit(viewed_without_buying, j, view, buy, zone),
            **{name: pool.submit(work) for name, work in (more or {}).items()},
        }
        done = {name: job.result() for name, job in jobs.items()}
    return {
        **{name: done[name] for name in more or {}},
        "edges": done["edges"],
        "starts": ends(j.node[j.first], j.node_names),
        "ends": ends(j.node[j.last], j.node_names),
        "variants": done["variants"],
        "sessions": done["sessions"],
        "viewed_without_buying": done["viewed_without_buying"],
    }


def duckdb_median(values: np.ndarray) -> float:
    """DuckDB's ``median`` (``quantile_cont(0.5)``: ``lo * 0.5 + hi * 0.5`` for an even
    count) of non-negative doubles, to the last bit. Durations are mostly zero (one-event
    sessions), so only the non-zero values are partitioned, and only when needed."""
    n = len(values)
    half = (n - 1) // 2
    picks = [half] if n % 2 else [half, half + 1]
    zeros = n - int(np.count_nonzero(values))
    if picks[-1] < zeros:
        return 0.0
    rest = values[values != 0] if zeros else values
    part = np.partition(rest, [p - zeros for p in picks if p >= zeros])
    lo, hi = (0.0 if p < zeros else float(part[p - zeros]) for p in (picks[0], picks[-1]))
    return interpolate(lo, hi, 0.5) if len(picks) == 2 else lo


def _count_median(counts: np.ndarray) -> float:
    """:func:`duckdb_median` of small positive integers, from their histogram (one pass,
    no partition of millions of values)."""
    n = len(counts)
    below = np.cumsum(np.bincount(counts))  # below[v]: how many are <= v
    half = (n - 1) // 2
    lo = float(np.searchsorted(below, half + 1))
    hi = float(np.searchsorted(below, half + 2)) if n % 2 == 0 else lo
    return interpolate(lo, hi, 0.5)


#: Up to this many edges, one comparison pass per edge beats sorting the pairs.
FEW_EDGES = 4


def edges(j: Journeys) -> list[dict[str, Any]]:
    """The directly-follows graph: count, customers and median gap (seconds) per edge.

    Every pair of neighbouring rows gets an edge code, a pair that spans two customers the
    extra code ``k * k``. With a handful of edges, each one's gaps and customers are
    picked out by a comparison; with more, one stable radix sort of the codes groups them
    (15 edges on 10M events: 0.45 s against 0.56 s by comparisons; 1M: 0.03 against 0.06)."""
    k = max(len(j.node_names), 1)
    pairs = k * k
    if len(j.first) < 2:
        return []
    kernel = _kernel("edge_pass")
    if kernel is not None:
        return _edge_rows(j, *_edges_compiled(kernel, j, k), k)
    wide = np.int64 if pairs >= 1 << 31 else np.int32
    code = j.node[:-1].astype(wide) * k + j.node[1:]
    code[j.first[1:]] = pairs  # across customers: no edge
    counts = np.bincount(code, minlength=pairs + 1)[:pairs]
    used = np.flatnonzero(counts).tolist()
    owner = j.owner[:-1]
    if len(used) <= FEW_EDGES:
        stats = _few_edges(code, j.gap, owner, used)
    else:
        stats = _many_edges(code, j.gap, owner, counts, used, pairs)
    return _edge_rows(j, counts, used, stats, k)


def _edge_rows(
    j: Journeys,
    counts: np.ndarray,
    used: list[int],
    stats: dict[int, tuple[int, float]],
    k: int,
) -> list[dict[str, Any]]:
    """The edges, most frequent first (ties by the two names)."""
    rows = []
    for e in used:
        a, b = divmod(e, k)
        customers, med = stats[e]
        rows.append((-int(counts[e]), j.node_names[a], j.node_names[b], customers, med))
    rows.sort(key=lambda x: (x[0], x[1], x[2]))
    return [
        {"from": a, "to": b, "count": -n, "customers": c, "median_seconds": round(m, 3)}
        for n, a, b, c, m in rows
    ]


def _distinct_sorted(values: np.ndarray) -> int:
    return int(len(values) > 0) + int(np.count_nonzero(values[1:] != values[:-1]))


def _few_edges(
    code: np.ndarray, gap: np.ndarray, owner: np.ndarray, used: list[int]
) -> dict[int, tuple[int, float]]:
    """Customers (``count(DISTINCT customer_id)``) and median gap of each edge, one
    comparison over the pairs per edge (owners ascend, so distinct = changes + 1)."""
    out = {}
    for e in used:
        mine = code == e
        out[e] = (_distinct_sorted(owner[mine]), duckdb_median(gap[mine]))
    return out


def _many_edges(
    code: np.ndarray,
    gap: np.ndarray,
    owner: np.ndarray,
    counts: np.ndarray,
    used: list[int],
    pairs: int,
) -> dict[int, tuple[int, float]]:
    """The same, grouping the pairs by one stable sort of their codes."""
    small = np.uint16 if pairs < 1 << 16 else np.uint32 if pairs < 1 << 32 else np.int64
    order = np.argsort(code.astype(small), kind="stable")  # stable: owners stay sorted
    gap, owner = gap[order], owner[order]
    lo = np.concatenate(([0], np.cumsum(counts)))
    return {
        e: (
            _distinct_sorted(owner[lo[e] : lo[e + 1]]),
            duckdb_median(gap[lo[e] : lo[e + 1]]),
        )
        for e in used
    }


# --- the compiled forms (paths_kernel), where this process has them loaded ---------------


def _kernel(name: str) -> Any:
    """A compiled pass of ``paths_kernel`` when this process has loaded it (the server),
    else None: a short CLI process keeps to NumPy rather than pay numba's import. The two
    forms are held equal by tests/analytics/test_paths_kernel.py."""
    return loaded_kernel("journeyscope.analytics.paths_kernel", name)


def load_paths_kernel() -> None:
    """Load the compiled passes (a server does, on a thread, as it starts)."""
    from journeyscope.analytics import paths_kernel

    # never compile behind the user's back: each pass only if it is in numba's cache
    if in_cache(paths_kernel.edge_pass):
        paths_kernel.warm_edges()
    if in_cache(paths_kernel.variant_pass):
        paths_kernel.warm_variants()


def _edges_compiled(
    kernel: Any, j: Journeys, k: int
) -> tuple[np.ndarray, list[int], dict[int, tuple[int, float]]]:
    from journeyscope.compiled import frozen

    counts, customers, grouped, offsets = kernel(
        frozen(j.node, np.int32),
        frozen(j.first, np.bool_),
        frozen(j.gap, np.float64),
        frozen(j.owner, np.int32),
        k,
    )
    used = np.flatnonzero(counts).tolist()
    stats = {
        e: (int(customers[e]), duckdb_median(grouped[offsets[e] : offsets[e + 1]])) for e in used
    }
    return counts, used, stats


def _variants_compiled(kernel: Any, j: Journeys, top: int, merge: bool) -> dict[str, Any]:
    from journeyscope.compiled import frozen

    counts, rep, seq, starts, exact = kernel(
        frozen(j.node, np.int32), frozen(j.first, np.bool_), merge
    )
    if not exact:
        raise HashClash
    rows = _top_groups(counts, rep, top, lambda c: seq[starts[c] : starts[c + 1]])
    return _variant_rows(j, rows, len(starts) - 1, len(counts), merge)


def ends(codes: np.ndarray, names: list[str]) -> dict[str, int]:
    """How many rows have each node, most first (ties by name)."""
    counts = np.bincount(codes, minlength=len(names))
    used = np.flatnonzero(counts)
    ranked = sorted(used.tolist(), key=lambda c: (-int(counts[c]), c))
    return {names[c]: int(counts[c]) for c in ranked}


def variants(j: Journeys, top: int, merge: bool = True) -> dict[str, Any]:
    """Whole journeys as node sequences, repeats in a row collapsed (``merge``) or kept;
    the ``top`` most common (ties by the sequence's text order)."""
    kernel = _kernel("variant_pass")
    if kernel is not None and len(j.first):
        return _variants_compiled(kernel, j, top, merge)
    changed = j.first.copy()
    changed[1:] |= (j.node[1:] != j.node[:-1]) | (not merge)
    kept = np.flatnonzero(changed)  # once, for both columns (a mask is searched per use)
    seq = j.node[kept]
    owner = j.owner[kept]
    customers = int(j.first.sum())
    if not customers:
        return {"customers": 0, "merge_repeats": merge, "distinct": 0, "top": []}
    lengths = np.bincount(owner, minlength=customers)
    offsets = np.zeros(customers + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    pos = np.arange(len(seq)) - offsets[owner]
    powers = np.full(int(lengths.max()), 0x9E3779B97F4A7C15, np.uint64)
    powers[0] = 1
    powers = np.cumprod(powers)  # wraps modulo 2**64, as a polynomial hash should
    terms = (seq.astype(np.uint64) + np.uint64(1)) * powers[pos]
    key = np.add.reduceat(terms, offsets[:-1]) + lengths.astype(np.uint64) * np.uint64(
        0xBF58476D1CE4E5B9
    )
    _, rep, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    same_as = rep[inverse]  # the group's first customer, for each customer
    if not np.array_equal(lengths[same_as], lengths) or not np.array_equal(
        seq[offsets[same_as][owner] + pos], seq
    ):
        raise HashClash
    rows = _top_groups(counts, rep, top, lambda c: seq[offsets[c] : offsets[c + 1]])
    return _variant_rows(j, rows, customers, len(counts), merge)


def _variant_rows(
    j: Journeys, rows: list[tuple[int, tuple[int, ...]]], customers: int, distinct: int, merge: bool
) -> dict[str, Any]:
    return {
        "customers": customers,
        "merge_repeats": merge,
        "distinct": distinct,
        "top": [
            {
                "path": [j.node_names[x] for x in path],
                "customers": n,
                "share": round(n / customers, 4),
            }
            for n, path in rows
        ],
    }


def _top_groups(
    counts: np.ndarray, rep: np.ndarray, top: int, path_of: Any
) -> list[tuple[int, tuple[int, ...]]]:
    """The ``top`` groups by count, most first, ties by path (code order = text order)."""
    if top <= 0:
        return []
    if len(counts) > top:
        cut = np.partition(counts, len(counts) - top)[len(counts) - top]
        chosen = np.flatnonzero(counts >= cut)
    else:
        chosen = np.arange(len(counts))
    items = ((-int(counts[g]), tuple(path_of(int(rep[g])).tolist())) for g in chosen)
    return [(-n, path) for n, path in heapq.nsmallest(top, items)]


def sessions(j: Journeys, gap: timedelta) -> dict[str, Any]:
    """Sessions split at ``gap`` of inactivity; bounce = a one-event session."""
    gap_s = gap.total_seconds()
    secs = j.secs
    new = j.first.copy()
    new[1:] |= j.gap > gap_s
    start = np.flatnonzero(new)
    n = len(start)
    if not n:
        return {
            "gap_seconds": gap_s,
            "sessions": 0,
            "bounce_rate": 0.0,
            "median_events": None,
            "median_seconds": None,
            "by_channel": [],
            "by_entry": [],
        }
    end = np.append(start[1:], len(secs))
    events = end - start
    bounce = events == 1
    return {
        "gap_seconds": gap_s,
        "sessions": n,
        "bounce_rate": round(float(bounce.sum() / n), 4),
        "median_events": _count_median(events),
        "median_seconds": duckdb_median(secs[end - 1] - secs[start]),
        "by_channel": _by(j.channel[start], j.channel_names, bounce, "channel"),
        "by_entry": _by(j.node[start], j.node_names, bounce, "entry"),
    }


def _by(codes: np.ndarray, names: list[str], bounce: np.ndarray, col: str) -> list[dict[str, Any]]:
    # one count of (code, bounced) pairs: sessions and bounces per code in one pass
    both = np.bincount(codes.astype(np.intp) * 2 + bounce, minlength=2 * len(names))
    bounced = both[1::2]
    counts = both[0::2] + bounced
    used = sorted(np.flatnonzero(counts).tolist(), key=lambda c: (-int(counts[c]), c))
    return [
        {
            col: names[c],
            "sessions": int(counts[c]),
            "bounce_rate": round(float(bounced[c]) / float(counts[c]), 4),
        }
        for c in used[:SESSION_GROUPS]
    ]


def viewed_without_buying(j: Journeys, view: str, buy: str, zone: str) -> list[dict[str, Any]]:
    """Per local day: customers who viewed, and those of them who did not buy that day."""
    v = _code(j.event_names, view)
    b = _code(j.event_names, buy)
    viewed_row, bought_row = j.event == v, j.event == b
    rows = np.flatnonzero(viewed_row | bought_row)
    if not len(rows):
        return []
    day = local_days(j.us[rows], zone)
    owner = j.owner[rows]
    viewed, bought = viewed_row[rows], bought_row[rows]
    if not _sorted_pairs(owner, day):  # a clock going back over midnight: rare zones
        order = np.lexsort((day, owner))
        owner, day, viewed, bought = owner[order], day[order], viewed[order], bought[order]
    group = np.ones(len(owner), np.bool_)
    group[1:] = (owner[1:] != owner[:-1]) | (day[1:] != day[:-1])
    lo = np.flatnonzero(group)
    any_view = np.logical_or.reduceat(viewed, lo)
    any_buy = np.logical_or.reduceat(bought, lo)
    d0 = int(day.min())
    gday = day[lo] - d0
    seen = np.bincount(gday, weights=any_view)
    missed = np.bincount(gday, weights=any_view & ~any_buy)
    out = []
    for i in np.flatnonzero(seen).tolist():
        n, w = int(seen[i]), int(missed[i])
        out.append(
            {
                "day": str(np.datetime64(d0 + i, "D")),
                "viewed": n,
                "viewed_without_buying": w,
                "share": round(w / n, 4),
            }
        )
    return out


def _code(names: list[str], name: str) -> int:
    return names.index(name) if name in names else -1


def local_days(us: np.ndarray, zone: str) -> np.ndarray:
    """Days since the epoch of UTC instants, as dates in ``zone`` (DuckDB's
    ``CAST(timezone(zone, ts) AS DATE)``)."""
    days: np.ndarray = np.floor_divide(local_us(us, zone), DAY_US)
    return days


def local_us(us: np.ndarray, zone: str) -> np.ndarray:
    """UTC instants (µs) as the wall clock of ``zone`` (µs, as if UTC: DuckDB's
    ``timezone(zone, ts)``), from the zone's offset per hour seen, with the instant of any
    change inside an hour found to the second."""
    tz = ZoneInfo(zone)
    hour = us // HOUR_US
    h0 = int(hour.min())
    hours = np.flatnonzero(np.bincount(hour - h0)) + h0  # the hours seen, in order
    at = np.array([_offset_us(tz, h * HOUR_US) for h in hours.tolist()], np.int64)
    after = np.array([_offset_us(tz, (h + 1) * HOUR_US) for h in hours.tolist()], np.int64)
    if bool(np.all(at == at[0])) and bool(np.all(after == at[0])):  # one offset throughout
        same: np.ndarray = us + int(at[0])  # (Asia/Ho_Chi_Minh since 1975)
        return same
    lut = np.zeros(int(hours[-1]) - h0 + 1, np.int64)
    lut[hours - h0] = at
    offsets = lut[hour - h0]
    for i in np.flatnonzero(at != after).tolist():  # a change inside the hour (DST)
        h = int(hours[i])
        change = _change_at(tz, h * HOUR_US, (h + 1) * HOUR_US, int(at[i]))
        offsets[(hour == h) & (us >= change)] = after[i]
    out: np.ndarray = us + offsets
    return out


def _offset_us(tz: ZoneInfo, at_us: int) -> int:
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at_us)
    offset = when.astimezone(tz).utcoffset()
    return int(offset // timedelta(microseconds=1)) if offset is not None else 0


def _change_at(tz: ZoneInfo, lo: int, hi: int, before: int) -> int:
    """The first µs in (lo, hi] whose offset is no longer ``before`` (bisection)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_us(tz, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def sankey(j: Journeys, anchor: str, *, after: bool, depth: int) -> list[tuple[int, str, str, int]]:
    """The Sankey's links, as the SQL form's rows (step, node, next node, customers),
    ordered by step, customers (most first), node, next node: from each customer's first
    ``anchor`` event (``after``) or last (before), ``depth`` steps on, a journey that ends
    first going to "(end)" / coming from "(start)" and stopping there."""
    edge = "(end)" if after else "(start)"
    code = j.event_names.index(anchor) if anchor in j.event_names else -1
    rows = np.flatnonzero(j.event == code)
    if not len(rows):
        return []
    who = j.owner[rows]
    pick = np.ones(len(rows), np.bool_)
    if after:  # the first anchor of each customer
        pick[1:] = who[1:] != who[:-1]
    else:  # the last
        pick[:-1] = who[1:] != who[:-1]
    at = rows[pick]
    starts = np.flatnonzero(j.first)
    bounds = np.append(starts, len(j.first))
    lo, hi = bounds[j.owner[at]], bounds[j.owner[at] + 1]  # each customer's rows [lo, hi)
    n = len(j.node_names)
    sign = 1 if after else -1

    def step(k: int) -> np.ndarray:
        pos = at + sign * k
        inside = (pos >= lo) & (pos < hi)
        return np.where(inside, j.node[np.clip(pos, 0, len(j.node) - 1)], n)

    names = [*j.node_names, edge]
    out: list[tuple[int, str, str, int]] = []
    here = step(0)
    for k in range(depth):
        there = step(k + 1)
        real = here < n  # nothing after the first (end)/(start)
        counts = np.bincount(
            here[real].astype(np.int64) * (n + 1) + there[real], minlength=n * (n + 1)
        )
        for key in np.flatnonzero(counts).tolist():
            out.append((k, names[key // (n + 1)], names[key % (n + 1)], int(counts[key])))
        here = there
    out.sort(key=lambda row: (row[0], -row[3], row[1], row[2]))
    return out
