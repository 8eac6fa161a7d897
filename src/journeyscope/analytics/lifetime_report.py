"""Customer value on a workspace: purchase histories summed in the engine, BG/NBD and
Gamma-Gamma fitted on the driver (:mod:`journeyscope.analytics.lifetime_value`).

The engine (DuckDB or Spark, through the same dialect) returns one row per buyer: repeat
purchases ``x`` (purchase *days* after the first, as in the CDNOW summaries, so two orders
on one day are one purchase occasion), the days from the first to the last purchase
(recency) and to the end of the calibration period (age), and the revenue of the repeat
days. The calibration period ends on ``--to``'s day (else the day of the last event read),
in the workspace's time zone; time is in weeks (days / 7), as in the papers.

BG/NBD needs customers who came back: with fewer than ``min_repeat_buyers`` of them, or a
fit that does not converge, churn risk stays the heuristic and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from journeyscope.analytics.contacts import CONTACT_COLUMNS, contacts_sql
from journeyscope.analytics.lifetime_value import (
    BgNbd,
    GammaGamma,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
)
from journeyscope.analytics.scope import Scope
from journeyscope.engine.dialect import Sql
from journeyscope.engine.runner import Runner
from journeyscope.errors import InputError, Location
from journeyscope.events.query import event_name
from journeyscope.i18n.formatting import round_money

__all__ = ["MODELS", "Summary", "ValueSpec", "customer_summary", "lifetime_on"]

#: Churn-risk models: the gap heuristic (analytics.retention) and BG/NBD
MODELS = ("heuristic", "bgnbd")


@dataclass(frozen=True)
class ValueSpec:
    purchase: str = "purchase"
    horizon_days: float = 90.0
    threshold: float = 0.95  # risk = 1 − P(alive) from which a customer is at risk
    top: int = 20
    currency: str = "VND"
    min_repeat_buyers: int = 20  # fewer: BG/NBD's four parameters are not identified
    min_spend_buyers: int = 20  # fewer: no Gamma-Gamma, so no expected value


@dataclass(frozen=True)
class Summary:
    """One row per buyer, as arrays (time in weeks)."""

    customer_id: np.ndarray[Any, np.dtype[np.int64]]
    x: np.ndarray[Any, np.dtype[np.float64]]
    t_x: np.ndarray[Any, np.dtype[np.float64]]
    t: np.ndarray[Any, np.dtype[np.float64]]
    repeat_spend: np.ndarray[Any, np.dtype[np.float64]]  # mean revenue of a repeat day
    calibration_end: date

    @property
    def repeat_buyers(self) -> int:
        return int((self.x > 0).sum())


def _calibration_end(r: Runner, scope: Scope) -> date | None:
    """``--to``'s day in the workspace's zone (its bound is the next midnight, exclusive),
    else the local day of the last event read; None when nothing is read."""
    if scope.until is not None:
        last = scope.until.replace(tzinfo=UTC) - timedelta(microseconds=1)
        return last.astimezone(ZoneInfo(r.zone)).date()
    q = r.sql()
    base = r.source(scope, q, "e.ts")
    day = q.local_date("b.ts", q.bind(r.zone))
    found = r.rows(f"SELECT CAST(max({day}) AS {q.text}) FROM ({base}) b", q)[0][0]
    return date.fromisoformat(str(found)[:10]) if found is not None else None


def _summary_sql(q: Sql, base: str, zone: str, purchase: str, end: date) -> str:
    day = q.local_date("b.ts", q.bind(zone))
    end_sql = f"CAST({q.bind(end.isoformat())} AS DATE)"
    return f"""
WITH days AS (  -- purchase occasions: one per customer and local day
    SELECT b.customer_id, {day} AS d, sum(coalesce(b.revenue, 0)) AS amount
    FROM ({base}) b WHERE b.event = {q.bind(purchase)} GROUP BY 1, 2
), per AS (
    SELECT customer_id, min(d) AS first_d, max(d) AS last_d, count(*) AS n,
        sum(amount) AS total, {q.value_at_min("amount", "d")} AS first_amount
    FROM days GROUP BY 1
)
SELECT customer_id, n - 1 AS x, {q.days_between("first_d", "last_d")} AS recency_days,
    {q.days_between("first_d", end_sql)} AS age_days,
    CASE WHEN n > 1 THEN (total - first_amount) / (n - 1) END AS repeat_spend
FROM per ORDER BY customer_id"""


def customer_summary(r: Runner, scope: Scope, purchase: str = "purchase") -> Summary:
    """Every buyer's (x, t_x, T) in weeks up to the calibration end; an error when the
    scope holds no purchase (nothing to fit)."""
    end = _calibration_end(r, scope)
    q = r.sql()
    base = r.source(scope, q, "e.ts, e.event, e.revenue")
    rows = r.rows(_summary_sql(q, base, r.zone, event_name(purchase), end), q) if end else []
    if end is None or not rows:
        raise _no_purchases(purchase, end if scope.until else None)
    cols = list(zip(*rows, strict=True))
    spend = np.array([np.nan if v is None else float(v) for v in cols[4]], dtype=np.float64)
    return Summary(
        customer_id=np.array(cols[0], dtype=np.int64),
        x=np.array(cols[1], dtype=np.float64),
        t_x=np.array(cols[2], dtype=np.float64) / 7,
        t=np.array(cols[3], dtype=np.float64) / 7,
        repeat_spend=spend,
        calibration_end=end,
    )


def _no_purchases(purchase: str, until: date | None) -> InputError:
    """Nothing to fit: no purchase read (up to ``--to``'s day, when it was given)."""
    up_to = f" up to {until.isoformat()} (--to)" if until else ""
    up_to_vi = f" đến hết {until.isoformat()} (--to)" if until else ""
    return InputError(
        f"no {purchase!r} events{up_to}: BG/NBD needs customers' purchase histories",
        f"không có sự kiện {purchase!r}{up_to_vi}: BG/NBD cần lịch sử mua hàng của khách",
        location=Location(field="--to" if until else "--purchase"),
        hint_en="choose a later --to, or name your purchase event with --purchase",
        hint_vi="chọn --to muộn hơn, hoặc nêu tên sự kiện mua hàng bằng --purchase",
        code="no_purchases",
    )


def lifetime_on(r: Runner, spec: ValueSpec, scope: Scope) -> dict[str, Any]:
    """``{"lifetime": ..., "churn": ... or None}``: the fitted models and per-customer
    value; ``churn`` is None when BG/NBD cannot be used (``lifetime.fallback`` says why)."""
    s = customer_summary(r, scope, spec.purchase)
    head: dict[str, Any] = {
        "model": "bgnbd",
        "time_unit": "weeks",
        "calibration_end": s.calibration_end.isoformat(),
        "horizon_days": int(days) if (days := spec.horizon_days).is_integer() else days,
        "currency": spec.currency,
        "customers": len(s.x),
        "repeat_buyers": s.repeat_buyers,
    }
    if s.repeat_buyers < spec.min_repeat_buyers:
        head["fallback"] = {
            "reason": "too_few_repeat_buyers",
            "repeat_buyers": s.repeat_buyers,
            "needed": spec.min_repeat_buyers,
        }
        return {"lifetime": head, "churn": None}
    model = fit_bgnbd(s.x, s.t_x, s.t)
    head |= {k: round(getattr(model, k), 6) for k in ("r", "alpha", "a", "b")}
    # the chance to stop after a purchase, on average (very large a and b: the same for all)
    head["mean_dropout"] = round(model.a / (model.a + model.b), 4)
    head["fit"] = model.fit.describe()
    if not model.fit.converged:
        head["fallback"] = {"reason": "not_converged"}
        return {"lifetime": head, "churn": None}
    return _scored(r, spec, s, model, head)


def _spend_model(spec: ValueSpec, s: Summary) -> tuple[GammaGamma | None, dict[str, Any]]:
    """Gamma-Gamma on repeat buyers with a positive mean spend, when there are enough and
    the fitted population mean is finite (q > 1)."""
    usable = (s.x > 0) & (s.repeat_spend > 0)
    n = int(usable.sum())
    if n < spec.min_spend_buyers:
        return None, {"fitted": False, "reason": "too_few_repeat_buyers", "customers": n}
    gg = fit_gamma_gamma(s.x[usable], s.repeat_spend[usable])
    # Gamma-Gamma assumes spend does not depend on frequency: the correlation shows it
    with np.errstate(all="ignore"):  # no variation in one of them: no correlation to say
        corr = float(np.corrcoef(s.x[usable], s.repeat_spend[usable])[0, 1])
    info: dict[str, Any] = {
        "model": "gamma_gamma",
        "fitted": gg.fit.converged and gg.mean_spend is not None,
        "p": round(gg.p, 6),
        "q": round(gg.q, 6),
        "gamma": round(gg.gamma, 6),
        "mean_spend": round_money(gg.mean_spend, spec.currency),
        "frequency_spend_correlation": round(corr, 4) if np.isfinite(corr) else None,
        "fit": gg.fit.describe(),
    }
    if not info["fitted"]:
        info["reason"] = "not_converged" if not gg.fit.converged else "infinite_mean"
        return None, info
    return gg, info


def _scored(
    r: Runner, spec: ValueSpec, s: Summary, model: BgNbd, head: dict[str, Any]
) -> dict[str, Any]:
    """P(alive), expected purchases and value per customer; the top lists with contacts."""
    alive = model.p_alive(s.x, s.t_x, s.t)
    bought = model.expected_purchases(spec.horizon_days / 7, s.x, s.t_x, s.t)
    gg, head["spend"] = _spend_model(spec, s)
    value = bought * expected_spend(gg, s.x, s.repeat_spend) if gg else None
    head["expected_purchases"] = round(float(bought.sum()), 2)
    if value is not None:
        head["expected_value"] = round_money(float(value.sum()), spec.currency)
    risk = 1 - alive
    at_risk = risk >= spec.threshold
    rank = value if value is not None else bought
    best = np.lexsort((s.customer_id, -rank))[: spec.top]
    worst = np.flatnonzero(at_risk)[np.lexsort((s.customer_id[at_risk], -risk[at_risk]))]
    worst = worst[: spec.top]
    contacts = _contacts(r, s.customer_id[np.concatenate([best, worst])])

    def row(i: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "customer_id": int(s.customer_id[i]),
            "frequency": int(s.x[i]),
            "recency_weeks": round(float(s.t_x[i]), 4),
            "age_weeks": round(float(s.t[i]), 4),
            "days_since": round(float(s.t[i] - s.t_x[i]) * 7),
            "p_alive": round(float(alive[i]), 4),
            "risk": round(float(risk[i]), 4),
            "expected_purchases": round(float(bought[i]), 4),
        }
        if value is not None:
            out["expected_value"] = round_money(float(value[i]), spec.currency)
        return out | contacts.get(int(s.customer_id[i]), dict.fromkeys(CONTACT_COLUMNS))

    head["top"] = [row(int(i)) for i in best]
    churn = {
        "method": "bgnbd",
        "customers": len(s.x),
        "at_risk": int(at_risk.sum()),
        "threshold": spec.threshold,
        "top": [row(int(i)) for i in worst],
    }
    return {"lifetime": head, "churn": churn}


def _contacts(r: Runner, ids: np.ndarray[Any, np.dtype[np.int64]]) -> dict[int, dict[str, Any]]:
    """Who the listed customers are (e-mail, phone, user id, every identifier)."""
    if len(ids) == 0:
        return {}
    q = r.sql()
    wanted = ", ".join(str(int(i)) for i in sorted(set(ids.tolist())))
    rows = r.rows(
        f"SELECT * FROM ({contacts_sql(q, r.identities())}) c WHERE c.customer_id IN ({wanted})",
        q,
    )
    return {int(row[0]): dict(zip(CONTACT_COLUMNS, row[1:], strict=True)) for row in rows}


def with_lifetime(
    data: dict[str, Any], r: Runner, spec: ValueSpec, scope: Scope
) -> dict[str, Any] | None:
    """The retention report ``data`` with ``lifetime`` added and, where BG/NBD could be
    fitted, its churn risk in place of the heuristic's; the fallback (reason) otherwise."""
    found = lifetime_on(r, spec, scope)
    data["lifetime"] = found["lifetime"]
    if found["churn"] is None:
        fallback: dict[str, Any] = found["lifetime"]["fallback"]
        data["churn"]["method_reason"] = fallback["reason"]
        return fallback
    heuristic = data["churn"]  # kept beside, for its reasons and the comparison
    data["churn"] = found["churn"] | {
        "heuristic": {
            k: heuristic[k] for k in ("customers", "at_risk", "reasons") if k in heuristic
        }
    }
    return None
