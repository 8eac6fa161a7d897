"""``journeyscope map review``: what changed on a map since the last review, for every face.

Two periods — ``--since`` … ``--to`` ("after") and as many days just before it ("before"),
days in the workspace time zone — each evaluated as ``map render -w --from --to`` would:
the same report fetch and the same :func:`journeyscope.living.bind.evaluate`, so every
number equals what the rendered map shows for that period. The pains and the emotion curve
of a current-state map come from the evidence ``map generate`` draws them from
(:func:`journeyscope.app.generate.gather_evidence`). Shares are tested with
``insights``' two-proportion test, means of answers with Welch's t-test, and one
Benjamini–Hochberg pass over the whole review keeps the false alarms under the
sensitivity's rate (:mod:`journeyscope.living.review` holds the comparison itself).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
from pydantic import ConfigDict, Field

from journeyscope.app.reports import Part, Report, Text
from journeyscope.errors import InputError, Location
from journeyscope.events.workspace import Workspace
from journeyscope.insights.stats import (
    SENSITIVITIES,
    Sensitivity,
    benjamini_hochberg,
    two_proportions,
)
from journeyscope.living.bind import BoundValue, Fetch, Settings, bound_items, evaluate
from journeyscope.living.metrics import METRICS, Raw
from journeyscope.living.review import (
    EMOTION_RANGE,
    REASONS,
    Compared,
    Side,
    no_data,
    not_tested,
    periods,
)
from journeyscope.maps.bindings import DEFAULT_STAGE_MODEL
from journeyscope.maps.model import JourneyMap, as_item
from journeyscope.maps.text import Localized, localize

__all__ = [
    "ReviewItem",
    "ReviewPeriod",
    "ReviewReport",
    "moved_items",
    "review_map",
    "review_title",
    "review_values",
]

#: why each metric is not tested, when it is not (a key of living.review.REASONS)
UNTESTED = {
    "stage_reach": "count",
    "stage_time": "median",
    "average_rating": "mean_without_answers",
    "nps": "mean_without_answers",
    "csat": "mean_without_answers",
    "ces": "mean_without_answers",
    "sentiment": "mean_without_answers",
}
#: whether a rise of the metric is good news
HIGHER_IS = {
    "stage_conversion": "better",
    "stage_dropoff": "worse",
    "touchpoint_conversion": "better",
    "touchpoint_dropoff": "worse",
    "repeat_contact_rate": "worse",
    "average_rating": "better",
    "nps": "better",
    "csat": "better",
    "ces": "worse",
    "sentiment": "better",
}


class ReviewPeriod(Part):
    """One period of the review: its first and last day (workspace time zone) and length."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    days: int


class ReviewSide(Part):
    value: float | None = None  # None: no data (never 0)
    n: int | None = None


class ReviewItem(Part):
    """One number, pain or emotion point held against the period before."""

    kind: str  # cell | dropoff | repeat_contact | negative_aspect | emotion
    stage: str
    subject: str | None = None  # the cell's expression, the touchpoint or the aspect
    label: Text | None = None
    unit: str
    lane: str | None = None
    index: int | None = None
    metric: str | None = None
    before: ReviewSide
    after: ReviewSide
    change: float | None = None  # after − before (points of a share as a fraction)
    ci95: tuple[float, float] | None = None
    p_value: float | None = None
    test: str | None = None  # two_proportions | welch_t
    status: str  # moved | steady | not_tested | no_data
    direction: str | None = None  # better | worse, for a moved item with a good side
    reason: Text | None = None  # why not tested


class ReviewReport(Report):
    """What moved on the map between two periods, with the test behind each verdict."""

    map: str
    timezone: str
    sensitivity: str
    before: ReviewPeriod
    after: ReviewPeriod
    cells: list[ReviewItem]
    pains: list[ReviewItem]
    emotions: list[ReviewItem]
    new_pains: list[ReviewItem]  # pains that got significantly worse
    eased_pains: list[ReviewItem]  # … and better
    tested: int
    moved: int
    nothing_moved: bool

    def rows(self) -> list[dict[str, Any]]:
        return [i.model_dump() for i in (*self.cells, *self.pains, *self.emotions)]


# -- bad input -----------------------------------------------------------------------------


def _no_bindings(name: str) -> InputError:
    return InputError(
        f"map {name!r} has no cell bound to data (`metric:`), so nothing can be reviewed",
        f"bản đồ {name!r} không có ô nào gắn dữ liệu (`metric:`), nên không có gì để xem lại",
        hint_en="bind cells (docs/maps.md, Maps bound to data) or draw a map from the data "
        "with `journeyscope map generate -w DIR -o FILE`",
        hint_vi="gắn dữ liệu cho các ô (docs/maps.md) hoặc tạo bản đồ từ dữ liệu bằng "
        "`journeyscope map generate -w DIR -o FILE`",
        code="no_bindings",
    )


def _missing_since() -> InputError:
    return InputError(
        "map review needs --since: the day of the last review",
        "map review cần --since: ngày xem lại lần trước",
        location=Location(field="--since"),
        hint_en="e.g. --since 2026-05-01 --to 2026-05-31 compares May with April",
        hint_vi="ví dụ --since 2026-05-01 --to 2026-05-31 so tháng 5 với tháng 4",
        code="missing_since",
    )


def _bad_period(en: str, vi: str, field: str, code: str, last: date | None) -> InputError:
    span_en = f" (the data ends on {last.isoformat()})" if last else ""
    span_vi = f" (dữ liệu kết thúc ngày {last.isoformat()})" if last else ""
    return InputError(
        en + span_en,
        vi + span_vi,
        location=Location(field=field),
        hint_en="pick --since within the data; `journeyscope stats -w DIR` shows its dates",
        hint_vi="chọn --since trong khoảng dữ liệu; `journeyscope stats -w DIR` cho biết ngày",
        code=code,
    )


def _day(text: str, zone: str, field: str) -> date:
    """A day given as ``YYYY-MM-DD`` (or a time, whose day in ``zone`` is taken)."""
    from zoneinfo import ZoneInfo

    from journeyscope.events.when import to_utc

    try:
        moment = to_utc(text, ZoneInfo(zone), False)
    except ValueError:
        raise InputError(
            f"cannot read {field} {text!r}: use YYYY-MM-DD",
            f"không đọc được {field} {text!r}: dùng YYYY-MM-DD",
            location=Location(field=field),
            hint_en="e.g. --since 2026-05-01 (the day of your last review)",
            hint_vi="ví dụ --since 2026-05-01 (ngày xem lại lần trước)",
            code="invalid_date",
        ) from None
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).date()


def _sensitivity(name: str) -> Sensitivity:
    if name not in SENSITIVITIES:
        from journeyscope.errors import unknown_option

        raise unknown_option(
            "sensitivity", "độ nhạy", name, list(SENSITIVITIES), code="unknown_sensitivity"
        )
    return SENSITIVITIES[name]


def _data_days(ws: Workspace) -> tuple[date, date] | None:
    """The first and last day of the customer events, in the workspace time zone."""
    from zoneinfo import ZoneInfo

    from journeyscope.engine.runner import require_resolved

    require_resolved(ws)
    row = ws.con.execute("SELECT min(ts), max(ts) FROM events").fetchone()
    if row is None or row[0] is None:
        return None
    zone = ZoneInfo(ws.config.timezone)
    days = []
    for moment in row:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
        days.append(aware.astimezone(zone).date())
    return days[0], days[1]


# -- the numbers of the map ----------------------------------------------------------------


def _cached(fetch: Fetch) -> Fetch:
    cache: dict[tuple[str, str | None], dict[str, Any]] = {}

    def report(kind: str, where: str | None) -> dict[str, Any]:
        if (kind, where) not in cache:
            cache[(kind, where)] = fetch(kind, where)
        return cache[(kind, where)]

    return report


def review_values(
    ws: Workspace, m: JourneyMap, since: date, until: date, settings: Settings | None = None
) -> tuple[list[BoundValue], list[Raw | None]]:
    """The map's values for one period exactly as ``map render -w --from --to`` shows
    them, and each cell's report row read as a :class:`Raw` (its successes, for the test)."""
    from journeyscope.app.living import report_fetch
    from journeyscope.living.bind import _row

    base = settings or Settings()
    fetch = _cached(report_fetch(ws, m.stage_model or DEFAULT_STAGE_MODEL, str(since), str(until)))
    values = evaluate(m, fetch, Settings(base.min_customers, base.stale_days, str(until)))
    raws: list[Raw | None] = []
    for b, value in zip(bound_items(m), values, strict=True):
        metric = METRICS[b.binding.name]
        row = None if value.state != "ok" else _row(b, metric, fetch)[0]
        raws.append(metric.extract(row) if row is not None else None)
    return values, raws


def _side(value: BoundValue, raw: Raw | None) -> Side:
    if value.state != "ok" or raw is None:
        return Side()
    return Side(value.value, value.n, raw.successes)


def _cells(
    ws: Workspace,
    m: JourneyMap,
    before: tuple[date, date],
    after: tuple[date, date],
    settings: Settings | None,
) -> tuple[list[Compared], list[BoundValue]]:
    old, old_raw = review_values(ws, m, *before, settings)
    new, new_raw = review_values(ws, m, *after, settings)
    out = []
    for b, v0, r0, v1, r1 in zip(bound_items(m), old, old_raw, new, new_raw, strict=True):
        metric = METRICS[b.binding.name]
        item = Compared(
            "cell",
            b.stage,
            v1.expression,
            metric.unit,
            _side(v0, r0),
            _side(v1, r1),
            HIGHER_IS.get(metric.name),  # type: ignore[arg-type]
            lane=b.lane,
            index=b.index,
            metric=metric.name,
        )
        reason = UNTESTED.get(metric.name)
        out.append(not_tested(item, reason) if reason else shares(item))
    return out, new


# -- the tests -----------------------------------------------------------------------------


def shares(item: Compared) -> Compared:
    """A share in both periods, tested (two proportions, Newcombe's interval)."""
    b, a = item.before, item.after
    if b.empty or a.empty or not b.n or not a.n or b.successes is None or a.successes is None:
        return no_data(item)
    _, low, high, p = two_proportions(b.successes, b.n, a.successes, a.n)
    return replace(
        item,
        change=float(a.value or 0) - float(b.value or 0),
        ci=(low, high),
        p_value=p,
        test="two_proportions",
        status="steady",
    )


def means(item: Compared, before: Sequence[float], after: Sequence[float]) -> Compared:
    """A mean of answers in both periods, tested with Welch's t-test on the answers."""
    if not before or not after:
        return no_data(item)
    diff = statistics.fmean(after) - statistics.fmean(before)
    if len(before) < 2 or len(after) < 2:
        return replace(item, change=diff, reason="few")
    from scipy import special

    v1 = statistics.variance(before) / len(before)
    v2 = statistics.variance(after) / len(after)
    se = math.sqrt(v1 + v2)
    if se == 0:
        return replace(item, change=diff, ci=(diff, diff), p_value=1.0, test="welch_t")
    df = (v1 + v2) ** 2 / (v1**2 / (len(before) - 1) + v2**2 / (len(after) - 1))
    p = float(2 * special.stdtr(df, -abs(diff) / se))
    half = float(special.stdtrit(df, 0.975)) * se
    return replace(
        item,
        change=diff,
        ci=(diff - half, diff + half),
        p_value=p,
        test="welch_t",
        status="steady",
    )


def _large_enough(item: Compared, s: Sensitivity) -> bool:
    """Big enough to act on: the sensitivity's minimum change (for a share also relative
    to where it was), on at least its minimum number of customers in each period."""
    if item.change is None or min(item.before.n or 0, item.after.n or 0) < s.min_customers:
        return False
    if item.unit == "%":
        before = float(item.before.value or 0)
        return abs(item.change) >= s.min_change and abs(item.change) >= s.min_relative * before
    return abs(item.change) >= s.min_change * EMOTION_RANGE


def decide(items: list[Compared], s: Sensitivity) -> list[Compared]:
    """Which tested items moved: Benjamini–Hochberg over all of them at the sensitivity's
    rate, and a change large enough to act on."""
    tested = [i for i, c in enumerate(items) if c.status == "steady" and c.p_value is not None]
    found = benjamini_hochberg(np.array([items[i].p_value for i in tested]), s.fdr)
    out = list(items)
    for i, discovery in zip(tested, found, strict=True):
        if bool(discovery) and _large_enough(items[i], s):
            out[i] = replace(items[i], status="moved")
    return out


# -- pains and emotions --------------------------------------------------------------------

Evidence = Any  # journeyscope.living.generate.Evidence, or None for a period without data


def _evidence(ws: Workspace, model: str, period: tuple[date, date]) -> Evidence:
    from journeyscope.app.generate import gather_evidence
    from journeyscope.errors import JourneyScopeError

    try:
        return gather_evidence(ws, model, str(period[0]), str(period[1]))
    except JourneyScopeError as exc:
        if exc.code == "no_data":
            return None
        raise


def _rows(evidence: Evidence) -> list[dict[str, Any]]:
    return [] if evidence is None else list(evidence.touchpoints.get("touchpoints", []))


def _raw_side(raw: Raw | None) -> Side:
    return Side() if raw is None else Side(raw.value, raw.n, raw.successes)


#: the touchpoint pains held against the period before: kind, metric, the sample's key,
#: whether only the conversion's stage counts, and whether a rise is good news
TOUCHPOINT_KINDS = (
    ("dropoff", "touchpoint_dropoff", "observed", False, "worse"),
    ("conversion", "touchpoint_conversion", "customers", True, "better"),
    ("repeat_contact", "repeat_contact_rate", "contact_customers", False, "worse"),
)


def _touchpoint_items(old: Evidence, new: Evidence) -> list[Compared]:
    """Per touchpoint of the ``touchpoints`` report, in both periods: the share leaving
    after it, the share converting after a step of the conversion's stage (checkout), and
    repeat contacts — wherever either period has ``MIN_SAMPLE`` customers for it."""
    from journeyscope.living.generate import MIN_SAMPLE

    stage = (new or old).conversion_stage
    before = {r["touchpoint"]: r for r in _rows(old)}
    after = {r["touchpoint"]: r for r in _rows(new)}
    out = []
    for tp in sorted(set(before) | set(after)):
        pair = (before.get(tp), after.get(tp))
        rows = [r for r in pair if r]
        where = next((r.get("stage") for r in reversed(rows) if r.get("stage")), None)
        for kind, metric_name, n_key, only_conversion, higher in TOUCHPOINT_KINDS:
            if only_conversion and where != stage:
                continue
            if max(int(r.get(n_key) or 0) for r in rows) < MIN_SAMPLE:
                continue
            extract = METRICS[metric_name].extract
            old_side, new_side = (_raw_side(extract(r) if r else None) for r in pair)
            item = Compared(kind, str(where or ""), tp, "%", old_side, new_side, higher)  # type: ignore[arg-type]
            out.append(shares(item))
    return out


def _aspect_counts(evidence: Evidence) -> dict[tuple[str, str], tuple[int, int]]:
    """(stage, aspect) -> (texts, negative texts)."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item in [] if evidence is None else evidence.feedback:
        if item.stage is None or not item.text:
            continue
        for aspect in item.aspects:
            counts[(item.stage, aspect)][0] += 1
            counts[(item.stage, aspect)][1] += item.sentiment == "negative"
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _aspect_items(old: Evidence, new: Evidence) -> list[Compared]:
    from journeyscope.living.generate import MIN_SAMPLE

    before, after = _aspect_counts(old), _aspect_counts(new)
    out = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if max(b[0] if b else 0, a[0] if a else 0) < MIN_SAMPLE:
            continue
        old_side, new_side = (
            Side() if c is None else Side(c[1] / c[0], c[0], c[1]) for c in (b, a)
        )
        item = Compared("negative_aspect", key[0], key[1], "%", old_side, new_side, "worse")
        out.append(shares(item))
    return out


def _scores(evidence: Evidence) -> dict[str, list[float]]:
    from journeyscope.living.generate import emotion_score

    scores: dict[str, list[float]] = defaultdict(list)
    for item in [] if evidence is None else evidence.feedback:
        score = emotion_score(item)
        if item.stage is not None and score is not None:
            scores[item.stage].append(score)
    return scores


def _emotion_items(old: Evidence, new: Evidence, stage_ids: list[str]) -> list[Compared]:
    """The emotion curve's point per stage (−2…+2, as ``map generate`` draws it)."""
    before, after = _scores(old), _scores(new)
    out = []
    for stage in stage_ids:
        b, a = before.get(stage, []), after.get(stage, [])
        if not b and not a:
            continue
        old_side, new_side = (
            Side(round(statistics.fmean(x), 4), len(x)) if x else Side() for x in (b, a)
        )
        item = Compared("emotion", stage, None, "emotion", old_side, new_side, "better")
        out.append(means(item, b, a))
    return out


def _pains_and_emotions(
    ws: Workspace, m: JourneyMap, before: tuple[date, date], after: tuple[date, date]
) -> tuple[list[Compared], list[Compared]]:
    """For a current-state map: its pains and emotion points, in both periods."""
    from journeyscope.analytics.stages import rules_for
    from journeyscope.errors import JourneyScopeError

    model = m.stage_model or DEFAULT_STAGE_MODEL
    if m.type != "current_state":
        return [], []
    try:
        rules_for(model, None)
    except JourneyScopeError:  # a model without stage rules has no pains to place
        return [], []
    old, new = _evidence(ws, model, before), _evidence(ws, model, after)
    if old is None and new is None:
        return [], []
    pains = [*_touchpoint_items(old, new), *_aspect_items(old, new)]
    ids = [s.id for s in (new or old).model.stages]
    return pains, _emotion_items(old, new, ids)


# -- the report ----------------------------------------------------------------------------


def _label(m: JourneyMap, c: Compared) -> Text | None:
    if c.kind != "cell" or c.metric is None:
        return None
    lane = next(lane for lane in m.lanes if lane.id == c.lane)
    item = as_item(lane.cells[c.stage][c.index or 0])
    metric = METRICS[c.metric]
    if item.has_label and item.text is not None:
        text = item.text
        return (
            text
            if isinstance(text, str)
            else {"en": localize(text, "en"), "vi": localize(text, "vi")}
        )
    return {"en": metric.label_en, "vi": metric.label_vi}


def _typed(m: JourneyMap, c: Compared) -> ReviewItem:
    reason = REASONS.get(c.reason or "") if c.status == "not_tested" else None
    return ReviewItem(
        kind=c.kind,
        stage=c.stage,
        subject=c.subject,
        label=_label(m, c),
        unit=c.unit,
        lane=c.lane,
        index=c.index,
        metric=c.metric,
        before=ReviewSide(value=c.before.value, n=c.before.n),
        after=ReviewSide(value=c.after.value, n=c.after.n),
        change=None if c.change is None else round(c.change, 6),
        ci95=None if c.ci is None else (round(c.ci[0], 6), round(c.ci[1], 6)),
        p_value=c.p_value,
        test=c.test,
        status=c.status,
        direction=c.direction,
        reason={"en": reason[0], "vi": reason[1]} if reason else None,
    )


def _period(days: tuple[date, date]) -> ReviewPeriod:
    return ReviewPeriod.model_validate(
        {"from": str(days[0]), "to": str(days[1]), "days": (days[1] - days[0]).days + 1}
    )


def _check_period(
    ws: Workspace, since: str | None, until: str | None
) -> tuple[tuple[date, date], tuple[date, date]]:
    """The two periods, or a located refusal (no --since, unreadable, after the data)."""
    if not since:
        raise _missing_since()
    zone = ws.config.timezone
    first = _day(since, zone, "--since")
    last = _day(until, zone, "--to") if until else None
    span = _data_days(ws)
    if span is None or first > span[1]:
        raise _bad_period(
            f"--since {first.isoformat()} is after the data",
            f"--since {first.isoformat()} nằm sau dữ liệu",
            "--since",
            "since_after_data",
            None if span is None else span[1],
        )
    last = last or span[1]
    if last < first:
        raise _bad_period(
            f"--to {last.isoformat()} is before --since {first.isoformat()}",
            f"--to {last.isoformat()} trước --since {first.isoformat()}",
            "--to",
            "invalid_period",
            None,
        )
    return periods(first, last)


def review_map(
    ws: Workspace,
    m: JourneyMap,
    since: str | None,
    until: str | None = None,
    sensitivity: str = "medium",
    settings: Settings | None = None,
) -> tuple[ReviewReport, list[BoundValue]]:
    """What moved on ``m`` from the period before ``since`` to ``since`` … ``until``, and
    the after-period's values (for drawing the map with its markers)."""
    from journeyscope.app.living import require_bindings_in

    s = _sensitivity(sensitivity)
    if not any(True for _ in bound_items(m)):
        raise _no_bindings(m.id)
    before, after = _check_period(ws, since, until)
    require_bindings_in(ws, m)
    cells, after_values = _cells(ws, m, before, after, settings)
    pains, emotions = _pains_and_emotions(ws, m, before, after)
    decided = decide([*cells, *pains, *emotions], s)
    cells, pains, emotions = (
        decided[: len(cells)],
        decided[len(cells) : len(cells) + len(pains)],
        decided[len(cells) + len(pains) :],
    )
    typed = [_typed(m, c) for c in decided]
    moved = [t for t in typed if t.status == "moved"]
    kinds = ("dropoff", "conversion", "repeat_contact", "negative_aspect")
    report = ReviewReport(
        map=m.id,
        timezone=ws.config.timezone,
        sensitivity=s.name,
        before=_period(before),
        after=_period(after),
        cells=typed[: len(cells)],
        pains=typed[len(cells) : len(cells) + len(pains)],
        emotions=typed[len(cells) + len(pains) :],
        new_pains=[t for t in moved if t.kind in kinds and t.direction == "worse"],
        eased_pains=[t for t in moved if t.kind in kinds and t.direction == "better"],
        tested=sum(1 for c in decided if c.p_value is not None),
        moved=len(moved),
        nothing_moved=not moved,
        engine="duckdb",
    )
    return report, after_values


def _higher_is(item: ReviewItem) -> Any:
    """Whether a rise is good news, read back from a moved item's direction."""
    if item.direction is None or not item.change:
        return None
    if item.change > 0:
        return item.direction
    return "worse" if item.direction == "better" else "better"


def moved_items(report: ReviewReport) -> list[Compared]:
    """The report's moved items, as :func:`journeyscope.living.review.mark` takes them."""
    return [
        Compared(
            i.kind,
            i.stage,
            i.subject,
            i.unit,
            Side(i.before.value, i.before.n),
            Side(i.after.value, i.after.n),
            _higher_is(i),
            change=i.change,
            status="moved",
            lane=i.lane,
            index=i.index,
            metric=i.metric,
        )
        for i in (*report.cells, *report.pains, *report.emotions)
        if i.status == "moved"
    ]


def review_title(report: ReviewReport) -> Localized:
    """The drawn map's lane of moved pains and emotions: what against what."""
    a, b = report.after, report.before
    return Localized(
        en=f"Moved: {a.from_} … {a.to} against {b.from_} … {b.to}",
        vi=f"Thay đổi: {a.from_} … {a.to} so với {b.from_} … {b.to}",
    )
