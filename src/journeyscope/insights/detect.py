"""From the scan's daily counts to candidate changes: rates that moved for a run of weeks,
counts that spiked against their seasonal baseline, cohorts that kept worse.

Seasonal days (the calendar) never form a candidate and never join a baseline; a count's
baseline is the median of the surrounding weeks (a trend does not look like a spike) times
the weekday's usual share (Sundays do not look like spikes either).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from journeyscope.insights.scan import COHORT, LOOP, NEW, PAIR, VOLUME
from journeyscope.insights.stats import (
    Sensitivity,
    benjamini_hochberg,
    best_window,
    count_tail,
    two_proportions,
)

__all__ = ["Candidate", "Series", "detect"]

#: Rates: the longest run of weeks one change may span, and the fewest customer-days a
#: week needs to count
LONGEST_WEEKS = 6
MIN_WEEK = 3
MIN_WINDOW = 30
#: Counts: the baseline is the trimmed mean of ±BASELINE_DAYS, leaving out ±GUARD_DAYS
BASELINE_DAYS = 14
GUARD_DAYS = 3
MIN_BASELINE = 7
#: Series whose baselines are built at once (memory: CHUNK × days × 29 numbers)
CHUNK = 512


@dataclass
class Series:
    """One (kind, what, slice) count per day."""

    kind: int
    a: int
    g: int
    val: int
    n: np.ndarray
    k: np.ndarray


@dataclass
class Candidate:
    """A change before the false-discovery control and the evidence are added."""

    kind: str  # conversion, loop, spike, new_event, spike_not_converting, cohort
    series: Series
    first: int  # day index, inclusive
    last: int  # day index, inclusive
    p: float
    direction: int  # +1 rose, -1 fell
    affected: int
    rate_during: float | None = None
    rate_baseline: float | None = None
    n_during: int = 0
    expected: float | None = None
    observed: float | None = None
    z: float = 0.0
    #: large enough to act on (the false-discovery control counts every test, these or not)
    effect_ok: bool = True


def series_of(counts: dict[str, np.ndarray], days: int) -> list[Series]:
    keys = np.stack([counts[c] for c in ("kind", "a", "g", "val")], axis=1)
    if not len(keys):
        return []
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = np.zeros((len(uniq), days), np.int64)
    k = np.zeros((len(uniq), days), np.int64)
    np.add.at(n, (inverse, counts["day"]), counts["n"])
    np.add.at(k, (inverse, counts["day"]), counts["k"])
    return [
        Series(int(u[0]), int(u[1]), int(u[2]), int(u[3]), n[i], k[i]) for i, u in enumerate(uniq)
    ]


def detect(
    series: list[Series],
    first_day: date,
    seasonal: np.ndarray,
    censor: dict[tuple[int, int], int],
    repeat_days: int,
    s: Sensitivity,
    passive: frozenset[int] = frozenset(),
    aftermath: np.ndarray | None = None,
) -> list[Candidate]:
    """Every candidate change that passes the false-discovery control and the sensitivity's
    minimum effect. ``censor[(kind, a)]``: days at the end whose outcome is not known yet."""
    days = len(seasonal)
    week = (np.arange(days) + first_day.weekday()) // 7
    found: list[Candidate] = []
    for sr in series:
        if sr.kind in (PAIR, LOOP):
            c = _rate(sr, week, seasonal, censor.get((sr.kind, sr.a), 0), s)
            found += [c] if c else []
        elif sr.kind == COHORT:
            c = _cohort(sr, first_day, seasonal, repeat_days, s)
            found += [c] if c else []
    if found:
        keep = benjamini_hochberg(np.array([c.p for c in found]), s.fdr)
        found = [c for c, ok in zip(found, keep, strict=True) if ok and c.effect_ok]
    counted = [sr for sr in series if sr.kind in (VOLUME, NEW)]
    spikes = _spikes(
        [sr for sr in counted if sr.a not in passive or sr.kind != VOLUME], seasonal, first_day, s
    )
    if passive:
        # what a business sends after a sale (deliveries, messages) follows the sale
        after = seasonal | (aftermath if aftermath is not None else False)
        spikes += _spikes(
            [sr for sr in counted if sr.a in passive and sr.kind == VOLUME], after, first_day, s
        )
    return (
        found
        + spikes
        + _new_events([sr for sr in counted if sr.kind == VOLUME], spikes, s, seasonal)
    )


def _new_events(
    series: list[Series], spikes: list[Candidate], s: Sensitivity, seasonal: np.ndarray
) -> list[Candidate]:
    """Events never seen in the first weeks that appear for many customers: an error
    that did not exist, a new touchpoint. Its period runs while it keeps appearing."""
    told = {(c.series.a, c.series.g, c.series.val) for c in spikes if c.kind == "new_event"}
    out = []
    for sr in series:
        days = np.flatnonzero(sr.n)
        if not len(days) or (sr.a, sr.g, sr.val) in told:
            continue
        first = int(days[0])
        if first < BASELINE_DAYS or seasonal[first]:
            continue  # no history to be new against, or launched for a sale or a holiday
        run = days[days <= first + 6]
        last = int(run[-1])
        # keep going while it goes on (gaps of at most two days)
        for d in days[len(run) :]:
            if d - last > 2:
                break
            last = int(d)
        total = int(sr.n[first : last + 1].sum())
        if total < s.min_customers:
            continue
        # before it appeared: none in ``first`` days; expect at most half a customer a week
        expected = 0.5 * (last - first + 1) / 7
        p = float(count_tail(np.array([total]), np.array([expected]), np.array([1.0]))[0])
        out.append(
            Candidate(
                kind="new_event",
                series=sr,
                first=first,
                last=last,
                p=p,
                direction=1,
                affected=total,
                observed=float(total),
                expected=expected,
                n_during=total,
            )
        )
    return out


def _effect_ok(during: float, base: float, s: Sensitivity) -> bool:
    change = abs(during - base)
    return change >= s.min_change and change >= s.min_relative * max(base, 1e-9)


def _rate(
    sr: Series, week: np.ndarray, seasonal: np.ndarray, censored: int, s: Sensitivity
) -> Candidate | None:
    usable_day = ~seasonal
    if censored:
        usable_day[len(usable_day) - censored :] = False
    weeks = int(week[-1]) + 1
    n = np.bincount(week[usable_day], sr.n[usable_day], weeks)
    k = np.bincount(week[usable_day], sr.k[usable_day], weeks)
    usable = n >= MIN_WEEK
    if usable.sum() < 4:
        return None
    test = best_window(n, k, usable, LONGEST_WEEKS, max(MIN_WINDOW, s.min_customers))
    if test is None:
        return None
    start, stop = _trimmed(n, k, usable, test)
    in_weeks = np.arange(start, stop)
    days_in = np.flatnonzero(np.isin(week, in_weeks) & usable_day)
    return _rate_change("conversion" if sr.kind == PAIR else "loop", sr, days_in, test, s)


def _rate_change(
    kind: str, sr: Series, days_in: np.ndarray, test: Any, s: Sensitivity
) -> Candidate:
    """A run of periods whose rate differs from the others', as a candidate."""
    return Candidate(
        kind=kind,
        series=sr,
        first=int(days_in[0]),
        last=int(days_in[-1]),
        p=test.p,
        direction=1 if test.rate_in > test.rate_out else -1,
        affected=round(test.n_in * abs(test.rate_in - test.rate_out)),
        rate_during=test.rate_in,
        rate_baseline=test.rate_out,
        n_during=test.n_in,
        effect_ok=_effect_ok(test.rate_in, test.rate_out, s),
    )


def _trimmed(n: np.ndarray, k: np.ndarray, usable: np.ndarray, test: Any) -> tuple[int, int]:
    """The run of weeks without edge weeks that do not show the change (a week with little
    data, or a rate nearer the baseline than the run's): the period is when it happened."""
    start, stop = test.start, test.stop
    middle = (test.rate_in + test.rate_out) / 2

    def shows(i: int) -> bool:
        if not usable[i] or not n[i]:
            return False
        rate = float(k[i] / n[i])
        return bool(rate < middle) if test.rate_in < test.rate_out else bool(rate > middle)

    while stop - start > 1 and not shows(start):
        start += 1
    while stop - start > 1 and not shows(stop - 1):
        stop -= 1
    return start, stop


def _cohort(
    sr: Series, first_day: date, seasonal: np.ndarray, repeat_days: int, s: Sensitivity
) -> Candidate | None:
    """Monthly cohorts of first buyers (weekly when the data spans under four months);
    a cohort counts once all of it has had the whole repeat window."""
    days = len(seasonal)
    dates = [first_day + timedelta(days=i) for i in range(days)]
    monthly = days >= 120
    period = np.array(
        [
            (d.year * 12 + d.month) if monthly else (d - timedelta(days=d.weekday())).toordinal()
            for d in dates
        ]
    )
    labels, index = np.unique(period, return_inverse=True)
    last_day = np.array([np.flatnonzero(index == i).max() for i in range(len(labels))])
    complete = last_day + repeat_days < days
    use = ~seasonal
    n = np.bincount(index[use], sr.n[use], len(labels))
    k = np.bincount(index[use], sr.k[use], len(labels))
    usable = complete & (n >= MIN_WEEK)
    if usable.sum() < 3:
        return None
    test = best_window(n, k, usable, 1, max(MIN_WINDOW, s.min_customers))
    if test is None:
        return None
    return _rate_change("cohort", sr, np.flatnonzero(index == test.start), test, s)


def expected_counts(
    c: np.ndarray, seasonal: np.ndarray, first_day: date
) -> tuple[np.ndarray, np.ndarray]:
    """Each day's expected count (NaN where the baseline is too thin) for a matrix of
    series × days: the weekday's share times the trimmed mean of the surrounding weeks."""
    days = c.shape[1]
    weekday = (np.arange(days) + first_day.weekday()) % 7
    normal = ~seasonal
    base = np.where(normal, c, np.nan).astype(np.float64)
    factor = np.ones((c.shape[0], 7))
    # a scan of seasonal days only has no ordinary day: means of nothing stay NaN, quietly
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = np.nanmean(base, axis=1, keepdims=True)
        for wd in range(7):
            cols = (weekday == wd) & normal
            if cols.any():
                with np.errstate(invalid="ignore", divide="ignore"):
                    factor[:, wd] = np.nanmean(base[:, cols], axis=1) / overall[:, 0]
    factor = np.clip(np.nan_to_num(factor, nan=1.0), 0.2, 5.0)
    adjusted = base / factor[:, weekday]
    pad = np.full((c.shape[0], BASELINE_DAYS), np.nan)
    padded = np.concatenate([pad, adjusted, pad], axis=1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * BASELINE_DAYS + 1, axis=1)
    windows = windows.copy()
    windows[:, :, BASELINE_DAYS - GUARD_DAYS : BASELINE_DAYS + GUARD_DAYS + 1] = np.nan
    valid = (~np.isnan(windows)).sum(axis=2)
    enough = valid >= MIN_BASELINE
    # a trimmed mean (the two highest days left out): steadier than a median of small
    # counts, and another spike nearby does not lift it
    ordered = np.sort(windows, axis=2)  # NaN last
    keep = np.arange(ordered.shape[2])[None, None, :] < (valid - 2)[:, :, None]
    total = np.where(keep, np.nan_to_num(ordered), 0.0).sum(axis=2)
    level = total / np.maximum(valid - 2, 1)
    expected = np.where(enough, level * factor[:, weekday], np.nan)
    return expected, factor


def _spikes(
    series: list[Series], seasonal: np.ndarray, first_day: date, s: Sensitivity
) -> list[Candidate]:
    """Days whose count is far above its expected value, joined into runs."""
    worth = [sr for sr in series if sr.n.max(initial=0) >= s.min_customers]
    if not worth:
        return []
    c = np.stack([sr.n for sr in worth]).astype(np.float64)
    # in chunks of series: the baseline windows are series × days × 29 numbers
    expected = np.concatenate(
        [expected_counts(c[i : i + CHUNK], seasonal, first_day)[0] for i in range(0, len(c), CHUNK)]
    )
    testable = ~np.isnan(expected) & ~seasonal[None, :]
    # new customers at the start of the data are everyone seen first: no spike there
    warm = np.array([sr.kind == NEW for sr in worth])
    testable[warm, :BASELINE_DAYS] = False
    e = np.where(testable, np.maximum(expected, 0.5), 1.0)
    ratio = (c - e) ** 2 / e
    dispersion = np.array(
        [
            np.clip(np.median(row[t]) / 0.455, 1.0, 25.0) if t.any() else 1.0
            for row, t in zip(ratio, testable, strict=True)
        ]
    )
    p = np.ones_like(c)
    p[testable] = count_tail(
        c[testable], e[testable], np.broadcast_to(dispersion[:, None], c.shape)[testable]
    )
    # a day is one of tens of thousands tested: Bonferroni over every day of every series
    # (false-discovery control let lulls and busy days of a drifting series through)
    discovered = testable & (p <= s.fdr / max(int(testable.sum()), 1))
    candidate = discovered & (c >= s.spike_ratio * e) & (c - e >= s.min_customers)
    cells = np.argwhere(candidate)
    if not len(cells):
        return []
    p = p[candidate]
    keep = np.ones(len(cells), bool)
    flagged: dict[int, list[tuple[int, float]]] = {}
    for (i, d), pv, ok in zip(cells, p, keep, strict=True):
        if ok:
            flagged.setdefault(int(i), []).append((int(d), float(pv)))
    out = []
    for i, hits in flagged.items():
        for run in _runs(hits):
            first, last = run[0][0], run[-1][0]
            sr = worth[i]
            # the run's days that were tested (a seasonal day inside it is not counted)
            days = testable[i, first : last + 1]
            obs = float(c[i, first : last + 1][days].sum())
            exp = float(e[i, first : last + 1][days].sum())
            new = sr.kind == VOLUME and sr.n[:first].sum() == 0 and first >= BASELINE_DAYS
            out.append(
                Candidate(
                    kind="new_event"
                    if new
                    else ("spike" if sr.kind == VOLUME else "new_customers"),
                    series=sr,
                    first=first,
                    last=last,
                    p=min(pv for _, pv in run),
                    direction=1,
                    affected=round(obs - exp),
                    observed=obs,
                    expected=exp,
                    n_during=int(obs),
                )
            )
    return out


def _runs(hits: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    hits = sorted(hits)
    runs: list[list[tuple[int, float]]] = [[hits[0]]]
    for d, p in hits[1:]:
        if d - runs[-1][-1][0] <= 2:
            runs[-1].append((d, p))
        else:
            runs.append([(d, p)])
    return runs


def not_converting(
    cand: Candidate, seasonal: np.ndarray, s: Sensitivity, censored: int = 0
) -> Candidate | None:
    """A spike of new customers whose conversion is clearly below the slice's usual: the
    traffic came but did not buy. The last ``censored`` days, whose customers have not
    had the whole conversion window yet, count on neither side."""
    sr = cand.series
    known = np.ones(len(sr.n), bool)
    if censored:
        known[len(sr.n) - censored :] = False
    inside = np.zeros(len(sr.n), bool)
    inside[cand.first : cand.last + 1] = True
    inside &= known
    around = ~seasonal & ~inside & known
    k1, n1 = int(sr.k[around].sum()), int(sr.n[around].sum())
    k2, n2 = int(sr.k[inside].sum()), int(sr.n[inside].sum())
    diff, _, _, p = two_proportions(k1, n1, k2, n2)
    if not n1 or not n2 or diff > -s.min_change or p > s.fdr:
        return None
    return Candidate(
        kind="spike_not_converting",
        series=sr,
        first=cand.first,
        last=cand.last,
        p=p,
        direction=-1,
        affected=cand.affected,
        rate_during=k2 / n2,
        rate_baseline=k1 / n1,
        n_during=n2,
        observed=cand.observed,
        expected=cand.expected,
    )


__all__ += ["NEW", "expected_counts", "not_converting"]
