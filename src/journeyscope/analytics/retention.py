"""Retention and churn: cohorts, RFM scores, and who is slipping away — and why.

- **Cohorts**: customers by the period (week or month, workspace time zone) of their first
  event (or first ``--cohort-event``); retention[k] = share active (any event, or
  ``--return-event``) k periods later. ``--by FIELD`` splits each cohort by the field's
  value on the customer's first event (e.g. the acquisition channel).
- **RFM**: recency (days since the last purchase), frequency (purchases), monetary
  (revenue), each scored 1–5 by quintile; segments follow the common RFM grid.
- **Churn risk** from each customer's own rhythm: gaps between their active days are
  treated as exponential; the mean gap is their own, shrunk toward everyone's mean gap as
  if two gaps of that length had been seen (so one short burst does not set a hair
  trigger); risk = 1 − exp(−days since last action / mean gap). Only the customer's own
  actions count — ads shown and messages sent to them do not. At risk
  means risk ≥ ``threshold`` (0.95: silent three times longer than usual). The reason hint
  is the first that applies: a bad review (rating ≤ 2) in their last 30 active days, an
  unresolved support contact (two within 7 days), or else their last touchpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeyscope.analytics.scope import Scope, Sql, customer_events, field_sql
from journeyscope.analytics.touchpoints import PASSIVE
from journeyscope.errors import unknown_name
from journeyscope.events.export import write_relation
from journeyscope.events.ingest import event_name
from journeyscope.events.workspace import Workspace

PERIODS = ("day", "week", "month")
SEGMENTS = (  # (name, R scores, FM score range): the usual RFM grid, first match wins
    ("champions", (5, 5), (4, 5)),
    ("loyal", (3, 5), (4, 5)),
    ("potential_loyalist", (4, 5), (2, 3)),
    ("new", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)),
    ("needs_attention", (3, 3), (2, 3)),
    ("about_to_sleep", (3, 3), (1, 1)),
    ("cannot_lose", (1, 2), (5, 5)),
    ("at_risk", (1, 2), (3, 4)),
    ("hibernating", (1, 2), (1, 2)),
)


@dataclass(frozen=True)
class RetentionSpec:
    period: str = "month"
    cohort_event: str | None = None
    return_event: str | None = None
    purchase: str = "purchase"
    threshold: float = 0.95
    support: str = "support_call"
    top: int = 20
    by: str | None = None  # cohorts split by this field on each customer's first event

    def check(self) -> None:
        if self.period not in PERIODS:
            raise unknown_name("period", "chu kỳ", self.period, list(PERIODS))


def retention(
    ws: Workspace, spec: RetentionSpec, scope: Scope, export_to: Path | None = None
) -> dict[str, Any]:
    """The retention report (the ``--json`` shape of ``journeyscope retention``); with
    ``export_to``, every customer's scores are written from the same computation."""
    spec.check()
    with _loaded(ws, spec, scope):
        report: dict[str, Any] = {
            "period": spec.period,
            "cohorts": _cohorts(ws, spec),
            "rfm": _rfm_summary(ws),
            "churn": _churn_summary(ws, spec),
            "scope": scope.describe(),
        }
        if export_to is not None:
            report["output"] = str(export_to)
            report["exported"] = _write_customers(ws, export_to)
        return report


def export_customers(ws: Workspace, spec: RetentionSpec, scope: Scope, target: Path) -> int:
    """Per customer: RFM scores and segment, churn risk and its reason, as CSV/Parquet."""
    spec.check()
    with _loaded(ws, spec, scope):
        return _write_customers(ws, target)


def _write_customers(ws: Workspace, target: Path) -> int:
    rel = ws.con.sql(
        """SELECT c.customer_id, c.last_active, c.days_since, round(c.mean_gap_days, 2)
               AS mean_gap_days, round(c.risk, 4) AS churn_risk, c.at_risk, c.reason,
               r.recency_days, r.frequency, r.monetary, r.r, r.f, r.m, r.segment
        FROM rt_churn c LEFT JOIN rt_rfm r USING (customer_id)
        ORDER BY c.risk DESC, c.customer_id"""
    )
    write_relation(rel, target)
    return int(ws.scalar("SELECT count(*) FROM rt_churn"))


@contextmanager
def _loaded(ws: Workspace, spec: RetentionSpec, scope: Scope) -> Iterator[None]:
    """``rt_rows`` (scoped events in local time), ``rt_rfm`` and ``rt_churn`` meanwhile."""
    q = Sql()
    by = f", {field_sql(spec.by, q, 'e')} AS by_value" if spec.by else ", NULL AS by_value"
    base = customer_events(
        ws,
        scope,
        q,
        "e.ts, e.event, e.revenue, coalesce(e.touchpoint, e.channel || ':' || e.event) AS tp, "
        f"e.rating{by}",
    )
    with ws.scratch("rt_rows", "rt_rfm", "rt_churn") as con:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rt_rows AS SELECT *, "
            f"timezone({q.bind(ws.config.timezone)}, ts::TIMESTAMPTZ) AS local FROM ({base})",
            q.params,
        )
        con.execute(_RFM, {"purchase": event_name(spec.purchase)})
        con.execute(
            _CHURN,
            {
                "support": event_name(spec.support),
                "threshold": spec.threshold,
                "passive": [event_name(p) for p in PASSIVE],
            },
        )
        yield


def _cohorts(ws: Workspace, spec: RetentionSpec) -> list[dict[str, Any]]:
    q = Sql()
    period = q.bind(spec.period)
    cohort_filter = (
        f"event = {q.bind(event_name(spec.cohort_event))}" if spec.cohort_event else "TRUE"
    )
    return_filter = (
        f"event = {q.bind(event_name(spec.return_event))}" if spec.return_event else "TRUE"
    )
    rows = ws.con.execute(
        f"""WITH first AS (
            SELECT customer_id, date_trunc({period}, min(local)) AS cohort,
                   coalesce(CAST(arg_min(by_value, local) AS VARCHAR), '(none)') AS seg
            FROM rt_rows WHERE {cohort_filter} GROUP BY 1
        ), active AS (
            SELECT DISTINCT customer_id, date_trunc({period}, local) AS p
            FROM rt_rows WHERE {return_filter}
        ), offsets AS (
            SELECT f.seg, f.cohort, date_diff({period}, f.cohort, a.p) AS k,
                   count(DISTINCT a.customer_id) AS n
            FROM first f JOIN active a ON a.customer_id = f.customer_id AND a.p >= f.cohort
            GROUP BY ALL
        )
        SELECT o.seg, o.cohort,
               (SELECT count(*) FROM first f WHERE f.cohort = o.cohort AND f.seg = o.seg),
               list(o.n ORDER BY o.k), list(o.k ORDER BY o.k)
        FROM offsets o GROUP BY o.seg, o.cohort ORDER BY o.seg, o.cohort""",
        q.params,
    ).fetchall()
    out = []
    for seg, cohort, size, counts, ks in rows:
        dense = [0] * (max(ks) + 1)
        for k, n in zip(ks, counts, strict=True):
            dense[k] = n
        fmt = "%Y-%m-%d" if spec.period != "month" else "%Y-%m"
        out.append(
            {
                **({"segment": seg} if spec.by else {}),
                "cohort": cohort.strftime(fmt),
                "customers": int(size),
                "counts": dense,
                "retention": [round(n / size, 4) if size else 0.0 for n in dense],
            }
        )
    return out


_RFM = (
    """
CREATE OR REPLACE TEMP TABLE rt_rfm AS
WITH buyers AS (
    SELECT customer_id,
        date_diff('day', max(ts), (SELECT max(ts) FROM rt_rows)) AS recency_days,
        count(*) AS frequency, coalesce(sum(revenue), 0) AS monetary
    FROM rt_rows WHERE event = $purchase GROUP BY 1
), scored AS (
    SELECT *, 6 - ntile(5) OVER (ORDER BY recency_days, customer_id) AS r,
        ntile(5) OVER (ORDER BY frequency, customer_id) AS f,
        ntile(5) OVER (ORDER BY monetary, customer_id) AS m
    FROM buyers
)
SELECT *, CASE
    """
    + "\n    ".join(
        f"WHEN r BETWEEN {r0} AND {r1} AND round((f + m) / 2) BETWEEN {a} AND {b} THEN '{name}'"
        for name, (r0, r1), (a, b) in SEGMENTS
    )
    + """
    ELSE 'others' END AS segment
FROM scored
"""
)


def _rfm_summary(ws: Workspace) -> dict[str, Any]:
    rows = ws.con.execute(
        "SELECT segment, count(*), round(avg(monetary)), round(avg(frequency), 2) "
        "FROM rt_rfm GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    return {
        "customers": sum(int(r[1]) for r in rows),
        "segments": [
            {"segment": s, "customers": int(n), "avg_monetary": float(m), "avg_frequency": float(f)}
            for s, n, m, f in rows
        ],
    }


_CHURN = """
CREATE OR REPLACE TEMP TABLE rt_churn AS
WITH acts AS (  -- the customer's own actions: messages sent to them do not count
    SELECT * FROM rt_rows WHERE event NOT IN (SELECT unnest($passive))
), days AS (
    SELECT DISTINCT customer_id, CAST(local AS DATE) AS d FROM acts
), gaps AS (
    SELECT customer_id, date_diff('day', lag(d) OVER (PARTITION BY customer_id ORDER BY d), d)
        AS gap FROM days
), prior AS (
    SELECT coalesce(avg(gap), 30) AS gap FROM gaps
), own AS (  -- own mean gap, shrunk toward everyone's as if 2 gaps of that length were seen
    SELECT customer_id,
        (coalesce(sum(gap), 0) + 2 * (SELECT gap FROM prior)) / (count(gap) + 2) AS mean_gap
    FROM gaps GROUP BY 1
), last AS (
    SELECT customer_id, max(local) AS last_active, arg_max(tp, ts) AS last_tp FROM acts
    GROUP BY 1
), bad_review AS (
    SELECT r.customer_id, true AS bad FROM rt_rows r JOIN last l USING (customer_id)
    WHERE r.rating <= 2 AND date_diff('day', r.local, l.last_active) <= 30 GROUP BY 1
), support AS (
    SELECT customer_id, bool_or(gap_s <= 7 * 86400) AS unresolved FROM (
        SELECT customer_id, epoch(ts) - epoch(lag(ts) OVER (
            PARTITION BY customer_id ORDER BY ts)) AS gap_s
        FROM rt_rows WHERE event = $support
    ) GROUP BY 1
), scored AS (
    SELECT l.customer_id, l.last_active, l.last_tp,
        date_diff('day', CAST(l.last_active AS DATE),
                  (SELECT CAST(max(local) AS DATE) FROM rt_rows)) AS days_since,
        greatest(o.mean_gap, 1) AS mean_gap_days,
        coalesce(b.bad, false) AS bad_review, coalesce(s.unresolved, false) AS unresolved
    FROM last l LEFT JOIN own o USING (customer_id) LEFT JOIN bad_review b USING (customer_id)
    LEFT JOIN support s USING (customer_id)
)
SELECT customer_id, last_active, days_since, mean_gap_days,
    1 - exp(-days_since / mean_gap_days) AS risk,
    1 - exp(-days_since / mean_gap_days) >= $threshold AS at_risk,
    CASE WHEN bad_review THEN 'bad_review'
         WHEN unresolved THEN 'unresolved_support'
         ELSE 'last_touchpoint:' || coalesce(last_tp, '?') END AS reason
FROM scored
"""


def _churn_summary(ws: Workspace, spec: RetentionSpec) -> dict[str, Any]:
    con = ws.con
    total, at_risk = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE at_risk) FROM rt_churn"
    ).fetchall()[0]
    reasons = con.execute(
        """SELECT CASE WHEN starts_with(reason, 'last_touchpoint:') THEN 'last_touchpoint'
                       ELSE reason END, count(*)
        FROM rt_churn WHERE at_risk GROUP BY 1 ORDER BY 2 DESC, 1"""
    ).fetchall()
    touchpoints = con.execute(
        """SELECT substr(reason, 17), count(*) FROM rt_churn
        WHERE at_risk AND starts_with(reason, 'last_touchpoint:')
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"""
    ).fetchall()
    top = con.execute(
        """SELECT customer_id, days_since, round(mean_gap_days, 1), round(risk, 4), reason
        FROM rt_churn WHERE at_risk ORDER BY risk DESC, days_since DESC, customer_id
        LIMIT $top""",
        {"top": spec.top},
    ).fetchall()
    return {
        "customers": int(total),
        "at_risk": int(at_risk),
        "threshold": spec.threshold,
        "reasons": {r: int(n) for r, n in reasons},
        "last_touchpoints": {t: int(n) for t, n in touchpoints},
        "top": [
            {
                "customer_id": int(c),
                "days_since": int(d),
                "mean_gap_days": float(g),
                "risk": float(r),
                "reason": why,
            }
            for c, d, g, r, why in top
        ],
    }
