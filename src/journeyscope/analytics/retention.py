"""Retention and churn: cohorts, RFM scores, and who is slipping away — and why.

- **Cohorts**: customers by the period (week or month, workspace time zone) of their first
  event (or first ``--cohort-event``); retention[k] = share active (any event, or
  ``--return-event``) k periods later. ``--by FIELD`` splits each cohort by the field's
  value on the customer's first event (e.g. the acquisition channel).
- **RFM**: recency (days since the last purchase), frequency (purchases), monetary
  (net revenue: purchases less ``refund`` events), each scored 1–5 by quintile; segments
  follow the common RFM grid.
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

from journeyscope.analytics.contacts import CONTACT_COLUMNS, contact_columns, contacts_sql
from journeyscope.analytics.scope import Scope, field_sql
from journeyscope.analytics.touchpoints import PASSIVE
from journeyscope.engine.dialect import SparkSql, Sql
from journeyscope.engine.runner import Runner, as_runner
from journeyscope.errors import unknown_option
from journeyscope.events.query import event_name
from journeyscope.events.workspace import Workspace
from journeyscope.i18n.formatting import minor_unit

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
    passive: tuple[str, ...] = PASSIVE  # events sent to a customer: no sign of life
    contacts: tuple[str, ...] = ()  # contacts with customer service (else ``support``)
    by: str | None = None  # cohorts split by this field on each customer's first event

    def check(self) -> None:
        if self.period not in PERIODS:
            raise unknown_option(
                "period", "chu kỳ", self.period, list(PERIODS), code="unknown_period"
            )


def retention(
    ws: Runner | Workspace, spec: RetentionSpec, scope: Scope, export_to: Path | None = None
) -> dict[str, Any]:
    """The retention report (the ``--json`` shape of ``journeyscope retention``); with
    ``export_to``, every customer's scores are written from the same computation."""
    return retention_on(as_runner(ws), spec, scope, export_to)


def retention_on(
    r: Runner, spec: RetentionSpec, scope: Scope, export_to: Path | None = None
) -> dict[str, Any]:
    """The retention report on either engine (the export too): on DuckDB from one scan
    into arrays (:mod:`~journeyscope.analytics.retention_arrays`); on Spark, with a split
    by a field (``--by``) and for an export, with the SQL below."""
    spec.check()
    if export_to is None and spec.by is None and not isinstance(r.sql(), SparkSql):
        from journeyscope.analytics import events_arrays

        try:
            return _from_arrays(r, spec, scope, events_arrays.read_events(r, scope, None))
        except events_arrays.NotServed:
            pass  # a NULL code or no perfect hash of the names: SQL answers
    with _loaded(r, spec, scope):
        report: dict[str, Any] = {
            "period": spec.period,
            "cohorts": _cohorts(r, spec),
            "rfm": _rfm_summary(r),
            "churn": _churn_summary(r, spec),
            "scope": scope.describe(),
        }
        if export_to is not None:
            report["output"] = str(export_to)
            report["exported"] = _write_customers(r, export_to)
        return report


def _from_arrays(r: Runner, spec: RetentionSpec, scope: Scope, ev: Any) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    from journeyscope.analytics import retention_arrays as ra

    if not len(ev.us):
        return {
            "period": spec.period,
            "cohorts": [],
            "rfm": {"customers": 0, "segments": []},
            "churn": ra.churn_summary(r, ev, ev.customer, {"owner": ev.owner}, spec),
            "scope": scope.describe(),
        }
    # the parts read the same arrays and write none, so they share two threads (NumPy
    # lets go of the interpreter in its loops): the local clock and churn on one, RFM and
    # cohorts on the other (about equal halves)
    with ThreadPoolExecutor(2) as pool:
        clock = pool.submit(_clock, ev.us, r.zone)
        rfm = pool.submit(ra.rfm, ev, spec)
        churn = pool.submit(lambda: ra.churn(ev, *clock.result(), spec))
        cohorts = pool.submit(lambda: ra.cohort_rows(ev, clock.result()[1], spec))
        cohort_rows, churned, scores = cohorts.result(), churn.result(), rfm.result()
    return {
        "period": spec.period,
        "cohorts": _cohort_dicts(cohort_rows, spec),
        "rfm": ra.rfm_summary(r, scores),
        "churn": ra.churn_summary(r, ev, ev.customer, churned, spec),
        "scope": scope.describe(),
    }


def _clock(us: Any, zone: str) -> tuple[Any, Any]:
    """Each row's local time (µs) and local day (days since the epoch)."""
    import numpy as np

    from journeyscope.analytics import retention_arrays as ra
    from journeyscope.analytics.paths_arrays import local_us

    local = local_us(us, zone)
    return local, np.floor_divide(local, ra.DAY)


def export_customers(ws: Workspace, spec: RetentionSpec, scope: Scope, target: Path) -> int:
    """Per customer: RFM scores and segment, churn risk and its reason, as CSV/Parquet."""
    spec.check()
    with _loaded(Runner(ws), spec, scope):
        return _write_customers(Runner(ws), target)


def _write_customers(r: Runner, target: Path) -> int:
    """The per-customer file; ``last_active`` with its zone's offset, money in minor units,
    and who each customer is (e-mail, phone, user id, every identifier)."""
    q = r.sql()
    last_active = q.iso_local("c.last_active", q.bind(r.zone))
    digits = minor_unit(r.ws.config.currency)
    return r.write(
        f"""SELECT c.customer_id, {last_active} AS last_active, c.days_since,
               round(c.mean_gap_days, 2) AS mean_gap_days, round(c.risk, 4) AS churn_risk,
               c.at_risk, c.reason, r.recency_days, r.frequency,
               round(r.monetary, {int(digits)}) AS monetary, r.r, r.f, r.m, r.segment,
               {contact_columns("n")}
        FROM rt_churn c LEFT JOIN rt_rfm r ON r.customer_id = c.customer_id
        LEFT JOIN ({contacts_sql(q, r.identities())}) n ON n.customer_id = c.customer_id
        ORDER BY c.risk DESC, c.customer_id""",
        target,
        q,
    )


@contextmanager
def _loaded(r: Runner, spec: RetentionSpec, scope: Scope) -> Iterator[None]:
    """``rt_rows`` (scoped events in local time), ``rt_rfm`` and ``rt_churn`` meanwhile."""
    q = r.sql()
    by = f", {field_sql(spec.by, q, 'e')} AS by_value" if spec.by else ", NULL AS by_value"
    base = r.source(
        scope,
        q,
        "e.ts, e.seq, e.event, e.revenue, "
        f"coalesce(e.touchpoint, e.channel || ':' || e.event) AS tp, e.rating{by}",
    )
    with r.scratch("rt_rows", "rt_rfm", "rt_churn"):
        local = q.local_time("ts", q.bind(r.zone))
        r.table("rt_rows", f"SELECT b.*, {local} AS local FROM ({base}) b", q)
        q = r.sql()
        r.table("rt_rfm", _rfm_sql(q, event_name(spec.purchase)), q)
        q = r.sql()
        r.table("rt_churn", _churn_sql(q, spec), q)
        yield


def _cohorts(r: Runner, spec: RetentionSpec) -> list[dict[str, Any]]:
    q = r.sql()
    period = q.bind(spec.period)
    cohort_filter = (
        f"event = {q.bind(event_name(spec.cohort_event))}" if spec.cohort_event else "TRUE"
    )
    return_filter = (
        f"event = {q.bind(event_name(spec.return_event))}" if spec.return_event else "TRUE"
    )
    first_value = q.value_at_min("by_value", q.row("local", "seq"))
    rows = r.rows(
        f"""WITH first AS (
            SELECT customer_id, date_trunc({period}, min(local)) AS cohort,
                   coalesce(CAST({first_value} AS STRING), '(none)') AS seg
            FROM rt_rows WHERE {cohort_filter} GROUP BY 1
        ), active AS (
            SELECT DISTINCT customer_id, date_trunc({period}, local) AS p
            FROM rt_rows WHERE {return_filter}
        ), offsets AS (
            SELECT f.seg, f.cohort, {q.periods_between(spec.period, "f.cohort", "a.p")} AS k,
                   count(DISTINCT a.customer_id) AS n
            FROM first f JOIN active a ON a.customer_id = f.customer_id AND a.p >= f.cohort
            GROUP BY ALL
        ), sizes AS (
            SELECT seg, cohort, count(*) AS size FROM first GROUP BY seg, cohort
        )
        SELECT o.seg, o.cohort, any_value(s.size),
               {q.ordered_list("o.n", "o.k")}, {q.ordered_list("o.k", "o.k")}
        FROM offsets o JOIN sizes s ON s.seg = o.seg AND s.cohort = o.cohort
        GROUP BY o.seg, o.cohort ORDER BY o.seg, o.cohort""",
        q,
    )
    return _cohort_dicts(rows, spec)


def _cohort_dicts(rows: list[Any], spec: RetentionSpec) -> list[dict[str, Any]]:
    """Each cohort's size, active customers per period after and their shares."""
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


def _rfm_sql(q: Sql, purchase: str) -> str:
    grid = "\n    ".join(
        f"WHEN r BETWEEN {r0} AND {r1} AND round((f + m) / 2) BETWEEN {a} AND {b} THEN '{name}'"
        for name, (r0, r1), (a, b) in SEGMENTS
    )
    # monetary is net: refunds are stored with negative revenue (docs/data.md)
    bought = f"event = {q.bind(purchase)}"
    last = f"max(ts) FILTER (WHERE {bought})"
    return f"""
WITH buyers AS (
    SELECT customer_id,
        {q.days_between(last, "(SELECT max(ts) FROM rt_rows)")} AS recency_days,
        count(*) FILTER (WHERE {bought}) AS frequency, coalesce(sum(revenue), 0) AS monetary
    FROM rt_rows WHERE {bought} OR event = {q.bind("refund")} GROUP BY 1
    HAVING count(*) FILTER (WHERE {bought}) > 0
), scored AS (
    SELECT *, 6 - ntile(5) OVER (ORDER BY recency_days, customer_id) AS r,
        ntile(5) OVER (ORDER BY frequency, customer_id) AS f,
        ntile(5) OVER (ORDER BY monetary, customer_id) AS m
    FROM buyers
)
SELECT *, CASE
    {grid}
    ELSE 'others' END AS segment
FROM scored
"""


def _rfm_summary(r: Runner) -> dict[str, Any]:
    rows = r.rows(
        "SELECT segment, count(*), round(avg(monetary)), round(avg(frequency), 2) "
        "FROM rt_rfm GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    return {
        "customers": sum(int(row[1]) for row in rows),
        "segments": [
            {"segment": s, "customers": int(n), "avg_monetary": float(m), "avg_frequency": float(f)}
            for s, n, m, f in rows
        ],
    }


def _churn_sql(q: Sql, spec: RetentionSpec) -> str:
    gap_s = (
        f"{q.seconds('ts')} - {q.seconds('lag(ts) OVER (PARTITION BY customer_id ORDER BY ts)')}"
    )
    return f"""
WITH acts AS (  -- the customer's own actions: messages sent to them do not count
    SELECT * FROM rt_rows WHERE NOT {q.is_event("event", spec.passive)}
), days AS (
    SELECT DISTINCT customer_id, CAST(local AS DATE) AS d FROM acts
), gaps AS (
    SELECT customer_id,
        {q.days_between("lag(d) OVER (PARTITION BY customer_id ORDER BY d)", "d")} AS gap
    FROM days
), prior AS (
    SELECT coalesce(avg(gap), 30) AS gap FROM gaps
), own AS (  -- own mean gap, shrunk toward everyone's as if 2 gaps of that length were seen
    SELECT customer_id,
        (coalesce(sum(gap), 0) + 2 * (SELECT gap FROM prior)) / (count(gap) + 2) AS mean_gap
    FROM gaps GROUP BY 1
), last AS (
    SELECT customer_id, max(local) AS last_active, {
        q.value_at_max("tp", q.row("ts", "seq"))
    } AS last_tp
    FROM acts GROUP BY 1
), bad_review AS (
    SELECT r.customer_id, true AS bad FROM rt_rows r JOIN last l ON l.customer_id = r.customer_id
    WHERE r.rating <= 2 AND {q.days_between("r.local", "l.last_active")} <= 30 GROUP BY 1
), support AS (
    SELECT customer_id, bool_or(gap_s <= 7 * 86400) AS unresolved FROM (
        SELECT customer_id, {gap_s} AS gap_s
        FROM rt_rows WHERE {q.is_event("event", list(spec.contacts or (spec.support,)))}
    ) s GROUP BY 1
), scored AS (
    SELECT l.customer_id, l.last_active, l.last_tp,
        {
        q.days_between(
            "CAST(l.last_active AS DATE)", "(SELECT CAST(max(local) AS DATE) FROM rt_rows)"
        )
    } AS days_since,
        greatest(o.mean_gap, 1) AS mean_gap_days,
        coalesce(b.bad, false) AS bad_review, coalesce(s.unresolved, false) AS unresolved
    FROM last l LEFT JOIN own o ON o.customer_id = l.customer_id
    LEFT JOIN bad_review b ON b.customer_id = l.customer_id
    LEFT JOIN support s ON s.customer_id = l.customer_id
)
SELECT customer_id, last_active, days_since, mean_gap_days,
    1 - exp(-days_since / mean_gap_days) AS risk,
    1 - exp(-days_since / mean_gap_days) >= {q.bind(spec.threshold)} AS at_risk,
    CASE WHEN bad_review THEN 'bad_review'
         WHEN unresolved THEN 'unresolved_support'
         ELSE 'last_touchpoint:' || coalesce(last_tp, '?') END AS reason
FROM scored
"""


def _churn_summary(r: Runner, spec: RetentionSpec) -> dict[str, Any]:
    total, at_risk = r.rows("SELECT count(*), count(*) FILTER (WHERE at_risk) FROM rt_churn")[0]
    reasons = r.rows(
        """SELECT CASE WHEN left(reason, 16) = 'last_touchpoint:' THEN 'last_touchpoint'
                       ELSE reason END, count(*)
        FROM rt_churn WHERE at_risk GROUP BY 1 ORDER BY 2 DESC, 1"""
    )
    touchpoints = r.rows(
        """SELECT substr(reason, 17), count(*) FROM rt_churn
        WHERE at_risk AND left(reason, 16) = 'last_touchpoint:'
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"""
    )
    q = r.sql()
    top = r.rows(
        f"""SELECT c.customer_id, c.days_since, round(c.mean_gap_days, 1), round(c.risk, 4),
            c.reason, {contact_columns("n")}
        FROM rt_churn c LEFT JOIN ({contacts_sql(q, r.identities())}) n
            ON n.customer_id = c.customer_id
        WHERE c.at_risk ORDER BY c.risk DESC, c.days_since DESC, c.customer_id
        LIMIT {int(spec.top)}""",
        q,
    )
    return {
        "customers": int(total),
        "at_risk": int(at_risk),
        "threshold": spec.threshold,
        "reasons": {reason: int(n) for reason, n in reasons},
        "last_touchpoints": {tp: int(n) for tp, n in touchpoints},
        "top": [
            {
                "customer_id": int(c),
                "days_since": int(d),
                "mean_gap_days": float(g),
                "risk": float(risk),
                "reason": why,
                **dict(zip(CONTACT_COLUMNS, contact, strict=True)),
            }
            for c, d, g, risk, why, *contact in top
        ],
    }
