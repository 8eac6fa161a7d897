"""The tests behind a finding: two proportions, counts against a seasonal baseline, and
the false-discovery control over everything one scan looks at.

A scan tests thousands of (metric, slice, period) cells; at 5 % each, hundreds would be
"significant" by chance. Every candidate's p-value therefore goes through
Benjamini–Hochberg at the sensitivity's rate, and a finding also needs an effect a person
would act on (a minimum change and a minimum number of customers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = [
    "SENSITIVITIES",
    "Sensitivity",
    "WindowTest",
    "benjamini_hochberg",
    "best_window",
    "count_tail",
    "two_proportions",
]


@dataclass(frozen=True)
class Sensitivity:
    """How readily a change is reported."""

    name: str
    fdr: float  # the share of false findings tolerated among those reported
    min_change: float  # a rate must move at least this much (absolute, 0.05 = 5 points)
    min_relative: float  # … and this much relative to its baseline
    min_customers: int  # a finding affects at least this many customers
    spike_ratio: float  # a count must be this many times its expected value


SENSITIVITIES = {
    "low": Sensitivity("low", 0.001, 0.08, 0.3, 20, 3.5),
    "medium": Sensitivity("medium", 0.01, 0.05, 0.2, 10, 2.5),
    "high": Sensitivity("high", 0.05, 0.03, 0.1, 5, 1.8),
}


def two_proportions(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float, float]:
    """``p2 - p1``, its 95 % confidence interval (Newcombe's hybrid score interval) and the
    two-sided p-value of the pooled z-test."""
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan, math.nan, 1.0
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = 1.0 if se == 0 else float(2 * _normal_sf(abs(p2 - p1) / se))
    l1, u1 = _wilson(k1, n1)
    l2, u2 = _wilson(k2, n2)
    diff = p2 - p1
    low = diff - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = diff + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return diff, low, high, p


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@dataclass(frozen=True)
class WindowTest:
    """The most different run of periods in a series of rates, against the other periods."""

    start: int
    stop: int  # exclusive
    p: float  # two-sided, Bonferroni-adjusted for the windows tried
    rate_in: float
    rate_out: float
    n_in: int


def best_window(
    n: np.ndarray, k: np.ndarray, usable: np.ndarray, longest: int, min_n: int
) -> WindowTest | None:
    """Over every run of 1 … ``longest`` consecutive usable periods, the one whose rate
    differs most from the rest's (pooled z). Periods that are not ``usable`` (too few
    customers, seasonal, censored) neither form a window nor join the baseline."""
    n = np.where(usable, n, 0).astype(np.float64)
    k = np.where(usable, k, 0).astype(np.float64)
    total_n, total_k = n.sum(), k.sum()
    if total_n <= 0:
        return None
    cn = np.concatenate([[0.0], np.cumsum(n)])
    ck = np.concatenate([[0.0], np.cumsum(k)])
    best: tuple[float, int, int] | None = None
    tried = 0
    for length in range(1, longest + 1):
        starts = np.arange(0, len(n) - length + 1)
        if not len(starts):
            break
        n_in = cn[starts + length] - cn[starts]
        k_in = ck[starts + length] - ck[starts]
        n_out, k_out = total_n - n_in, total_k - k_in
        ok = (n_in >= min_n) & (n_out >= min_n)
        ok &= usable[starts] & usable[starts + length - 1]
        tried += int(ok.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            pooled = (k_in + k_out) / (n_in + n_out)
            se = np.sqrt(pooled * (1 - pooled) * (1 / n_in + 1 / n_out))
            z = np.where(ok & (se > 0), (k_in / n_in - k_out / n_out) / se, 0.0)
        i = int(np.argmax(np.abs(z)))
        if ok[i] and (best is None or abs(z[i]) > abs(best[0])):
            best = (float(z[i]), int(starts[i]), int(starts[i] + length))
    if best is None:
        return None
    best_z, a, b = best
    n_in = float(cn[b] - cn[a])
    k_in = float(ck[b] - ck[a])
    p = min(1.0, float(2 * _normal_sf(abs(best_z))) * max(tried, 1))
    return WindowTest(a, b, p, k_in / n_in, (total_k - k_in) / (total_n - n_in), int(n_in))


def _normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal (scipy.special: the stats module takes seconds to
    import, and a command that prints help must not pay for it)."""
    return float(0.5 * special.erfc(z / math.sqrt(2)))


def count_tail(observed: np.ndarray, expected: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """P(X >= observed) for counts with mean ``expected`` and variance ``dispersion`` ×
    mean (negative binomial; Poisson where the dispersion is 1), element by element."""
    mean = np.maximum(np.asarray(expected, np.float64), 0.05)
    phi = np.broadcast_to(np.asarray(dispersion, np.float64), mean.shape)
    obs = np.asarray(observed, np.float64)
    positive = np.maximum(obs, 1.0)
    # P(X >= k) = P(k, mean) for a Poisson (the regularised lower incomplete gamma)
    poisson = special.gammainc(positive, mean)
    # negative binomial of size r = mean / (dispersion - 1): P(X >= k) = I_{1-p}(k, r)
    over = phi > 1.0001
    r = mean / np.where(over, phi - 1, 1.0)
    negbin = special.betainc(positive, r, mean / (r + mean))
    tail = np.where(over, negbin, poisson)
    return np.asarray(np.where(obs <= 0, 1.0, tail))


def benjamini_hochberg(p: np.ndarray, rate: float) -> np.ndarray:
    """Which of the p-values are discoveries at false-discovery ``rate``: the largest k
    with p_(k) <= k/m × rate, and every p-value up to it."""
    p = np.clip(np.asarray(p, np.float64), 0, 1)
    m = len(p)
    if not m:
        return np.zeros(0, bool)
    order = np.argsort(p, kind="stable")
    below = p[order] <= rate * np.arange(1, m + 1) / m
    found = np.zeros(m, bool)
    if below.any():
        found[order[: int(np.flatnonzero(below).max()) + 1]] = True
    return found
