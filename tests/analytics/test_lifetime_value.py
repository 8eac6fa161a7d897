"""BG/NBD and Gamma-Gamma: the published CDNOW fits, an independent numerical check of
P(alive) and expected purchases, recovery of simulated parameters, and invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize
from scipy.special import betaln, gammaln, hyp2f1

from journeyscope.analytics.lifetime_likelihood import (
    bgnbd_log_likelihood,
    gamma_gamma_log_likelihood,
)
from journeyscope.analytics.lifetime_value import (
    BgNbd,
    Fit,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
)

CDNOW = Path(__file__).parents[1] / "data" / "cdnow"


def _csv(name: str) -> np.ndarray:
    return np.genfromtxt(CDNOW / name, delimiter=",", names=True)


def _model(r: float, alpha: float, a: float, b: float) -> BgNbd:
    return BgNbd(r, alpha, a, b, Fit(0.0, 0, 0, True, 0))


# -- the published fits ------------------------------------------------------------------


def test_bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow() -> None:
    """Table/figure values of the paper: r=0.243, α=4.414, a=0.793, b=2.426, LL=−9582.4."""
    d = _csv("cdnow_customers_summary.csv")
    assert len(d) == 2357
    m = fit_bgnbd(d["frequency"], d["recency"], d["T"])
    assert (round(m.r, 3), round(m.alpha, 3), round(m.a, 3), round(m.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(m.fit.log_likelihood, 1) == -9582.4
    assert m.fit.converged and m.fit.customers == 2357


def test_gamma_gamma_reproduces_the_cdnow_spend_model() -> None:
    """Fader, Hardie & Lee (2005, "RFM and CLV"): p=6.25, q=3.74, γ=15.44 on the 946 repeat
    buyers; the shipped z̄ is rounded to cents, which gives γ=15.448 (within 0.01)."""
    d = _csv("cdnow_customers_summary_with_transactions.csv")
    gg = fit_gamma_gamma(d["x"], d["zbar"])
    assert gg.fit.customers == 946 and gg.fit.converged
    assert (round(gg.p, 2), round(gg.q, 2)) == (6.25, 3.74)
    assert gg.gamma == pytest.approx(15.44, abs=0.01)


def test_gamma_gamma_is_the_same_model_in_dong() -> None:
    """Spend in VND (×25,000) scales γ and nothing else; the log-likelihood moves by
    n·log(25,000) (the density of a scaled variable)."""
    d = _csv("cdnow_customers_summary_with_transactions.csv")
    usd = fit_gamma_gamma(d["x"], d["zbar"])
    vnd = fit_gamma_gamma(d["x"], d["zbar"] * 25_000)
    assert vnd.p == pytest.approx(usd.p, rel=1e-4)
    assert vnd.q == pytest.approx(usd.q, rel=1e-4)
    assert vnd.gamma == pytest.approx(usd.gamma * 25_000, rel=1e-4)
    shift = 946 * np.log(25_000)
    assert vnd.fit.log_likelihood == pytest.approx(usd.fit.log_likelihood - shift, abs=0.01)


def test_expected_spend_mixes_own_mean_and_everyones() -> None:
    d = _csv("cdnow_customers_summary_with_transactions.csv")
    gg = fit_gamma_gamma(d["x"], d["zbar"])
    assert gg.mean_spend is not None
    none, many = expected_spend(gg, [0, 10_000], [np.nan, 50.0])
    assert none == pytest.approx(gg.mean_spend)
    assert many == pytest.approx(50.0, rel=1e-3)  # many purchases: their own mean
    one = expected_spend(gg, [1], [50.0])[0]
    assert min(gg.mean_spend, 50.0) < one < max(gg.mean_spend, 50.0)


@pytest.mark.parametrize(
    "theta", [(0.3, 4.0, 0.8, 2.5), (1.3, 2.0, 2.8, 0.7)], ids=["near-cdnow", "far"]
)
def test_bgnbd_gradient_is_the_likelihoods_slope(theta: tuple[float, ...]) -> None:
    d = _csv("cdnow_customers_summary.csv")
    x, t_x, t = d["frequency"], d["recency"], d["T"]

    def total(log_params: np.ndarray) -> float:
        return float(bgnbd_log_likelihood(np.exp(log_params), x, t_x, t)[0].sum())

    log_params = np.log(theta)
    grad = bgnbd_log_likelihood(np.exp(log_params), x, t_x, t)[1].sum(axis=0)
    assert grad == pytest.approx(optimize.approx_fprime(log_params, total, 1e-7), rel=1e-5)


def test_gamma_gamma_gradient_is_the_likelihoods_slope() -> None:
    d = _csv("cdnow_customers_summary_with_transactions.csv")
    keep = d["x"] > 0
    x, mean = d["x"][keep], d["zbar"][keep]

    def total(log_params: np.ndarray) -> float:
        return float(gamma_gamma_log_likelihood(np.exp(log_params), x, mean)[0].sum())

    log_params = np.log([5.0, 3.0, 14.0])
    grad = gamma_gamma_log_likelihood(np.exp(log_params), x, mean)[1].sum(axis=0)
    assert grad == pytest.approx(optimize.approx_fprime(log_params, total, 1e-7), rel=1e-5)


# -- an independent implementation: the posterior integrated numerically ----------------


def _posterior_integrals(
    params: tuple[float, float, float, float], x: int, t_x: float, t: float, horizon: float
) -> tuple[float, float, float]:
    """∫∫ over λ and p of prior × likelihood: (all histories, alive at T, alive × expected
    purchases in the horizon). λ = v^(1/r) and p = u^(1/a) take the prior's singular
    factors λ^(r−1) and p^(a−1) into the measure (dv/r, du/a)."""
    r, alpha, a, b = params
    log_norm = r * np.log(alpha) - gammaln(r) - betaln(a, b) - np.log(r) - np.log(a)

    def parts(u: float, v: float) -> tuple[float, float]:
        lam, p = v ** (1 / r), u ** (1 / a)
        common = log_norm - alpha * lam + (b - 1) * np.log1p(-p) + x * np.log(lam)
        alive = np.exp(common + x * np.log1p(-p) - lam * t)
        gone = 0.0
        if x > 0:
            gone = np.exp(common + np.log(p) + (x - 1) * np.log1p(-p) - lam * t_x)
        return alive, gone

    def total(u: float, v: float) -> float:
        alive, gone = parts(u, v)
        return float(alive + gone)

    def alive_only(u: float, v: float) -> float:
        return float(parts(u, v)[0])

    def bought(u: float, v: float) -> float:
        lam, p = v ** (1 / r), u ** (1 / a)
        return float(parts(u, v)[0] * (1 - np.exp(-lam * p * horizon)) / p)

    # beyond (x + r + 40)/(α + t_x) the gamma kernel λ^(x+r−1) e^(−λ(α+t_x)) has no mass left
    # (a range much wider than the mass would let the adaptive rule step over the peak)
    top = float(((x + r + 40) / (alpha + t_x)) ** r)
    opts = {"epsabs": 1e-13, "epsrel": 1e-9}
    return tuple(integrate.dblquad(f, 0, top, 0, 1, **opts)[0] for f in (total, alive_only, bought))


@pytest.mark.parametrize(
    "params",
    [(0.243, 4.414, 0.793, 2.426), (1.3, 6.0, 2.2, 5.0), (0.6, 2.5, 1.4, 0.9)],
    ids=["cdnow", "a>1", "b<1"],
)
def test_p_alive_and_expected_purchases_match_numerical_integration(
    params: tuple[float, float, float, float],
) -> None:
    rng = np.random.default_rng(2005)
    m = _model(*params)
    horizon = 13.0
    for _ in range(4):
        t = float(rng.uniform(5, 60))
        x = int(rng.integers(0, 9))
        t_x = float(rng.uniform(0, t)) if x else 0.0
        total, alive, bought = _posterior_integrals(params, x, t_x, t, horizon)
        assert m.p_alive([x], [t_x], [t])[0] == pytest.approx(alive / total, rel=1e-5)
        want = bought / total
        assert m.expected_purchases(horizon, [x], [t_x], [t])[0] == pytest.approx(want, rel=1e-5)


def test_expected_purchases_stay_finite_for_heavy_buyers() -> None:
    """Euler's transformation keeps ₂F₁'s parameters small: equal to the paper's form
    (eq. 10) while that is computable, and finite where it overflows (x = 2,000)."""
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    m = _model(r, alpha, a, b)
    horizon, t = 52.0, 52.0
    z = horizon / (alpha + t + horizon)
    for x in (20, 100, 500):
        direct = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - ((alpha + t) / (alpha + t + horizon)) ** (r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1, z)
            )
        )
        got = m.expected_purchases(horizon, [x], [t], [t])[0]
        assert got == pytest.approx(direct * m.p_alive([x], [t], [t])[0], rel=1e-9)
    with np.errstate(invalid="ignore", over="ignore"):
        assert not np.isfinite(hyp2f1(r + 2000, b + 2000, a + b + 1999, z))
    heavy = m.expected_purchases(horizon, [2000], [t], [t])[0]
    assert np.isfinite(heavy) and 1000 < heavy < 2000


@pytest.mark.parametrize("x", [0, 3, 40, 500, 3000])
def test_expected_purchases_when_everyone_has_the_same_drop_out_chance(x: int) -> None:
    """Very large a and b (a fit on data whose drop-out chance does not vary) overflow the
    transformed ₂F₁; the answer must tend to the point-mass limit at the posterior mean of
    p ~ Beta(a, b+x), p = a/(a+b+x):
    (1/p)(1 − ((α+T)/(α+T+p·t))^(r+x)) for a customer alive at T."""
    r, alpha, a, b, t, horizon = 0.19, 2.79, 87729.0, 57638.0, 20.0, 13.0
    m = _model(r, alpha, a, b)
    p = a / (a + b + x)
    limit = (1 - ((alpha + t) / (alpha + t + p * horizon)) ** (r + x)) / p
    got = m.expected_purchases(horizon, [x], [t], [t])[0] / m.p_alive([x], [t], [t])[0]
    assert got == pytest.approx(limit, rel=1e-3)


# -- fitting what was simulated ----------------------------------------------------------


def _simulate(
    params: tuple[float, float, float, float], n: int, t: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers drawn from BG/NBD itself: rate λ ~ Gamma(r, 1/α), drop-out p ~ Beta(a, b),
    purchases Poisson(λ) while alive, a drop-out chance p after each."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    x, t_x = np.zeros(n), np.zeros(n)
    now, alive = np.zeros(n), np.ones(n, dtype=bool)
    while alive.any():
        now[alive] += rng.exponential(1 / lam[alive])
        bought = alive & (now <= t)
        x[bought] += 1
        t_x[bought] = now[bought]
        alive = bought & (rng.random(n) >= p)
    return x, t_x, np.full(n, t)


def test_fit_recovers_simulated_parameters() -> None:
    truth = (0.8, 3.0, 1.2, 3.5)
    x, t_x, t = _simulate(truth, 20_000, 52.0, seed=7)
    m = fit_bgnbd(x, t_x, t)
    assert m.fit.converged
    for got, want in zip((m.r, m.alpha, m.a, m.b), truth, strict=True):
        assert got == pytest.approx(want, rel=0.2)


# -- invariants --------------------------------------------------------------------------

positive = st.floats(0.05, 20, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    params=st.tuples(positive, positive, positive, positive),
    x=st.integers(0, 60),
    t=st.floats(0.5, 150),
    shares=st.lists(st.floats(0, 1), min_size=2, max_size=2),
)
def test_p_alive_is_a_probability_and_grows_with_recency(
    params: tuple[float, float, float, float], x: int, t: float, shares: list[float]
) -> None:
    m = _model(*params)
    early, late = sorted(shares)
    got = m.p_alive([x, x], [early * t, late * t], [t, t])
    assert np.all((got >= 0) & (got <= 1))
    if x == 0:
        assert np.all(got == 1)  # BG/NBD: drop-out happens only after a repeat purchase
    assert got[0] <= got[1] + 1e-12  # bought more recently: at least as likely alive
    weeks = m.expected_purchases(4, [x], [late * t], [t])[0]
    months = m.expected_purchases(52, [x], [late * t], [t])[0]
    assert np.isfinite(months) and 0 <= weeks <= months + 1e-9
