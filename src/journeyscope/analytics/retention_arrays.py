"""The retention report on the embedded engine, from the scoped events as arrays.

The SQL form (:mod:`journeyscope.analytics.retention`) writes every event with its local
time to a scratch table, then groups it for cohorts, RFM and churn (window functions,
self-joins); on ten million events that takes many seconds and gigabytes. Here the events
come from the scan the other reports share (:mod:`events_arrays`, in journey order), the
local clock from the zone's offsets, and every part is NumPy over per-customer segments.

The answer is the SQL form's: periods are DuckDB's ``date_trunc`` (ISO weeks from Monday),
``date_diff`` counts boundaries crossed, ``ntile`` fills its first buckets one larger,
the few rounded numbers shown are rounded by DuckDB itself, ties keep the source's order.
Spark, a split by a field (``--by``) and the per-customer export run the SQL form; tests
hold the two equal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from journeyscope.analytics import paths_arrays
from journeyscope.analytics.events_arrays import Events
from journeyscope.arrays import distinct
from journeyscope.compiled import in_cache, loaded_kernel

if TYPE_CHECKING:
    from journeyscope.analytics.retention import RetentionSpec
    from journeyscope.engine.runner import Runner

__all__ = ["CohortRow", "churn_summary", "cohort_rows", "duckdb_round", "rfm_summary"]

DAY = paths_arrays.DAY_US
EPOCH = datetime(1970, 1, 1)
#: (segment, cohort start, customers, counts by offset, offsets), as the SQL form's rows
CohortRow = tuple[str, datetime, int, list[int], list[int]]


def duckdb_round(r: Runner, values: list[float], digits: int = 0) -> list[float]:
    """DuckDB's own ``round`` of a few doubles (the report's shown values): its rounding
    of doubles is not Python's (halves, and the binary value of 0.85) nor a plain
    ``std::round(x * 10^d) / 10^d``, so the engine does it, and the numbers are its own."""
    if not values:
        return []
    q = r.sql()
    found = r.rows(
        f"SELECT round(v, {int(digits)}) FROM (SELECT unnest({q.bind(values)}::DOUBLE[]) AS v)", q
    )
    return [float(row[0]) for row in found]


def _segments(owner: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of rows (in journey order): each journey's first position and its journey."""
    who = owner[rows]
    start = np.flatnonzero(np.concatenate(([True], who[1:] != who[:-1]))) if len(rows) else rows
    return start, who[start] if len(rows) else who


# --- cohorts ---------------------------------------------------------------------------


def _period(days: np.ndarray, period: str) -> np.ndarray:
    """Period numbers of local days: days, ISO weeks (Monday first), or months."""
    if period == "day":
        return days
    if period == "week":
        out: np.ndarray = np.floor_divide(days + 3, 7)  # 1970-01-05 was a Monday
        return out
    lo = int(days.min()) if len(days) else 0
    span = np.arange(lo, int(days.max()) + 1 if len(days) else lo + 1)
    lut = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # per day seen
    months: np.ndarray = lut[days - lo]
    return months


def _period_start(number: int, period: str) -> datetime:
    if period == "day":
        return EPOCH + timedelta(days=number)
    if period == "week":
        return EPOCH + timedelta(days=number * 7 - 3)
    return datetime(1970 + number // 12, number % 12 + 1, 1)


def cohort_rows(ev: Events, day: np.ndarray, spec: RetentionSpec) -> list[CohortRow]:
    """Per cohort (of first cohort-event), its size and the customers active k periods
    later (cohorts with nobody active after are left out, as the SQL form's join does).
    ``day``: each row's local day (days since the epoch)."""

    kernel = _kernel("cohort_pass")
    if kernel is not None and len(ev.owner):
        found = _cohorts_compiled(kernel, ev, day, spec)
        if found is not None:
            return found

    def rows_of(name: str | None) -> tuple[np.ndarray, np.ndarray]:  # (owner, day) of rows
        if name is None:
            return ev.owner, day
        mine = ev.event == ev.code(name)
        return ev.owner[mine], day[mine]

    c_owner, c_day = rows_of(spec.cohort_event)
    b_owner, b_day = rows_of(spec.return_event)
    if not len(c_owner) or not len(b_owner):
        return []
    starts = np.flatnonzero(np.concatenate(([True], c_owner[1:] != c_owner[:-1])))
    cohort = _period(np.minimum.reduceat(c_day, starts), spec.period)  # first local day
    of_owner = np.full(int(ev.owner[-1]) + 1, np.iinfo(np.int64).min, np.int64)
    of_owner[c_owner[starts]] = cohort
    p = _period(b_day, spec.period)
    c = of_owner[b_owner]
    keep = (c != np.iinfo(np.int64).min) & (p >= c)
    owners = b_owner
    if not bool(keep.all()):  # (every row counts when cohorts and returns are any event)
        owners, p, c = b_owner[keep], p[keep], c[keep]
    lo = int(cohort.min())
    k = p - c
    width = int(k.max()) + 1 if len(k) else 1
    span = int(cohort.max()) - lo + 1
    pairs = distinct((owners * span + (c - lo)) * width + k)  # (customer, cohort, k) once
    counts = np.bincount(pairs % (span * width), minlength=span * width).reshape(span, width)
    sizes = np.bincount(cohort - lo, minlength=span)
    return _cohort_table(counts, sizes, lo, spec)


#: the most (cohort, offset) cells the compiled pass counts in: it spans every period of
#: the data both ways (a stray event years off would make it huge), NumPy only those used
MAX_COHORT_CELLS = 1 << 22


def _cohorts_compiled(
    kernel: Any, ev: Events, day: np.ndarray, spec: RetentionSpec
) -> list[CohortRow] | None:
    """:func:`cohort_rows` by one compiled pass (``retention_kernel.cohort_pass``); None
    when the data's periods are too many for its table (NumPy then)."""
    from journeyscope.analytics.retention_kernel import ANY
    from journeyscope.compiled import frozen

    codes = [
        ANY if name is None else ev.code(name) for name in (spec.cohort_event, spec.return_event)
    ]
    if -1 in codes:  # a name the data does not have: no cohorts, or nobody returns
        return []
    day_lo = int(day.min())
    lut = _period(np.arange(day_lo, int(day.max()) + 1), spec.period)
    lo = int(lut[0])  # periods ascend with days: the first day's is the first
    if (int(lut[-1]) - lo + 1) ** 2 > MAX_COHORT_CELLS:
        return None
    counts, sizes = kernel(
        frozen(ev.owner, np.int64),
        frozen(day, np.int64),
        frozen(ev.event, np.int32),
        codes[0],
        codes[1],
        frozen(lut - lo, np.int64),
        day_lo,
        int(lut[-1]) - lo + 1,
    )
    return _cohort_table(counts, sizes, lo, spec)


def _cohort_table(
    counts: np.ndarray, sizes: np.ndarray, lo: int, spec: RetentionSpec
) -> list[CohortRow]:
    """The cohorts' rows from the counts (cohort, offset) and sizes, the first cohort
    ``lo``: those with anybody active after (as the SQL form's join)."""
    out: list[CohortRow] = []
    for i in np.flatnonzero(counts.sum(axis=1)).tolist():
        ks = np.flatnonzero(counts[i]).tolist()
        out.append(
            (
                "(none)",
                _period_start(lo + i, spec.period),
                int(sizes[i]),
                [int(counts[i, j]) for j in ks],
                ks,
            )
        )
    return out


# --- RFM -------------------------------------------------------------------------------


def _ntile(values: np.ndarray, tiebreak: np.ndarray, buckets: int = 5) -> np.ndarray:
    """DuckDB's ``ntile(buckets) OVER (ORDER BY values, tiebreak)`` (1-based)."""
    n = len(values)
    order = _order(values, tiebreak)
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    size, extra = divmod(n, buckets)
    big = extra * (size + 1)  # the first ``extra`` buckets hold one more
    out: np.ndarray = np.where(
        rank < big, rank // max(size + 1, 1), extra + (rank - big) // max(size, 1)
    )
    return out + 1


def _order(values: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """``np.lexsort((tiebreak, values))``. When the tiebreak already ascends (customers
    in journey order), a stable sort of the values alone is the same order, and small
    non-negative integers (days, counts) sort by radix as 16-bit: a quarter of the time."""
    if len(values) < 2 or not bool(np.all(tiebreak[1:] > tiebreak[:-1])):
        return np.lexsort((tiebreak, values))
    if values.dtype.kind in "iu" and int(values.min()) >= 0 and int(values.max()) < 1 << 16:
        values = values.astype(np.uint16)
    return np.argsort(values, kind="stable")


def rfm(ev: Events, spec: RetentionSpec) -> dict[str, np.ndarray]:
    """Per buyer (a purchase in scope): recency days, frequency, net monetary, R/F/M."""
    bought = ev.event == ev.code(spec.purchase)
    rows = np.flatnonzero(bought | (ev.event == ev.code("refund")))
    buys = bought[rows]
    starts, who = _segments(ev.owner, rows)
    frequency = np.add.reduceat(buys.astype(np.int64), starts) if len(rows) else rows
    money = np.where(np.isnan(ev.revenue[rows]), 0.0, ev.revenue[rows])
    monetary = np.add.reduceat(money, starts) if len(rows) else money
    last_buy = np.maximum.reduceat(np.where(buys, ev.us[rows], np.iinfo(np.int64).min), starts)
    keep = frequency > 0
    who, frequency, monetary, last_buy = who[keep], frequency[keep], monetary[keep], last_buy[keep]
    end_day = int(ev.us.max()) // DAY
    recency = end_day - np.floor_divide(last_buy, DAY)
    return {
        "owner": who,
        "recency": recency,
        "frequency": frequency,
        "monetary": monetary,
        "r": 6 - _ntile(recency, who),
        "f": _ntile(frequency, who),
        "m": _ntile(monetary, who),
    }


def rfm_summary(r: Runner, scores: dict[str, np.ndarray]) -> dict[str, Any]:
    """Customers, average net revenue and purchases per RFM segment (the SQL form's)."""
    from journeyscope.analytics.retention import SEGMENTS

    rs, fs, ms = scores["r"], scores["f"], scores["m"]
    fm = (fs + ms + 1) // 2  # round((f + m) / 2): halves away from zero (exact for these)
    segment = np.full(len(rs), len(SEGMENTS), np.int64)  # "others"
    for i, (_, (r0, r1), (a, b)) in reversed(list(enumerate(SEGMENTS))):  # first match wins
        segment[(rs >= r0) & (rs <= r1) & (fm >= a) & (fm <= b)] = i
    names = [s[0] for s in SEGMENTS] + ["others"]
    found = np.flatnonzero(np.bincount(segment, minlength=len(names))).tolist()
    sizes, money, freq = [], [], []
    for i in found:
        mine = segment == i
        sizes.append(int(mine.sum()))
        money.append(float(scores["monetary"][mine].sum()) / sizes[-1])
        freq.append(float(scores["frequency"][mine].sum()) / sizes[-1])
    rows = list(
        zip(
            [names[i] for i in found],
            sizes,
            duckdb_round(r, money),
            duckdb_round(r, freq, 2),
            strict=True,
        )
    )
    rows.sort(key=lambda row: (-row[1], row[0]))
    return {
        "customers": sum(row[1] for row in rows),
        "segments": [
            {"segment": s, "customers": n, "avg_monetary": money, "avg_frequency": freq}
            for s, n, money, freq in rows
        ],
    }


# --- churn -----------------------------------------------------------------------------


def churn(
    ev: Events, local: np.ndarray, day: np.ndarray, spec: RetentionSpec
) -> dict[str, np.ndarray]:
    """Per customer with an action of their own: days since, mean gap, risk, reason.

    One compiled pass (``retention_kernel``) where this process has it loaded (the server),
    else NumPy; the two are held equal by tests/analytics/test_retention_kernel.py."""
    kernel = _kernel("churn_pass")
    if kernel is not None and len(ev.owner):
        found = _churn_compiled(kernel, ev, local, day, spec)
        if found is not None:
            return found
    return churn_numpy(ev, local, day, spec)


def _kernel(name: str) -> Any:
    """A compiled pass of ``retention_kernel`` when this process has loaded it (never
    compiled here): the server does, a short CLI process keeps to NumPy."""
    return loaded_kernel("journeyscope.analytics.retention_kernel", name)


def load_retention_kernel() -> None:
    """Load the compiled churn and cohort passes (a server does, on a thread, as it
    starts)."""
    from journeyscope.analytics import retention_kernel

    # never compile behind the user's back: each pass only if it is in numba's cache
    if in_cache(retention_kernel.churn_pass):
        retention_kernel.warm_churn()
    if in_cache(retention_kernel.cohort_pass):
        retention_kernel.warm_cohorts()


def _churn_compiled(
    kernel: Any, ev: Events, local: np.ndarray, day: np.ndarray, spec: RetentionSpec
) -> dict[str, np.ndarray] | None:
    passive = ev.of_names(list(spec.passive), ev.event)
    contact = ev.of_names(list(spec.contacts or (spec.support,)), ev.event)
    from journeyscope.compiled import frozen

    acted, gap_sum, gap_n, last_row, last_active, bad, unresolved, ascending = kernel(
        frozen(ev.owner, np.int64),
        frozen(~passive, np.bool_),
        frozen(day, np.int64),
        frozen(local, np.int64),
        frozen(ev.rated & (ev.rating <= 2), np.bool_),
        frozen(contact, np.bool_),
        frozen(ev.us, np.int64),
        int(ev.owner[-1]) + 1,
    )
    if not ascending:  # a clock set back across midnight: NumPy sorts the days
        return None
    who = np.flatnonzero(acted)
    if not len(who):
        return {"owner": who}
    gaps = int(gap_n.sum())
    prior = float(int(gap_sum.sum())) / gaps if gaps else 30.0
    mean_gap = (gap_sum[who].astype(np.float64) + 2 * prior) / (gap_n[who] + 2)
    days_since = int(day.max()) - np.floor_divide(last_active[who], DAY)
    gap_days = np.maximum(mean_gap, 1)
    return {
        "owner": who,
        "last_tp": ev.tp[last_row[who]],
        "days_since": days_since,
        "mean_gap": gap_days,
        "risk": 1 - np.exp(-days_since / gap_days),
        "bad": bad[who],
        "unresolved": unresolved[who],
    }


def churn_numpy(
    ev: Events, local: np.ndarray, day: np.ndarray, spec: RetentionSpec
) -> dict[str, np.ndarray]:
    """:func:`churn` in NumPy."""
    passive = ev.of_names(list(spec.passive), ev.event)
    acts = np.flatnonzero(~passive)
    if not len(acts):
        return {"owner": acts}
    starts, who = _segments(ev.owner, acts)
    # distinct active days per customer, in order; gaps between them
    width = int(day.max()) - int(day.min()) + 1
    lo = int(day.min())
    days = distinct(ev.owner[acts] * width + (day[acts] - lo))
    d_owner, d_day = days // width, days % width
    same = d_owner[1:] == d_owner[:-1]
    gap = (d_day[1:] - d_day[:-1])[same]
    gap_owner = d_owner[1:][same]
    prior = float(int(gap.sum())) / len(gap) if len(gap) else 30.0
    n_owner = int(ev.owner[-1]) + 1
    gap_sum = np.bincount(gap_owner, weights=gap, minlength=n_owner)
    gap_n = np.bincount(gap_owner, minlength=n_owner)
    mean_gap = (gap_sum[who] + 2 * prior) / (gap_n[who] + 2)
    last_row = acts[np.append(starts[1:], len(acts)) - 1]  # the last action: (ts, seq) max
    last_active = np.maximum.reduceat(local[acts], starts)
    last_day = np.floor_divide(last_active, DAY)
    days_since = int(day.max()) - last_day  # the last local day of the data
    # a bad review in the last 30 active days (any row of theirs, rated 2 or less)
    bad_rows = np.flatnonzero(ev.rated & (ev.rating <= 2))
    last_day_of = np.full(n_owner, np.iinfo(np.int64).min, np.int64)
    last_day_of[who] = last_day
    near = last_day_of[ev.owner[bad_rows]] - day[bad_rows] <= 30
    has_last = last_day_of[ev.owner[bad_rows]] != np.iinfo(np.int64).min
    bad = np.zeros(n_owner, np.bool_)
    bad[ev.owner[bad_rows][near & has_last]] = True
    # two contacts with service within 7 days
    contacts = np.flatnonzero(ev.of_names(list(spec.contacts or (spec.support,)), ev.event))
    secs = ev.us[contacts] / 1e6
    close = (ev.owner[contacts][1:] == ev.owner[contacts][:-1]) & (
        secs[1:] - secs[:-1] <= 7 * 86400
    )
    unresolved = np.zeros(n_owner, np.bool_)
    unresolved[ev.owner[contacts][1:][close]] = True
    gap_days = np.maximum(mean_gap, 1)
    risk = 1 - np.exp(-days_since / gap_days)
    return {
        "owner": who,
        "last_tp": ev.tp[last_row],
        "days_since": days_since,
        "mean_gap": gap_days,
        "risk": risk,
        "bad": bad[who],
        "unresolved": unresolved[who],
    }


def churn_summary(
    r: Runner,
    ev: Events,
    customer: np.ndarray,
    scored: dict[str, np.ndarray],
    spec: RetentionSpec,
) -> dict[str, Any]:
    """Customers scored, at risk, reasons, last touchpoints and the riskiest few (with
    who they are), as the SQL form's summary."""
    from journeyscope.analytics.contacts import CONTACT_COLUMNS, contacts_sql

    who = scored["owner"]
    if not len(who):
        return _churn_dict(0, 0, spec, {}, {}, [])
    at_risk = scored["risk"] >= spec.threshold
    reason = np.where(scored["bad"], 0, np.where(scored["unresolved"], 1, 2))
    reasons: dict[str, int] = {}
    for code, name in ((0, "bad_review"), (1, "unresolved_support"), (2, "last_touchpoint")):
        k = int((at_risk & (reason == code)).sum())
        if k:
            reasons[name] = k
    by_tp = np.bincount(scored["last_tp"][at_risk & (reason == 2)], minlength=len(ev.tp_names))
    tps = sorted(((-int(n), ev.tp_names[t]) for t, n in enumerate(by_tp.tolist()) if n))[:10]
    ids = customer[who]
    chosen = _riskiest(np.flatnonzero(at_risk), scored["risk"], int(spec.top))
    order = np.lexsort((ids[chosen], -scored["days_since"][chosen], -scored["risk"][chosen]))
    top = chosen[order][: int(spec.top)]
    contact = _contacts(r, [int(ids[i]) for i in top.tolist()], contacts_sql)
    gaps = duckdb_round(r, [float(scored["mean_gap"][i]) for i in top.tolist()], 1)
    risks = duckdb_round(r, [float(scored["risk"][i]) for i in top.tolist()], 4)
    rows = []
    for n, i in enumerate(top.tolist()):
        why = (
            ("bad_review", "unresolved_support")[reason[i]]
            if reason[i] < 2
            else ("last_touchpoint:" + ev.tp_names[int(scored["last_tp"][i])])
        )
        rows.append(
            {
                "customer_id": int(ids[i]),
                "days_since": int(scored["days_since"][i]),
                "mean_gap_days": gaps[n],
                "risk": risks[n],
                "reason": why,
                **dict(
                    zip(
                        CONTACT_COLUMNS,
                        contact.get(int(ids[i]), (None,) * len(CONTACT_COLUMNS)),
                        strict=True,
                    )
                ),
            }
        )
    sorted_reasons = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    return _churn_dict(
        len(who), int(at_risk.sum()), spec, sorted_reasons, {t: -n for n, t in tps}, rows
    )


def _riskiest(chosen: np.ndarray, risk: np.ndarray, k: int) -> np.ndarray:
    """Of ``chosen``, those that can be among the ``k`` riskiest: at least as risky as
    the k-th riskiest (ties kept, for the full order to decide), so only they are sorted."""
    if k <= 0:
        return chosen[:0]
    if len(chosen) <= k:
        return chosen
    mine = risk[chosen]
    kth = np.partition(mine, len(mine) - k)[len(mine) - k]
    out: np.ndarray = chosen[mine >= kth]
    return out


def _contacts(r: Runner, ids: list[int], contacts_sql: Any) -> dict[int, tuple[Any, ...]]:
    if not ids:
        return {}
    from journeyscope.analytics.contacts import contact_columns

    q = r.sql()
    # only these customers' identifiers are grouped (not every customer's, then filtered)
    mine = f"""(SELECT * FROM {r.identities()}
        WHERE customer_id IN ({", ".join(q.bind(i) for i in ids)}))"""
    found = r.rows(
        f"SELECT n.customer_id, {contact_columns('n')} FROM ({contacts_sql(q, mine)}) n", q
    )
    return {int(row[0]): tuple(row[1:]) for row in found}


def _churn_dict(
    total: int,
    at_risk: int,
    spec: RetentionSpec,
    reasons: dict[str, int],
    tps: dict[str, int],
    top: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "customers": total,
        "at_risk": at_risk,
        "threshold": spec.threshold,
        "reasons": reasons,
        "last_touchpoints": tps,
        "top": top,
    }
