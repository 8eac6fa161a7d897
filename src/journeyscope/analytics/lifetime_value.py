"""Customer value: BG/NBD for "is this customer still buying?" and Gamma-Gamma for spend.

- **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while
  alive, a customer buys at rate λ (gamma across customers: ``r``, ``alpha``); after each
  purchase they drop out with probability p (beta across customers: ``a``, ``b``). From
  each customer's repeat purchases ``x``, the time of their last one ``t_x`` and their age
  ``T`` (all since their first purchase, in weeks), the model gives P(alive) and the
  purchases expected in the next ``t`` weeks. It is fitted by maximum likelihood on the
  closed-form likelihood, in log-parameters (so they stay positive), each term summed in
  log space (``gammaln``/``betaln``/``logaddexp``): CDNOW's 2,357 customers reproduce the
  paper's r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
- **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013): a
  customer's spend per purchase varies around their own mean, gamma-distributed across
  customers (``p``, ``q``, ``gamma``); fitted on repeat buyers' mean repeat spend, it
  shrinks each mean toward everyone's (CDNOW: p = 6.25, q = 3.74, γ = 15.44).

Pure NumPy/SciPy; identical customers are fitted once with a weight, so a million
customers with day-grained histories cost a few thousand distinct rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaincinv, expit, hyp2f1, roots_legendre

from journeyscope.analytics.lifetime_likelihood import (
    bgnbd_log_likelihood,
    gamma_gamma_log_likelihood,
)

__all__ = [
    "BgNbd",
    "Fit",
    "GammaGamma",
    "expected_purchases",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "p_alive",
]

Floats = NDArray[np.float64]
_LOG_BOUND = 12.0  # parameters between e^-12 and e^12: far beyond any real data's


@dataclass(frozen=True)
class Fit:
    """How the optimiser ended: what a reader needs to trust (or not) the parameters."""

    log_likelihood: float
    iterations: int
    evaluations: int
    converged: bool
    customers: int

    def describe(self) -> dict[str, Any]:
        return {
            "log_likelihood": round(self.log_likelihood, 4),
            "iterations": self.iterations,
            "evaluations": self.evaluations,
            "converged": self.converged,
            "customers": self.customers,
        }


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD parameters (time in weeks) and the fit's diagnostics."""

    r: float
    alpha: float
    a: float
    b: float
    fit: Fit

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, t: ArrayLike) -> Floats:
        return p_alive(self, x, t_x, t)

    def expected_purchases(
        self, weeks: float, x: ArrayLike, t_x: ArrayLike, t: ArrayLike
    ) -> Floats:
        return expected_purchases(self, weeks, x, t_x, t)


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma spend parameters and the fit's diagnostics."""

    p: float
    q: float
    gamma: float
    fit: Fit

    @property
    def mean_spend(self) -> float | None:
        """Everyone's expected spend per purchase (none when q ≤ 1: the mean is infinite)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else None


def _arrays(*values: ArrayLike) -> list[Floats]:
    return [np.asarray(v, dtype=np.float64) for v in values]


def _compressed(*columns: Floats) -> tuple[list[Floats], Floats]:
    """Distinct rows and how often each occurs: the likelihood is summed once per row.
    (A lexsort: ``np.unique(axis=0)`` takes seconds on a million rows.)"""
    if len(columns[0]) == 0:
        return list(columns), np.zeros(0)
    order = np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    new = np.ones(len(order), dtype=bool)
    new[1:] = np.any([np.diff(c) != 0 for c in ordered], axis=0)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(order))).astype(np.float64)
    return [c[starts] for c in ordered], counts


def _maximise(
    loglik: Any, start: Floats, weights: Floats, max_iterations: int
) -> tuple[Floats, Fit]:
    """Maximum likelihood over log-parameters (L-BFGS-B with the analytic gradient,
    bounded so exp never overflows); ``loglik`` gives per-row values and gradients."""
    total = float(weights.sum())

    def objective(theta: Floats) -> tuple[float, Floats]:
        ll, grad = loglik(np.exp(theta))
        value = -float(np.dot(weights, ll)) / total
        if not np.isfinite(value):  # outside where the terms are finite: step back
            return 1e300, np.zeros_like(theta)
        return value, -(weights @ grad) / total

    result = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(start),
        options={"maxiter": max_iterations, "ftol": 1e-14, "gtol": 1e-10},
    )
    theta = np.asarray(result.x, dtype=np.float64)
    at_bound = bool(np.any(np.abs(theta) >= _LOG_BOUND - 1e-6))
    # a line search that cannot improve at machine precision is at the optimum too
    flat = bool(np.max(np.abs(result.jac)) < 1e-5)  # per customer: nothing left to gain
    fit = Fit(
        log_likelihood=-float(result.fun) * total,
        iterations=int(result.nit),
        evaluations=int(result.nfev),
        converged=(bool(result.success) or flat) and not at_bound,
        customers=int(total),
    )
    return np.exp(theta), fit


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, t: ArrayLike, *, max_iterations: int = 2000) -> BgNbd:
    """BG/NBD by maximum likelihood from repeat purchases ``x``, recency ``t_x`` and age
    ``t`` (weeks since the first purchase)."""
    xs, txs, ts = _arrays(x, t_x, t)
    (ux, utx, ut), weights = _compressed(xs, txs, ts)
    params, fit = _maximise(
        lambda p: bgnbd_log_likelihood(p, ux, utx, ut),
        np.zeros(4),
        weights,
        max_iterations,
    )
    r, alpha, a, b = (float(v) for v in params)
    return BgNbd(r, alpha, a, b, fit)


def _odds_gone(model: BgNbd, x: Floats, t_x: Floats, t: Floats) -> Floats:
    """log of P(dropped out after the last purchase) / P(alive), given the history."""
    odds = np.full_like(x, -np.inf)
    repeat = x > 0
    xr = x[repeat]
    odds[repeat] = (
        np.log(model.a)
        - np.log(model.b + xr - 1)
        + (model.r + xr) * (np.log(model.alpha + t[repeat]) - np.log(model.alpha + t_x[repeat]))
    )
    return odds


def p_alive(model: BgNbd, x: ArrayLike, t_x: ArrayLike, t: ArrayLike) -> Floats:
    """P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x)); 1 for a
    customer with no repeat purchase (BG/NBD lets customers drop out only after one)."""
    xs, txs, ts = _arrays(x, t_x, t)
    return np.asarray(expit(-_odds_gone(model, xs, txs, ts)), dtype=np.float64)


def expected_purchases(
    model: BgNbd, weeks: float, x: ArrayLike, t_x: ArrayLike, t: ArrayLike
) -> Floats:
    """Purchases expected in the next ``weeks`` (FHL 2005, eq. 10): P(alive) times what
    a customer still alive is expected to buy (:func:`_if_alive`)."""
    xs, txs, ts = _arrays(x, t_x, t)
    bought = _if_alive(model, weeks, xs, ts) * p_alive(model, xs, txs, ts)
    return np.asarray(bought, dtype=np.float64)


def _if_alive(model: BgNbd, weeks: float, x: Floats, t: Floats) -> Floats:
    """E[purchases in the next ``weeks`` | alive at T], ``(a+b+x−1)/(a−1) (1 − G)``, with
    ``G = (1−z)^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)``, z = weeks/(α+T+weeks). ₂F₁ is computed
    where its series is short: Euler's transformation, ``G = (1−z)^(a−1) ₂F₁(a+b−1−r, a−1;
    a+b+x−1; z)``, keeps its parameters from growing with ``x`` (many purchases), the
    paper's form handles large a and b (the same drop-out chance for everyone), and rows
    where both fail are integrated numerically over p (:func:`_if_alive_by_quadrature`)."""
    r, alpha, b = model.r, model.alpha, model.b
    a = model.a if abs(model.a - 1) > 1e-9 else 1 + 1e-9  # the formula's removable 0/0
    z = weeks / (alpha + t + weeks)
    scale = (a + b + x - 1) / (a - 1)
    with np.errstate(all="ignore"):  # a failed series is NaN or inf, replaced below
        out = scale * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z))
        bad = ~np.isfinite(out)
        if bad.any():
            xb, zb = x[bad], z[bad]
            paper = (1 - zb) ** (r + xb) * hyp2f1(r + xb, b + xb, a + b + xb - 1, zb)
            out[bad] = scale[bad] * (1 - paper)
        bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = _if_alive_by_quadrature(model, weeks, x[bad], t[bad])
    return np.asarray(out, dtype=np.float64)


def _if_alive_by_quadrature(model: BgNbd, weeks: float, x: Floats, t: Floats) -> Floats:
    """E over p ~ Beta(a, b+x) of (1/p)(1 − ((α+T)/(α+T+p·weeks))^(r+x)) (λ integrated in
    closed form), by 200-point Gauss-Legendre over p's quantiles: bounded and smooth,
    accurate to about 1e-7."""
    nodes, w = roots_legendre(200)
    u, w = (nodes + 1) / 2, w / 2
    p = betaincinv(model.a, model.b + x[:, None], u[None, :])
    base = model.alpha + t[:, None]
    g = -np.expm1(-(model.r + x[:, None]) * np.log1p(p * weeks / base)) / p
    return np.asarray(g @ w, dtype=np.float64)


def fit_gamma_gamma(x: ArrayLike, mean: ArrayLike, *, max_iterations: int = 2000) -> GammaGamma:
    """Gamma-Gamma by maximum likelihood on customers with ``x > 0`` repeat purchases and
    a positive mean spend ``mean`` (rows without are left out).

    Spend is fitted in units of its median (a purchase of 1,500,000 VND would put γ far
    from any starting point); the model is scale-free in γ, so γ and the log-likelihood
    are then put back in the currency's units."""
    xs, ms = _arrays(x, mean)
    keep = (xs > 0) & (ms > 0) & np.isfinite(ms)
    scale = float(np.median(ms[keep])) if keep.any() else 1.0
    (ux, um), weights = _compressed(xs[keep], ms[keep] / scale)
    params, fit = _maximise(
        lambda p: gamma_gamma_log_likelihood(p, ux, um),
        np.zeros(3),
        weights,
        max_iterations,
    )
    p, q, gamma = (float(v) for v in params)
    # the density of z̄ = c·u is f(u)/c: each customer's log-likelihood loses log c
    fit = replace(fit, log_likelihood=fit.log_likelihood - float(weights.sum() * np.log(scale)))
    return GammaGamma(p, q, gamma * scale, fit)


def expected_spend(model: GammaGamma, x: ArrayLike, mean: ArrayLike) -> Floats:
    """Expected spend per purchase: ``p(γ + x·z̄)/(p·x + q − 1)``, a mix of everyone's
    mean and the customer's own; everyone's mean for customers with no repeat purchase."""
    xs, ms = _arrays(x, mean)
    ms = np.where((xs > 0) & np.isfinite(ms), ms, 0.0)
    p, q, gamma = model.p, model.q, model.gamma
    return np.asarray(p * (gamma + xs * ms) / (p * xs + q - 1), dtype=np.float64)
