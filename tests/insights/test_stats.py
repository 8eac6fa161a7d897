"""The tests and the calendar behind insights, on cases with known answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy import stats

from journeyscope.insights.calendar import TET, expected_days
from journeyscope.insights.stats import (
    benjamini_hochberg,
    best_window,
    count_tail,
    two_proportions,
)


def test_newcombe_interval_matches_the_published_example() -> None:
    """Newcombe (1998), Table II example (b): 56/70 vs 48/80, hybrid score interval
    +0.0524 to +0.3339."""
    diff, low, high, p = two_proportions(48, 80, 56, 70)
    assert diff == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    pooled = (48 + 56) / 150
    z = 0.2 / np.sqrt(pooled * (1 - pooled) * (1 / 80 + 1 / 70))
    assert p == pytest.approx(2 * stats.norm.sf(z))


def test_best_window_finds_a_planted_run_and_pays_for_the_search() -> None:
    rng = np.random.default_rng(1)
    n = np.full(30, 200)
    rates = np.full(30, 0.5)
    rates[12:15] = 0.3
    k = rng.binomial(n, rates)
    test = best_window(n, k, np.ones(30, bool), 6, 30)
    assert test is not None and (test.start, test.stop) == (12, 15)
    assert test.rate_in < 0.35
    assert test.rate_out > 0.45
    flat = best_window(n, rng.binomial(n, 0.5), np.ones(30, bool), 6, 30)
    assert flat is not None and flat.p > 0.01  # the best of ~150 windows of noise


def test_unusable_periods_neither_form_a_window_nor_join_the_baseline() -> None:
    n = np.array([100] * 10)
    k = np.array([50] * 10)
    k[4] = 5  # a week that is not usable (say, Tết): not reported
    usable = np.ones(10, bool)
    usable[4] = False
    test = best_window(n, k, usable, 3, 30)
    assert test is None or test.p == 1.0 or 4 not in range(test.start, test.stop)


def test_count_tail_is_poisson_without_overdispersion_and_wider_with_it() -> None:
    obs, mean = np.array([12.0]), np.array([5.0])
    assert count_tail(obs, mean, np.array([1.0]))[0] == pytest.approx(stats.poisson.sf(11, 5))
    assert count_tail(obs, mean, np.array([3.0]))[0] > count_tail(obs, mean, np.array([1.0]))[0]


def test_benjamini_hochberg() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8


def test_calendar_knows_tet_and_the_sale_days() -> None:
    days = expected_days(date(2026, 1, 1), date(2026, 12, 31), {date(2026, 7, 15): "Sinh nhật"})
    assert TET[2026] == date(2026, 2, 17)
    assert days[date(2026, 2, 17)][0] == "Tết season"
    assert days[date(2026, 2, 1)][1] == "Mùa Tết"  # shopping before Tết
    assert days[date(2026, 11, 11)][0] == "11.11 double-day sale"
    assert date(2026, 11, 12) in days  # parcels and questions the day after
    assert days[date(2026, 11, 27)][0] == "Black Friday"
    assert days[date(2026, 7, 15)] == ("Sinh nhật", "Sinh nhật")
    assert date(2026, 7, 14) not in days
