"""Retention's compiled passes: one walk over each customer's rows for churn, one for cohorts.

``retention_arrays.churn`` computes, per customer with an action of their own: the gaps
between their distinct active days, their last action row and last active local time, a
bad review (rated 2 or less) within 30 days of that, and two service contacts within 7
days. In NumPy that is a dozen passes over the 10 M rows (half a second); here it is one.
The cohorts' NumPy form builds a key per row, finds the distinct (customer, cohort,
offset) keys and counts them: ten passes over the rows (0.3 s); here it is one. The NumPy
versions stay: a short CLI process uses them rather than pay numba's import, and
``tests/analytics/test_retention_kernel.py`` holds the two forms equal.

Rows come in journey order (customer, then time), as the scan keeps them. A customer's
active local days are expected to ascend with time; where they do not (a clock set back
across midnight), the pass says so and the caller uses NumPy, which sorts them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from journeyscope.compiled import frozen

NEG = np.iinfo(np.int64).min
DAY_US = 86_400_000_000
CONTACT_SECONDS = 7 * 86400
#: an event code meaning "any event" (a missing name is -1)
ANY = -2


@njit(cache=True, nogil=True)
def churn_pass(owner, act, day, local, bad_row, contact, us, n_owner):  # type: ignore[no-untyped-def]
    """Per customer (index = owner): whether they acted, the sum and number of gaps between
    their distinct active days, their last action row, their last active local time (µs),
    a bad review within 30 days of their last active day, two contacts within 7 days; and
    whether every customer's active days ascended (False: use NumPy)."""
    acted = np.zeros(n_owner, np.bool_)
    gap_sum = np.zeros(n_owner, np.int64)
    gap_n = np.zeros(n_owner, np.int64)
    last_row = np.full(n_owner, -1, np.int64)
    last_active = np.full(n_owner, NEG, np.int64)
    bad = np.zeros(n_owner, np.bool_)
    unresolved = np.zeros(n_owner, np.bool_)
    n = owner.shape[0]
    i = 0
    while i < n:
        o = owner[i]
        j = i
        while j < n and owner[j] == o:
            j += 1
        prev_day = NEG
        prev_secs = 0.0
        seen_contact = False
        for r in range(i, j):
            if act[r]:
                acted[o] = True
                last_row[o] = r
                last_active[o] = max(last_active[o], local[r])
                d = day[r]
                if prev_day != NEG:
                    if d < prev_day:
                        return acted, gap_sum, gap_n, last_row, last_active, bad, unresolved, False
                    if d > prev_day:
                        gap_sum[o] += d - prev_day
                        gap_n[o] += 1
                prev_day = d
            if contact[r]:
                secs = us[r] / 1e6
                if seen_contact and secs - prev_secs <= CONTACT_SECONDS:
                    unresolved[o] = True
                prev_secs = secs
                seen_contact = True
        if acted[o]:
            last_day = last_active[o] // DAY_US
            for r in range(i, j):
                if bad_row[r] and last_day - day[r] <= 30:
                    bad[o] = True
                    break
        i = j
    return acted, gap_sum, gap_n, last_row, last_active, bad, unresolved, True


@njit(cache=True, nogil=True)
def cohort_pass(owner, day, event, cohort_code, return_code, lut, day_lo, span):  # type: ignore[no-untyped-def]
    """Per cohort period (index: period - the first period seen, ``lut`` giving each local
    day's period number from ``day_lo`` on, counted from that first period): how many
    customers it holds, and how many of them are active ``k`` periods later, each
    customer counted once per ``k``. A customer's cohort is the period of their first
    ``cohort_code`` event, their activity their ``return_code`` events (code ``ANY``:
    every event) in that period or after."""
    counts = np.zeros((span, span), np.int64)
    sizes = np.zeros(span, np.int64)
    seen = np.full(span, -1, np.int64)  # per offset k: the last customer counted there
    n = owner.shape[0]
    i = 0
    while i < n:
        o = owner[i]
        j = i
        cohort = span
        while j < n and owner[j] == o:
            if cohort_code == ANY or event[j] == cohort_code:
                cohort = min(cohort, lut[day[j] - day_lo])
            j += 1
        if cohort < span:
            sizes[cohort] += 1
            for r in range(i, j):
                if return_code == ANY or event[r] == return_code:
                    k = lut[day[r] - day_lo] - cohort
                    if k >= 0 and seen[k] != o:
                        seen[k] = o
                        counts[cohort, k] += 1
        i = j
    return counts, sizes


def warm_churn() -> None:
    """Compile (or load) the churn pass now, on a tiny input."""
    one = frozen(np.zeros(1), np.int64)
    yes = frozen(np.ones(1), np.bool_)
    no = frozen(np.zeros(1), np.bool_)
    churn_pass(one, yes, one, one, no, no, one, 1)


def warm_cohorts() -> None:
    """Compile (or load) the cohort pass now, on a tiny input."""
    one = frozen(np.zeros(1), np.int64)
    cohort_pass(one, one, frozen(np.zeros(1), np.int32), ANY, ANY, one, 0, 1)


def warm() -> None:
    """Compile (or load) the kernels now: ``python -m ...retention_kernel``."""
    warm_churn()
    warm_cohorts()


if __name__ == "__main__":
    warm()
