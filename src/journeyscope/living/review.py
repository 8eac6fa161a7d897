"""What changed on a map between two periods, and whether it is more than noise.

``journeyscope map review`` holds each number of a map (its bound cells), each pain and
each point of the emotion curve of one period ("after") against the same length of time
just before it ("before"). A share is tested with the two-proportion test of
``journeyscope insights`` (:func:`journeyscope.insights.stats.two_proportions`, Newcombe's
interval), a mean of answers with Welch's t-test on the answers themselves; every p-value
of one review goes through Benjamini–Hochberg at the sensitivity's rate, and a moved item
must also move by the sensitivity's minimum change — so a monthly review does not raise
alarms about noise. A number whose sample the report does not give (a median time, a mean
rating) is shown with its change but marked "not tested", with the reason, rather than
given an invented test.

This module holds what needs no data and no statistics package: the two periods, an
item held against the period before (:class:`Compared`), the reasons a number goes
untested, and the map drawn with its markers. The application layer (``app/review.py``)
gathers both periods' numbers through the same code as ``map render -w``, runs the tests
(``living`` may not import ``insights``) and decides what moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from journeyscope.living.bind import BoundValue, fill
from journeyscope.living.format import number_text
from journeyscope.maps.model import JourneyMap, Lane, as_item
from journeyscope.maps.text import Localized, localize

__all__ = [
    "EMOTION_RANGE",
    "REASONS",
    "Compared",
    "Side",
    "change_text",
    "mark",
    "no_data",
    "not_tested",
    "periods",
]

Status = Literal["moved", "steady", "not_tested", "no_data"]
Direction = Literal["better", "worse"]
#: the emotion curve's scale is −2…+2: a minimum change of 5 points of a share is 5 % of it
EMOTION_RANGE = 4.0

#: why a number is shown but not tested: reason code -> (English, Vietnamese)
REASONS: dict[str, tuple[str, str]] = {
    "count": (
        "a count of customers follows traffic; `journeyscope insights` tests counts "
        "against the season",
        "số khách phụ thuộc lưu lượng; `journeyscope insights` kiểm định số đếm theo mùa vụ",
    ),
    "median": (
        "a median time: the stages report gives no durations to test",
        "thời gian trung vị: báo cáo giai đoạn không cho các khoảng thời gian để kiểm định",
    ),
    "mean_without_answers": (
        "a mean: the report gives no spread of the answers to test",
        "giá trị trung bình: báo cáo không cho độ phân tán của các câu trả lời để kiểm định",
    ),
    "few": (
        "too few customers in one of the periods to test",
        "quá ít khách hàng ở một trong hai kỳ để kiểm định",
    ),
}


@dataclass(frozen=True)
class Side:
    """One period's number: the value, its sample and (for a share) its successes."""

    value: float | None = None
    n: int | None = None
    successes: int | None = None

    @property
    def empty(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Compared:
    """One item held against the period before: the numbers, the test and the verdict."""

    kind: str  # cell | dropoff | repeat_contact | negative_aspect | emotion
    stage: str
    subject: str | None  # the touchpoint, the aspect, or the cell's expression
    unit: str
    before: Side
    after: Side
    higher_is: Direction | None  # whether a rise is good news (None: neither)
    change: float | None = None
    ci: tuple[float, float] | None = None
    p_value: float | None = None
    test: str | None = None  # two_proportions | welch_t
    status: Status = "not_tested"
    reason: str | None = None  # a key of REASONS when not tested
    lane: str | None = None
    index: int | None = None
    metric: str | None = None

    @property
    def direction(self) -> Direction | None:
        """Better or worse, for an item that moved and has a good side."""
        if self.status != "moved" or self.change is None or self.higher_is is None:
            return None
        rising = self.change > 0
        worse: Direction = "worse"
        better: Direction = "better"
        return (
            (better if self.higher_is == "better" else worse)
            if rising
            else (worse if self.higher_is == "better" else better)
        )


def periods(since: date, until: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """("before", "after"): ``since`` … ``until``, and as many days just before it."""
    days = (until - since).days + 1
    return (since - timedelta(days=days), since - timedelta(days=1)), (since, until)


def no_data(item: Compared) -> Compared:
    change = None
    if not item.before.empty and not item.after.empty:
        change = float(item.after.value or 0) - float(item.before.value or 0)
    return replace(item, status="no_data", change=change)


def not_tested(item: Compared, reason: str) -> Compared:
    """A number shown with its change, not tested (``reason``: a key of REASONS)."""
    if item.before.empty or item.after.empty:
        return no_data(item)
    change = float(item.after.value or 0) - float(item.before.value or 0)
    return replace(item, change=change, reason=reason)


def change_text(change: float, unit: str, lang: str) -> str:
    """``▲ +5.2 points`` / ``▼ −0,40``: the marker drawn on a moved cell."""
    arrow = "▲" if change > 0 else "▼"
    sign = "+" if change > 0 else "−"
    if unit == "%":
        points = number_text(abs(change), "%", lang).rstrip("%")
        return f"{arrow} {sign}{points} {'điểm %' if lang == 'vi' else 'points'}"
    return f"{arrow} {sign}{number_text(abs(change), unit, lang).lstrip('+')}"


#: how a moved pain or emotion point is named on the drawn map: kind -> (en, vi)
KIND_WORDS: dict[str, tuple[str, str]] = {
    "dropoff": ("drop-off after {s}", "rời bỏ sau {s}"),
    "conversion": ("converted after {s}", "chuyển đổi sau {s}"),
    "repeat_contact": ("repeat contacts at {s}", "liên hệ lại ở {s}"),
    "negative_aspect": ("negative feedback on {s}", "phản hồi tiêu cực về {s}"),
    "emotion": ("emotion (−2…+2)", "cảm xúc (−2…+2)"),
}
_DIRECTION = {"better": ("better", "tốt hơn"), "worse": ("worse", "xấu hơn")}


def _value(side: Side, unit: str, lang: str) -> str:
    if side.value is None:
        return "không có dữ liệu" if lang == "vi" else "no data"
    if unit == "emotion":
        return number_text(side.value, "of5", lang).split(" ")[0]
    return number_text(side.value, unit, lang)


def _moved_text(c: Compared, lang: str) -> str:
    """``▼ −41.6 points · worse: converted after app:/checkout (87.2% → 45.6%)``."""
    en, vi = KIND_WORDS[c.kind]
    what = (vi if lang == "vi" else en).format(s=c.subject or "")
    unit = "of5" if c.unit == "emotion" else c.unit
    marker = change_text(c.change or 0.0, unit, lang).replace(" / 5", "")
    word = _DIRECTION[c.direction][lang == "vi"] if c.direction else ""
    values = f"{_value(c.before, c.unit, lang)} → {_value(c.after, c.unit, lang)}"
    return f"{marker} · {word}: {what} ({values})"


def mark(
    m: JourneyMap, after: list[BoundValue], moved: list[Compared], title: Localized | None = None
) -> JourneyMap:
    """``m`` filled with the after-period's numbers, each moved cell ending with its
    marker (▲/▼ and the change), and the moved pains and emotion points in a lane of
    their own (``title``), for any renderer."""
    filled = fill(m, after)
    places = {(c.lane, c.stage, c.index): c for c in moved if c.kind == "cell"}
    lanes = [_marked_lane(lane, places) for lane in filled.lanes]
    stages = {s.id for s in m.stages}
    cells: dict[str, list[Any]] = {}
    for c in moved:
        if c.kind != "cell" and c.stage in stages and c.kind in KIND_WORDS:
            text = Localized(en=_moved_text(c, "en"), vi=_moved_text(c, "vi"))
            cells.setdefault(c.stage, []).append(text)
    if cells:
        ids = {lane.id for lane in lanes}
        lane_id = next(x for x in ("review", "map-review", "review-moved") if x not in ids)
        lanes.append(Lane(id=lane_id, kind="notes", title=title, cells=cells))
    return filled.model_copy(update={"lanes": lanes})


def _marked_lane(lane: Lane, places: dict[tuple[Any, str, Any], Compared]) -> Lane:
    cells: dict[str, list[Any]] = {}
    for stage_id, entries in lane.cells.items():
        cells[stage_id] = []
        for index, entry in enumerate(entries):
            found = places.get((lane.id, stage_id, index))
            if found is None or found.change is None:
                cells[stage_id].append(entry)
                continue
            item = as_item(entry)
            text = Localized(
                en=f"{localize(item.text, 'en')}\n{change_text(found.change, found.unit, 'en')}",
                vi=f"{localize(item.text, 'vi')}\n{change_text(found.change, found.unit, 'vi')}",
            )
            cells[stage_id].append(item.model_copy(update={"text": text}))
    return lane.model_copy(update={"cells": cells})
