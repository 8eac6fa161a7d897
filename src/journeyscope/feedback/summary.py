"""`journeyscope feedback summary`: NPS, CSAT, CES, stars, sentiment and aspects per group.

Every number travels with its count and unit, so a map bound to it (issue 19, item 3) can
say how sure it is and show "no data" rather than 0: a group without NPS answers has
``nps.value`` null and ``nps.n`` 0. Feedback rows count only while their event exists (a
forgotten person's events take their feedback out of every number).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from journeyscope.errors import InputError, Location
from journeyscope.events.when import to_utc
from journeyscope.events.workspace import Workspace

BY = ("touchpoint", "channel", "kind")
TOP_ASPECTS = 5
NO_VALUE = "(none)"


@dataclass
class Nps:
    """Net Promoter Score: % promoters (9–10) minus % detractors (0–6), −100…100."""

    value: float | None
    promoters: int
    passives: int
    detractors: int
    n: int
    unit: str = "points (-100..100)"


@dataclass
class Average:
    """The mean of a score on its scale, with how many answers it is drawn from."""

    value: float | None
    n: int
    scale: str


@dataclass
class Sentiment:
    """Shares (0–1) of texts per label and the mean score (−1…1) over ``n`` texts."""

    positive: float | None
    neutral: float | None
    negative: float | None
    mean_score: float | None
    n: int


@dataclass
class Aspect:
    """An aspect the texts speak of: how many texts, and how many of them negative."""

    aspect: str
    texts: int
    negative: int


@dataclass
class Group:
    key: str
    responses: int
    nps: Nps
    csat: Average
    ces: Average
    stars: Average
    sentiment: Sentiment
    aspects: list[Aspect] = field(default_factory=list)


@dataclass
class FeedbackSummary:
    by: str
    since: str | None
    until: str | None
    total: Group
    groups: list[Group]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _when(text: str, zone: ZoneInfo, end: bool, name: str) -> datetime:
    """A day (``--to`` includes it) or an ISO time in the workspace's zone, as naive UTC."""
    try:
        return to_utc(text, zone, end)
    except ValueError as exc:  # not a date, or past year 9999 once shifted
        raise InputError(
            f"{name}: cannot read {text!r} as a date",
            f"{name}: không đọc được {text!r} là ngày",
            location=Location(field=name),
            hint_en="use YYYY-MM-DD or an ISO date-time, e.g. 2026-05-01",
            hint_vi="dùng YYYY-MM-DD hoặc ngày giờ ISO, ví dụ 2026-05-01",
            code="invalid_date",
        ) from exc


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


_COLUMNS = """count(*),
    count(f.nps) FILTER (f.nps >= 9), count(f.nps) FILTER (f.nps BETWEEN 7 AND 8),
    count(f.nps) FILTER (f.nps <= 6),
    avg(f.csat), count(f.csat), avg(f.ces), count(f.ces), avg(f.stars), count(f.stars),
    count(f.sentiment) FILTER (f.sentiment = 'positive'),
    count(f.sentiment) FILTER (f.sentiment = 'neutral'),
    count(f.sentiment) FILTER (f.sentiment = 'negative'),
    avg(f.sentiment_score), count(f.sentiment)"""


def _group(key: str, row: tuple[Any, ...], aspects: list[Aspect]) -> Group:
    n, pro, pas, det, csat, n_csat, ces, n_ces, stars, n_stars, pos, neu, neg, mean, n_txt = row
    answered = pro + pas + det
    nps = round(100 * (pro - det) / answered, 1) if answered else None
    return Group(
        key=key,
        responses=n,
        nps=Nps(nps, pro, pas, det, answered),
        csat=Average(_mean(csat), n_csat, "1-5"),
        ces=Average(_mean(ces), n_ces, "1-7 (lower is easier)"),
        stars=Average(_mean(stars), n_stars, "1-5"),
        sentiment=Sentiment(
            _rate(pos, n_txt), _rate(neu, n_txt), _rate(neg, n_txt), _mean(mean), n_txt
        ),
        aspects=aspects,
    )


def feedback_summary(
    ws: Workspace, by: str = "touchpoint", since: str | None = None, until: str | None = None
) -> FeedbackSummary:
    """The feedback numbers of ``since <= ts <= until`` (workspace zone), per ``by`` group."""
    if by not in BY:
        raise InputError(
            f"cannot group feedback by {by!r}",
            f"không nhóm phản hồi theo {by!r} được",
            location=Location(field="--by"),
            hint_en=f"use --by {' | '.join(BY)}",
            hint_vi=f"dùng --by {' | '.join(BY)}",
            code="invalid_option",
        )
    zone = ZoneInfo(ws.config.timezone)
    params: list[Any] = []
    where = "TRUE"
    if since:
        where += " AND e.ts >= ?"
        params.append(_when(since, zone, False, "--from"))
    if until:
        where += " AND e.ts < ?"
        params.append(_when(until, zone, True, "--to"))
    key = "f.kind" if by == "kind" else f"coalesce(e.{by}, '{NO_VALUE}')"
    base = f"FROM feedback f JOIN events e USING (seq) WHERE {where}"
    total = ws.one(f"SELECT {_COLUMNS} {base}", params) or ()
    rows = ws.con.execute(
        f"SELECT {key} AS k, {_COLUMNS} {base} GROUP BY k ORDER BY count(*) DESC, k", params
    ).fetchall()
    aspects = _aspects(ws, key, base, params)
    return FeedbackSummary(
        by=by,
        since=since,
        until=until,
        total=_group("all", tuple(total), aspects.get(None, [])),
        groups=[_group(str(r[0]), tuple(r[1:]), aspects.get(str(r[0]), [])) for r in rows],
    )


def _aspects(
    ws: Workspace, key: str, base: str, params: list[Any]
) -> dict[str | None, list[Aspect]]:
    """The top aspects per group (and overall, under ``None``), most mentioned first."""
    rows = ws.con.execute(
        f"""SELECT k, aspect, count(*) AS texts, count(*) FILTER (sentiment = 'negative')
        FROM (SELECT {key} AS k, unnest(f.aspects) AS aspect, f.sentiment {base})
        GROUP BY GROUPING SETS ((k, aspect), (aspect))
        ORDER BY k NULLS FIRST, texts DESC, aspect""",
        params,
    ).fetchall()
    found: dict[str | None, list[Aspect]] = {}
    for k, aspect, texts, negative in rows:
        group = found.setdefault(None if k is None else str(k), [])
        if len(group) < TOP_ASPECTS:
            group.append(Aspect(str(aspect), int(texts), int(negative)))
    return found
