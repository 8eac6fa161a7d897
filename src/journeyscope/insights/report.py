"""``journeyscope insights``: what changed, found without being told where.

One scan counts every key-funnel step, stage, event and new customer per day and slice
(:mod:`journeyscope.insights.scan`); :mod:`journeyscope.insights.detect` finds the runs
that differ beyond chance; here each becomes a finding with its period, slice, numbers
before / during / after, the test, the customers affected and the command that shows the
evidence. A step's numbers are the funnel report's own for those dates and that slice
(the command prints the same), so a finding can be checked by anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from journeyscope.analytics.scope import Clause, Filter, Scope
from journeyscope.engine.runner import Runner, as_runner
from journeyscope.events.query import event_name
from journeyscope.events.workspace import InsightsConfig, Workspace
from journeyscope.insights.detect import Candidate, detect, not_converting, series_of
from journeyscope.insights.plan import Scan, build
from journeyscope.insights.scan import COHORT, LOOP, NEW, PAIR, SCHEMA, VOLUME, count
from journeyscope.insights.stats import SENSITIVITIES, two_proportions

__all__ = ["insights", "since_day"]

#: Days after a sale day whose deliveries and messages follow from the sale
AFTERMATH_DAYS = 14
#: Findings listed; the rest are counted
TOP = 25
#: Days before and after a finding's period that its "before" and "after" cover (at most)
SIDE_DAYS = 28
TEST_RATE = "two-proportion z-test against the other weeks, Bonferroni over the runs of weeks tried"
TEST_COUNT = "negative-binomial tail against the weekday-adjusted median of the surrounding weeks"


def insights(
    where: Runner | Workspace,
    scope: Scope,
    config: InsightsConfig,
    *,
    where_text: str | None = None,
    since: date | None = None,
    slices: list[str] | None = None,
    workspace_arg: str = "DIR",
) -> dict[str, Any]:
    """The insights report (the ``--json`` shape of ``journeyscope insights``)."""
    r = as_runner(where)
    s = SENSITIVITIES[config.sensitivity]
    passive = frozenset(event_name(e) for e in r.ws.config.events.passive)
    scan = build(r, scope, config, slices, passive)
    base: dict[str, Any] = {
        "scope": scope.describe(),
        "timezone": r.zone,
        "sensitivity": config.sensitivity,
        "since": since.isoformat() if since else None,
    }
    if scan is None:
        from journeyscope.errors import InputError, Location

        raise InputError(
            "insights: no events in --from/--to and --where, so nothing can have changed",
            "insights: không có sự kiện nào trong --from/--to và --where, nên không có gì để so",
            location=Location(field="--from"),
            hint_en="widen --from/--to or loosen --where "
            "(journeyscope stats shows the data's dates)",
            hint_vi="mở rộng --from/--to hoặc nới --where "
            "(journeyscope stats cho biết ngày dữ liệu)",
            code="no_data_in_period",
        )
    plan = scan.plan
    counts = r.per_customer(
        scan.sql, scan.q, lambda cols: count(cols, plan), SCHEMA, in_order=scan.in_order
    )
    series = series_of(counts, scan.days)
    last_day = scan.first_day + timedelta(days=scan.days - 1)
    calendar, seasonal = scan.calendar, scan.seasonal
    censor = _censored(scan)
    repeat_days = int(plan.repeat_within // (86_400 * 1_000_000)) + 1
    aftermath = np.zeros(scan.days, bool)
    for d in plan.sale_days:
        aftermath[d : d + AFTERMATH_DAYS + 1] = True
    found = detect(
        series, scan.first_day, seasonal, censor, repeat_days, s, frozenset(plan.passive), aftermath
    )
    convert_days = -(-plan.convert_within // (86_400 * 1_000_000)) + 1
    upgraded = [_upgrade(c, seasonal, s, convert_days) for c in found]
    found = [c for c in upgraded if c is not None and not _good_news(c)]
    if since is not None:
        cut = (since - scan.first_day).days
        found = [c for c in found if c.last >= cut]
    chosen = _strongest_per_change(found, scan)
    chosen.sort(key=lambda c: (-c[0].affected, c[0].p))
    rate_series = sum(1 for sr in series if sr.kind in (PAIR, LOOP))
    ctx = _Context(r, scope, scan, where_text, workspace_arg, s.fdr / max(rate_series, 1))
    ctx.count_event_windows([c for c, _ in chosen[:TOP] if c.series.kind == VOLUME])
    told = [ctx.finding(c, others) for c, others in chosen[:TOP]]
    findings = _fold_traffic_mix([f for f in told if f is not None])
    # ranked by the customers affected as finally counted (a step's by the funnel report)
    findings.sort(key=lambda f: (-f["customers_affected"], f["p_value"] or 0.0))
    return {
        **base,
        "scanned": {
            "from": scan.first_day.isoformat(),
            "to": last_day.isoformat(),
            "days": scan.days,
            "events": len(scan.events),
            "slices": [
                {"field": name, "values": len(vals)}
                for name, vals in zip(scan.slices, scan.values, strict=True)
            ],
            "slices_missing": scan.skipped,
            "funnel_steps": [
                {"funnel": p.funnel, "from": p.a, "to": p.b, "window": p.window} for p in scan.pairs
            ],
            "series": len(series),
        },
        "seasonal_days": [
            {"date": d.isoformat(), "name_en": en, "name_vi": vi}
            for d, (en, vi) in calendar.items()
        ],
        "findings": findings,
        "more_findings": max(0, len(chosen) - TOP),
        "nothing_changed": not findings,
    }


def since_day(text: str, zone: str) -> date:
    """``--since``: a day (or a time, whose day in ``zone`` is taken)."""
    from zoneinfo import ZoneInfo

    from journeyscope.errors import InputError, Location
    from journeyscope.events.when import to_utc

    try:
        moment = to_utc(text, ZoneInfo(zone), False)
    except ValueError:
        raise InputError(
            f"cannot read --since {text!r}: use YYYY-MM-DD",
            f"không đọc được --since {text!r}: dùng YYYY-MM-DD",
            location=Location(field="--since"),
            hint_en="e.g. --since 2026-05-01 (the day of your last look)",
            hint_vi="ví dụ --since 2026-05-01 (ngày bạn xem lần trước)",
            code="invalid_date",
        ) from None
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).date()


def _censored(scan: Scan) -> dict[tuple[int, int], int]:
    """Days at the end whose step outcome may still come (their window is not over)."""
    out = {}
    day = 86_400 * 1_000_000
    for i, (_, _, within) in enumerate(scan.plan.pairs):
        out[(PAIR, i)] = -(-within // day) + 1
    for i, loop in enumerate(scan.plan.loops):
        out[(LOOP, i)] = -(-loop[3] // day) + 1
    return out


def _good_news(c: Candidate) -> bool:
    """A cohort that keeps better, or fewer customers sent back a step: not an incident."""
    return (c.kind == "cohort" and c.direction > 0) or (c.kind == "loop" and c.direction < 0)


def _upgrade(c: Candidate, seasonal: np.ndarray, s: Any, censored: int) -> Candidate | None:
    """A spike of new customers matters when they did not convert; otherwise the events'
    own spikes already tell it."""
    if c.kind == "new_customers":
        return not_converting(c, seasonal, s, censored)
    return c


def _strongest_per_change(
    found: list[Candidate], scan: Scan
) -> list[tuple[Candidate, list[Candidate]]]:
    """One finding per change: the same metric moving over overlapping days in several
    slices is one change, told in the slice where it is concentrated."""
    groups: list[list[Candidate]] = []
    for c in sorted(found, key=lambda c: c.p):
        for g in groups:
            h = g[0]
            if (h.kind, h.series.kind, h.series.a) == (c.kind, c.series.kind, c.series.a) and (
                c.first <= h.last and h.first <= c.last
            ):
                g.append(c)
                break
        else:
            groups.append([c])
    out = []
    for g in groups:
        best = g[0]
        for c in g[1:]:
            if _score(c) > _score(best):
                best = c
        out.append((best, [c for c in g if c is not best]))
    return out


def _score(c: Candidate) -> float:
    """How strongly a slice shows the change (every candidate is already significant): the
    slice where it is concentrated scores above the whole it is diluted in."""
    if c.rate_during is not None and c.rate_baseline is not None:
        return abs(c.rate_during - c.rate_baseline)
    if c.expected is not None:
        return (c.observed or 0) / max(c.expected, 0.5)
    return 0.0


def _fold_traffic_mix(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One incident, one finding: what follows from another finding is told under it.

    - a spike of events while new customers poured in without buying is that crowd;
    - a step whose conversion fell while its customers per day more than doubled, during
      such a spike, fell because of who came, not because the step broke;
    - customers sent back from a step whose conversion fell, in the same slice and days,
      are that step failing (in whichever slice each is told: the loop and the step are
      often concentrated in a slice and its subset, an app and its Android users);
    - a step that failed while a new event (an error) appeared, in the same days, failed
      with it.
    """
    # loops into the step that failed first, so they travel with it if it folds further
    findings = _fold(findings, lambda f: _host(f, [], findings) if f["kind"] == "loop" else None)
    crowds = [f for f in findings if f["kind"] == "spike_not_converting"]
    news = [f for f in findings if f["kind"] == "new_event"]
    return _fold(findings, lambda f: _host(f, crowds, findings) or _new_event_host(f, news))


def _fold(
    findings: list[dict[str, Any]], host_of: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> list[dict[str, Any]]:
    kept = []
    for f in findings:
        host = host_of(f)
        if host is None or host is f:
            kept.append(f)
            continue
        entry = {
            key: f.get(key)
            for key in (
                "kind",
                "direction",
                "metric",
                "slice",
                "period",
                "change",
                "customers_affected",
                "command",
            )
        }
        host.setdefault("related", []).extend([entry, *f.get("related", [])])
    return kept


def _host(
    f: dict[str, Any], crowds: list[dict[str, Any]], findings: list[dict[str, Any]]
) -> dict[str, Any] | None:
    if f["kind"] in ("spike",):
        return next((c for c in crowds if _overlap(c["period"], f["period"])), None)
    if f["kind"] == "conversion" and f.get("before") and f.get("during"):
        b, d = f["before"], f["during"]
        if d["customers"] / _days(d) > 2 * b["customers"] / _days(b):
            return next((c for c in crowds if _overlap(c["period"], f["period"])), None)
    if f["kind"] == "loop":
        step = f["metric"]["step"]
        return next(
            (
                c
                for c in findings
                if c["kind"] == "conversion"
                and c["metric"]["from_step"] == step
                and _overlap(c["period"], f["period"])
            ),
            None,
        )
    return None


def _new_event_host(f: dict[str, Any], news: list[dict[str, Any]]) -> dict[str, Any] | None:
    """An event that did not exist before (an error) explains a step that failed in the
    same days, and its own spikes."""
    if f["kind"] not in ("conversion", "loop", "spike"):
        return None
    for n in news:
        if f["kind"] == "spike" and f["metric"].get("event") != n["metric"]["event"]:
            continue
        lo = (date.fromisoformat(n["period"]["from"]) - timedelta(days=3)).isoformat()
        hi = (date.fromisoformat(n["period"]["to"]) + timedelta(days=3)).isoformat()
        if lo <= f["period"]["from"] and f["period"]["to"] <= hi:
            return n
    return None


def _days(span: dict[str, Any]) -> int:
    return (date.fromisoformat(span["to"]) - date.fromisoformat(span["from"])).days + 1


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["from"] <= b["to"] and b["from"] <= a["to"])


class _Context:
    def __init__(
        self,
        r: Runner,
        scope: Scope,
        scan: Scan,
        where_text: str | None,
        workspace_arg: str,
        confirm_at: float,
    ) -> None:
        self.r, self.scope, self.scan = r, scope, scan
        #: the funnel's own before/during numbers must differ at this level: the run of
        #: weeks was picked as the most different of many, so 5 % would not do
        self.confirm_at = confirm_at
        self.where_text = where_text
        self.ws = workspace_arg
        #: (candidate id, window name) -> customers who did the event then (one scan)
        self.event_customers: dict[tuple[int, str], int] = {}

    # -- names -----------------------------------------------------------------------

    def day(self, i: int) -> date:
        return self.scan.first_day + timedelta(days=i)

    def slice_of(self, c: Candidate) -> dict[str, str] | None:
        if c.series.g == 0:
            return None
        g = c.series.g - 1
        return {"field": self.scan.slices[g], "value": self.scan.values[g][c.series.val]}

    def clause(self, c: Candidate) -> str | None:
        sl = self.slice_of(c)
        if not sl:
            return None
        return f"{sl['field']} = {quoted(sl['value'])}"

    def customer_slice(self, c: Candidate) -> bool:
        """A segment is a set of customers: all their events are in it, so the slice goes
        in ``--where`` (a step's own filter takes event fields only)."""
        sl = self.slice_of(c)
        return bool(sl and sl["field"] == "segment")

    def step_in_slice(self, step: str, c: Candidate) -> str:
        """The step, taken in the finding's slice (``checkout[platform = 'android']``)."""
        clause = self.clause(c)
        if not clause or self.customer_slice(c):
            return step
        if step.endswith("]"):
            return f"{step[:-1]} and {clause}]"
        return f"{step}[{clause}]"

    def slice_filter(self, c: Candidate, events_in_slice: bool) -> str | None:
        parts = [self.where_text] if self.where_text else []
        clause = self.clause(c)
        if clause and (events_in_slice or self.customer_slice(c)):
            parts.append(clause)
        return " and ".join(parts) or None

    def scope_for(self, c: Candidate, first: date, last: date, events_in_slice: bool) -> Scope:
        text = self.slice_filter(c, events_in_slice)
        # parsed as `--from/--to/--where` are (segments bound to their customers)
        return Scope.parse(self.r.ws, first.isoformat(), last.isoformat(), text)

    def command(
        self, report: str, args: list[str], c: Candidate, span: tuple[date, date], in_slice: bool
    ) -> str:
        parts = ["journeyscope", report, "-w", self.ws, *args]
        parts += ["--from", span[0].isoformat(), "--to", span[1].isoformat()]
        flt = self.slice_filter(c, in_slice)
        if flt:
            parts += ["--where", flt]
        return " ".join(_shell_word(p) for p in parts)

    # -- findings --------------------------------------------------------------------

    def windows(self, c: Candidate) -> dict[str, tuple[date, date] | None]:
        first, last = self.day(c.first), self.day(c.last)
        length = min(SIDE_DAYS, max(7, (last - first).days + 1))
        start, end = self.day(0), self.day(self.scan.days - 1)
        before = (max(start, first - timedelta(days=length)), first - timedelta(days=1))
        after = (last + timedelta(days=1), min(end, last + timedelta(days=length)))
        return {
            "before": before if before[0] <= before[1] else None,
            "during": (first, last),
            "after": after if after[0] <= after[1] else None,
        }

    def finding(self, c: Candidate, others: list[Candidate]) -> dict[str, Any] | None:
        w = self.windows(c)
        during = w["during"]
        assert during is not None
        out: dict[str, Any] = {
            "kind": c.kind,
            "direction": "up" if c.direction > 0 else "down",
            "slice": self.slice_of(c),
            "period": {
                "from": during[0].isoformat(),
                "to": during[1].isoformat(),
                "days": (during[1] - during[0]).days + 1,
            },
            "p_value": _round(c.p, 8),
            "customers_affected": int(c.affected),
            "also_in": [s for s in (self.slice_of(o) for o in others) if s][:8],
        }
        if c.series.kind in (PAIR, LOOP):
            return self._step(out, c, w)
        if c.series.kind == COHORT:
            return self._cohort(out, c, w)
        if c.series.kind == NEW:
            return self._new(out, c, w)
        return self._event(out, c, w)

    def _step(self, out: dict[str, Any], c: Candidate, w: dict[str, Any]) -> dict[str, Any] | None:
        from journeyscope.analytics.funnels import FunnelSpec, funnel
        from journeyscope.analytics.scope import parse_duration, parse_steps

        if c.series.kind == LOOP:
            pair = self.scan.loops[c.series.a]
            out["metric"] = {
                "funnel": pair.funnel,
                "step": pair.a,
                "back_to": pair.b,
                "window": pair.window,
                "unit": "customers per day",
            }
            out["test"] = TEST_RATE
            out["during"] = _rate_numbers(c.n_during, c.rate_during)
            out["baseline"] = {"rate": _round(c.rate_baseline, 4)}
            out["change"] = {"absolute": _round((c.rate_during or 0) - (c.rate_baseline or 0), 4)}
            # paths starts from an event name: a step with a filter shows its event's paths
            event = pair.a.split("[")[0]
            out["command"] = (
                self.command("paths", ["--start", event], c, w["during"], True)
                if event != "*"
                else None
            )
            return out
        pair = self.scan.pairs[c.series.a]
        steps = f"{self.step_in_slice(pair.a, c)},{pair.b}"
        spec = FunnelSpec(parse_steps(steps), parse_duration(pair.window))
        out["metric"] = {
            "funnel": pair.funnel,
            "from_step": pair.a,
            "to_step": pair.b,
            "window": pair.window,
            "unit": "customers",
        }
        numbers: dict[str, dict[str, Any] | None] = {}
        for name, span in w.items():
            if span is None:
                numbers[name] = None
                continue
            rep = funnel(self.r, spec, self.scope_for(c, span[0], span[1], events_in_slice=False))
            entered, converted = rep["steps"][0]["customers"], rep["steps"][1]["customers"]
            numbers[name] = {
                "from": span[0].isoformat(),
                "to": span[1].isoformat(),
                "customers": entered,
                "converted": converted,
                "rate": _round(converted / entered, 4) if entered else None,
            }
        before, during = numbers["before"], numbers["during"]
        if not before or not during or not before["customers"] or not during["customers"]:
            return None
        diff, low, high, p = two_proportions(
            before["converted"], before["customers"], during["converted"], during["customers"]
        )
        if p > self.confirm_at or (diff > 0) != (c.direction > 0):
            return None  # the funnel's own numbers for these dates do not bear it out
        out.update(numbers)
        out["change"] = {
            "absolute": _round(diff, 4),
            "relative": _round(diff / before["rate"], 4) if before["rate"] else None,
            "ci95": [_round(low, 4), _round(high, 4)],
            "p_value": _round(p, 8),
        }
        out["test"] = TEST_RATE
        out["customers_affected"] = round(during["customers"] * abs(diff))
        out["command"] = self.command(
            "funnel", ["--steps", steps, "--window", pair.window], c, w["during"], False
        )
        return out

    def count_event_windows(self, found: list[Candidate]) -> None:
        """Customers who did each finding's event before, during and after it, in its
        slice: what ``funnel --steps EVENT`` prints for those dates, counted for every
        finding in one scan (a funnel run per window would read the events 3 × N times)."""
        q = self.r.sql()
        conds = []
        keys = []
        for c in found:
            event = self.scan.events[c.series.a]
            for name, span in self.windows(c).items():
                if span is None:
                    continue
                scope = self.scope_for(c, span[0], span[1], events_in_slice=True)
                conds.append(f"(e.event = {q.bind(event)} AND {scope.sql(q, 'e')})")
                keys.append((id(c), name))
        if not conds:
            return
        # each window's test is a column of the scan (fields only the full event row has
        # are joined by the source, as for any report)
        # read only the findings' events, over the days their windows cover
        names = sorted({self.scan.events[c.series.a] for c in found})
        spans = [span for c in found for span in self.windows(c).values() if span]
        wide = Scope.parse(
            self.r.ws,
            min(a for a, _ in spans).isoformat(),
            max(b for _, b in spans).isoformat(),
            None,
        )
        clauses = (*self.scope.where.clauses, Clause("event", "in", tuple(names)))
        narrow = replace(
            self.scope,
            since=max(filter(None, (self.scope.since, wide.since))),
            until=min(filter(None, (self.scope.until, wide.until))),
            where=Filter(clauses),
        )
        base = self.r.source(
            narrow, q, ", ".join(f"{cond} AS w{i}" for i, cond in enumerate(conds))
        )
        counts = ", ".join(
            f"count(DISTINCT CASE WHEN w{i} THEN customer_id END)" for i in range(len(conds))
        )
        wanted = " OR ".join(f"w{i}" for i in range(len(conds)))
        row = self.r.rows(f"SELECT {counts} FROM ({base}) b WHERE {wanted}", q)[0]
        self.event_customers = {key: int(n) for key, n in zip(keys, row, strict=True)}

    def _event(self, out: dict[str, Any], c: Candidate, w: dict[str, Any]) -> dict[str, Any]:
        event = self.scan.events[c.series.a]
        out["metric"] = {"event": event, "unit": "customers"}
        for name, span in w.items():
            if span is None:
                out[name] = None
                continue
            days = (span[1] - span[0]).days + 1
            n = self.event_customers[(id(c), name)]
            out[name] = {
                "from": span[0].isoformat(),
                "to": span[1].isoformat(),
                "customers": n,
                "per_day": _round(n / days, 2),
            }
        out["expected_per_day"] = _round((c.expected or 0) / out["period"]["days"], 2)
        out["observed_per_day"] = _round((c.observed or 0) / out["period"]["days"], 2)
        out["test"] = TEST_COUNT
        out["command"] = self.command(
            "funnel", ["--steps", _step_text(event), "--interval", "day"], c, w["during"], True
        )
        return out

    def _new(self, out: dict[str, Any], c: Candidate, w: dict[str, Any]) -> dict[str, Any]:
        out["metric"] = {
            "event": "first event (new customers)",
            "conversion": self.scan.conversion,
            "within": self.scan.config.convert_within,
            "unit": "customers",
        }
        out["during"] = _rate_numbers(c.n_during, c.rate_during)
        out["baseline"] = {"rate": _round(c.rate_baseline, 4)}
        out["expected_customers"] = _round(c.expected, 1)
        out["change"] = {"absolute": _round((c.rate_during or 0) - (c.rate_baseline or 0), 4)}
        out["test"] = "two-proportion z-test of the new customers' conversion against other days"
        out["command"] = self.command(
            "funnel",
            [
                "--steps",
                f"{self.step_in_slice('*', c)},{self.scan.conversion}",
                "--window",
                self.scan.config.convert_within,
            ],
            c,
            w["during"],
            False,
        )
        return out

    def _cohort(self, out: dict[str, Any], c: Candidate, w: dict[str, Any]) -> dict[str, Any]:
        out["metric"] = {
            "event": self.scan.conversion,
            "repeat_within": self.scan.config.repeat_within,
            "unit": "first buyers",
        }
        out["during"] = _rate_numbers(c.n_during, c.rate_during)
        out["baseline"] = {"rate": _round(c.rate_baseline, 4)}
        out["change"] = {"absolute": _round((c.rate_during or 0) - (c.rate_baseline or 0), 4)}
        out["test"] = "two-proportion z-test of the cohort's repeat rate against the other cohorts"
        whole = (self.day(0), self.day(self.scan.days - 1))
        conversion = self.scan.conversion
        period = "month" if self.scan.days >= 120 else "week"  # as detect's cohorts
        out["command"] = self.command(
            "retention",
            ["--period", period, "--cohort-event", conversion, "--return-event", conversion],
            c,
            whole,
            True,
        )
        return out


def _shell_word(word: str) -> str:
    """A word as a shell reads it back: plain, or in double quotes (filters quote their
    values with single quotes, so double quotes keep the command readable)."""
    if word and all(ch.isalnum() or ch in "-_./:,=@+" for ch in word):
        return word
    escaped = "".join("\\" + ch if ch in '"$`\\' else ch for ch in word)
    return f'"{escaped}"'


def quoted(value: str) -> str:
    """A filter value as the grammar reads it back: in single quotes, or in double quotes
    when it holds one (the plan leaves out values holding both)."""
    return f'"{value}"' if "'" in value else f"'{value}'"


def _step_text(event: str) -> str:
    return event if event.replace("_", "").isalnum() else f"*[event = {quoted(event)}]"


def _rate_numbers(n: int, rate: float | None) -> dict[str, Any]:
    return {"customers": int(n), "rate": _round(rate, 4)}


def _round(value: float | None, digits: int) -> float | None:
    if value is None or np.isnan(value):
        return None
    return round(float(value), digits)
