"""A current-state map drawn from the data: what customers do, feel and where they struggle.

:func:`generate_map` turns the evidence the application layer gathers (the ``stages`` and
``touchpoints`` reports, the events per stage, the feedback per stage) into an ordinary
:class:`~journeyscope.maps.model.JourneyMap`: valid, editable, renderable and diffable.
The numbers are *bound* (``metric:`` items, docs/maps.md "Maps bound to data"), so
``map render -w`` keeps them live; their value when the map was made is written beside
them. Pains are only what the evidence shows clearly (thresholds below, each with its
numbers and real quotes), so a generated map does not cry wolf; owners are left for people.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from journeyscope.i18n.formatting import format_number
from journeyscope.living.format import number_text
from journeyscope.maps.model import EmotionCurve, EmotionPoint, Item, JourneyMap, Lane, Stage
from journeyscope.maps.personas import Persona
from journeyscope.maps.stage_models import StageModel
from journeyscope.maps.text import Localized

__all__ = [
    "Evidence",
    "FeedbackItem",
    "GenerateOptions",
    "Pain",
    "emotion_score",
    "generate_map",
    "lowest_touchpoints",
    "pains_of",
]

#: a step of the conversion's stage (a checkout page: people who had decided) is a pain
#: when at least this share leaves after it without converting …
DROP_SHARE = 0.4
#: … and it loses at least this many times the median step of that stage. Earlier stages
#: (ads, messages, product pages) lose most people by nature and are not flagged.
DROP_RATIO = 1.5
#: repeat contacts within the report's window that mark contacts as left unresolved
REPEAT_SHARE = 0.2
#: negative texts on one aspect (and their share of its texts) that make a pain
ASPECT_NEGATIVE = 10
ASPECT_SHARE = 0.3
#: the fewest customers (or feedback answers) a pain or an emotion point stands on
MIN_SAMPLE = 30
TOP_TOUCHPOINTS = 3
TOP_ACTIONS = 3
QUOTES = 3
QUOTE_CHARS = 160
FEEDBACK_EVENTS = ("survey_response", "review", "ticket")

ASPECTS: dict[str, tuple[str, str]] = {
    "delivery": ("delivery", "giao hàng"),
    "packaging": ("packaging", "đóng gói"),
    "product_quality": ("product quality", "chất lượng sản phẩm"),
    "price": ("price", "giá"),
    "service": ("staff and service", "nhân viên và dịch vụ"),
    "payment": ("payment", "thanh toán"),
    "app": ("app and website", "ứng dụng và website"),
}
#: what to try, by aspect: rule-based, plain language (people edit them)
ASPECT_IDEAS: dict[str, tuple[str, str]] = {
    "delivery": (
        "Tell customers about a delay before they have to ask, with a new date and a small "
        "apology voucher; check the carriers with the most late orders",
        "Báo khách về đơn trễ trước khi khách phải hỏi, kèm ngày giao mới và một voucher xin "
        "lỗi; rà soát đơn vị vận chuyển có nhiều đơn trễ nhất",
    ),
    "packaging": (
        "Review the packing standard and add a check before handing over to the carrier",
        "Rà soát tiêu chuẩn đóng gói và thêm bước kiểm tra trước khi giao cho đơn vị vận chuyển",
    ),
    "product_quality": (
        "Read the complaints with the product team and fix the descriptions or the supplier",
        "Cùng đội sản phẩm đọc các phàn nàn, sửa mô tả sản phẩm hoặc nhà cung cấp",
    ),
    "price": (
        "Show the full price (fees included) early and explain what the price includes",
        "Hiển thị giá đầy đủ (gồm phí) sớm và giải thích giá đã gồm những gì",
    ),
    "service": (
        "Coach the team on the situations customers describe and follow up each complaint",
        "Hướng dẫn nhân viên xử lý các tình huống khách kể và gọi lại cho từng phàn nàn",
    ),
    "payment": (
        "Offer the payment methods customers expect (COD, e-wallets) and test the failures",
        "Cung cấp các cách thanh toán khách mong đợi (COD, ví điện tử) và thử các lỗi thanh toán",
    ),
    "app": (
        "Fix the screens customers complain about; test them on a low-end phone",
        "Sửa các màn hình khách phàn nàn; thử trên điện thoại cấu hình thấp",
    ),
}


@dataclass(frozen=True)
class FeedbackItem:
    """One feedback answer placed on a stage: the stage (and touchpoint) of the customer's
    last non-feedback event at or before it."""

    stage: str | None
    touchpoint: str | None
    kind: str
    text: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    stars: int | None = None
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    aspects: tuple[str, ...] = ()

    @classmethod
    def of_row(cls, stage: str | None, touchpoint: str | None, row: Any) -> FeedbackItem:
        """From a ``feedback`` row's (kind, text, sentiment, sentiment_score, stars, nps,
        csat, ces, aspects), placed on ``stage`` and ``touchpoint``."""
        kind, text, sentiment, score, stars, nps, csat, ces, aspects = row
        return cls(
            stage,
            touchpoint,
            str(kind),
            text,
            sentiment,
            None if score is None else float(score),
            stars,
            nps,
            csat,
            ces,
            tuple(aspects or ()),
        )


@dataclass(frozen=True)
class Evidence:
    """What the application layer gathered for one period (and filter)."""

    model: StageModel
    stages: dict[str, Any]  # `journeyscope stages --json`
    touchpoints: dict[str, Any]  # `journeyscope touchpoints --json`
    actions: list[tuple[str, str, int]]  # (stage, event, customers), events of each stage
    feedback: list[FeedbackItem] = field(default_factory=list)
    conversion_stage: str | None = None  # the stage of the conversion event (purchase)
    data_starts: str | None = None  # the first event read


@dataclass(frozen=True)
class GenerateOptions:
    map_id: str = "current-state"
    lang: str = "vi"
    persona: Persona | str | None = None
    where: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Pain:
    """A pain found in the data: where, what kind, its numbers and quotes, what to try."""

    stage: str
    kind: str  # dropoff | repeat_contact | negative_aspect
    subject: str  # the touchpoint, or the aspect
    value: float
    n: int
    text: Localized
    idea: Localized
    quotes: tuple[str, ...] = ()


# -- emotions ------------------------------------------------------------------------------


def emotion_score(item: FeedbackItem) -> float | None:
    """One answer on the map's −2…+2 scale: the mean of what it carries (text sentiment
    −1…+1 doubled, stars and CSAT around 3, NPS around 5, CES around 4, lower is better)."""
    parts: list[float] = []
    if item.sentiment_score is not None and item.text:
        parts.append(2 * item.sentiment_score)
    if item.stars is not None:
        parts.append(item.stars - 3.0)
    if item.csat is not None:
        parts.append(item.csat - 3.0)
    if item.nps is not None:
        parts.append((item.nps - 5.0) / 2.5)
    if item.ces is not None:
        parts.append((4.0 - item.ces) * 2 / 3)
    if not parts:
        return None
    return max(-2.0, min(2.0, sum(parts) / len(parts)))


def emotion_points(feedback: Iterable[FeedbackItem]) -> dict[str, tuple[float, int, float]]:
    """Per stage with at least ``MIN_SAMPLE`` scored answers: (mean score, n, negative share)."""
    scores: dict[str, list[float]] = defaultdict(list)
    for item in feedback:
        score = emotion_score(item)
        if item.stage is not None and score is not None:
            scores[item.stage].append(score)
    return {
        stage: (
            round(statistics.fmean(values), 2),
            len(values),
            sum(v < 0 for v in values) / len(values),
        )
        for stage, values in scores.items()
        if len(values) >= MIN_SAMPLE
    }


# -- pains ---------------------------------------------------------------------------------


def _pct(share: float, lang: str) -> str:
    return number_text(share, "%", lang)


def _num(value: float, lang: str) -> str:
    return format_number(value, lang)


def dropoff_pains(touchpoints: list[dict[str, Any]], stage: str | None) -> list[Pain]:
    """Steps of the conversion's ``stage`` that lose far more people than its others
    (each observed on at least ``MIN_SAMPLE`` customers; the conversion itself aside)."""
    by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in touchpoints:
        if stage and row.get("stage") == stage and int(row.get("observed") or 0) >= MIN_SAMPLE:
            by_stage[stage].append(row)
    pains = []
    for stage_id, rows in by_stage.items():
        median = statistics.median(float(r["dropped_share"]) for r in rows)
        for row in rows:
            share, n = float(row["dropped_share"]), int(row["observed"])
            if share < DROP_SHARE or share < DROP_RATIO * median:
                continue
            tp = row["touchpoint"]
            pains.append(
                Pain(
                    stage_id,
                    "dropoff",
                    tp,
                    share,
                    n,
                    Localized(
                        en=f"{_pct(share, 'en')} of {_num(n, 'en')} customers leave after "
                        f"{tp} (stage median {_pct(median, 'en')})",
                        vi=f"{_pct(share, 'vi')} trong {_num(n, 'vi')} khách hàng rời đi sau "
                        f"{tp} (trung vị của giai đoạn {_pct(median, 'vi')})",
                    ),
                    Localized(
                        en=f"Find out why people leave at {tp}: test a simpler step, show costs "
                        "earlier, and win back those who left (`journeyscope dropped`)",
                        vi=f"Tìm hiểu vì sao khách rời đi ở {tp}: thử một bước đơn giản hơn, "
                        "hiện chi phí sớm hơn, và liên hệ lại khách đã rời "
                        "(`journeyscope dropped`)",
                    ),
                )
            )
    return pains


def repeat_pains(touchpoints: list[dict[str, Any]]) -> list[Pain]:
    """Contact touchpoints where many customers have to come back: left unresolved."""
    pains = []
    for row in touchpoints:
        share, n = row.get("repeat_contact_share"), int(row.get("contact_customers") or 0)
        if share is None or n < MIN_SAMPLE or float(share) < REPEAT_SHARE or not row.get("stage"):
            continue
        tp = row["touchpoint"]
        pains.append(
            Pain(
                row["stage"],
                "repeat_contact",
                tp,
                float(share),
                n,
                Localized(
                    en=f"{_pct(float(share), 'en')} of {_num(n, 'en')} customers who contact "
                    f"{tp} have to contact it again: left unresolved",
                    vi=f"{_pct(float(share), 'vi')} trong {_num(n, 'vi')} khách liên hệ {tp} "
                    "phải liên hệ lại: chưa được giải quyết",
                ),
                Localized(
                    en=f"Resolve {tp} contacts the first time: a clear answer, and a follow-up "
                    "message on every open case",
                    vi=f"Giải quyết liên hệ {tp} ngay lần đầu: trả lời rõ ràng và nhắn lại "
                    "cho mọi yêu cầu còn mở",
                ),
            )
        )
    return pains


def _quote(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= QUOTE_CHARS else one[: QUOTE_CHARS - 1].rstrip() + "…"


def aspect_pains(feedback: Iterable[FeedbackItem]) -> list[Pain]:
    """Aspects of the experience many negative texts speak of, per stage, with quotes."""
    texts: dict[tuple[str, str], list[FeedbackItem]] = defaultdict(list)
    for item in feedback:
        if item.stage is None or not item.text:
            continue
        for aspect in item.aspects:
            texts[(item.stage, aspect)].append(item)
    pains = []
    for (stage, aspect), items in sorted(texts.items()):
        negative = [i for i in items if i.sentiment == "negative"]
        share = len(negative) / len(items)
        if len(negative) < ASPECT_NEGATIVE or share < ASPECT_SHARE:
            continue
        quotes = tuple(dict.fromkeys(_quote(i.text or "") for i in negative))[:QUOTES]
        en, vi = ASPECTS.get(aspect, (aspect, aspect))
        idea_en, idea_vi = ASPECT_IDEAS.get(
            aspect,
            (f"Read the complaints about {en} and fix the cause", f"Đọc các phàn nàn về {vi}"),
        )
        pains.append(
            Pain(
                stage,
                "negative_aspect",
                aspect,
                share,
                len(items),
                Localized(
                    en=f"Negative feedback on {en}: {_num(len(negative), 'en')} of "
                    f"{_num(len(items), 'en')} texts ({_pct(share, 'en')})",
                    vi=f"Phản hồi tiêu cực về {vi}: {_num(len(negative), 'vi')} trong "
                    f"{_num(len(items), 'vi')} ý kiến ({_pct(share, 'vi')})",
                ),
                Localized(en=idea_en, vi=idea_vi),
                quotes,
            )
        )
    return pains


def pains_of(evidence: Evidence) -> list[Pain]:
    """Every pain the evidence shows clearly, worst first within each kind."""
    rows = list(evidence.touchpoints.get("touchpoints", []))
    found = [
        *sorted(dropoff_pains(rows, evidence.conversion_stage), key=lambda p: -p.value),
        *sorted(repeat_pains(rows), key=lambda p: -p.value),
        *sorted(aspect_pains(evidence.feedback), key=lambda p: -p.value * p.n),
    ]
    return found


# -- the map -------------------------------------------------------------------------------


def _stage_rows(evidence: Evidence) -> dict[str, dict[str, Any]]:
    return {r["stage"]: r for r in evidence.stages.get("stages", [])}


def _in_order(cells: dict[str, list[Any]], evidence: Evidence) -> dict[str, list[Any]]:
    """Cells in the stage model's order, so two generated maps diff stage by stage."""
    return {s.id: cells[s.id] for s in evidence.model.stages if cells.get(s.id)}


def _touchpoint_cells(evidence: Evidence) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = defaultdict(list)
    rows = sorted(evidence.touchpoints.get("touchpoints", []), key=lambda r: -int(r["customers"]))
    for row in rows:
        stage = row.get("stage")
        if stage and len(cells[stage]) < TOP_TOUCHPOINTS:
            n = int(row["customers"])
            text = Localized(
                en=f"{row['touchpoint']} · {_num(n, 'en')} customers",
                vi=f"{row['touchpoint']} · {_num(n, 'vi')} khách hàng",
            )
            cells[stage].append(Item(text=text, channel=row.get("channel")))
    return _in_order(cells, evidence)


def _action_cells(evidence: Evidence) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = defaultdict(list)
    for stage, event, customers in sorted(evidence.actions, key=lambda a: -a[2]):
        if len(cells[stage]) < TOP_ACTIONS:
            cells[stage].append(
                Localized(
                    en=f"{event} · {_num(customers, 'en')} customers",
                    vi=f"{event} · {_num(customers, 'vi')} khách hàng",
                )
            )
    return _in_order(cells, evidence)


_KPIS = (
    ("stage_reach", "customers", "customers", "Reach", "Tiếp cận"),
    ("stage_conversion", "conversion_to_next", "%", "To next stage", "Sang giai đoạn sau"),
    ("stage_time", "median_seconds_to_next", "duration", "Median time", "Thời gian trung vị"),
)


def _kpi_cells(evidence: Evidence, stamp: str) -> dict[str, list[Any]]:
    """Bound items (live with ``map render -w``), labelled with their value when made."""
    cells: dict[str, list[Any]] = {}
    rows = _stage_rows(evidence)
    for stage in evidence.model.stages:
        row = rows.get(stage.id)
        if row is None or not row.get("customers"):
            continue
        items = []
        for metric, key, unit, en, vi in _KPIS:
            value = row.get(key)
            if value is None:
                continue
            items.append(
                Item(
                    text=Localized(
                        en=f"{en} (on {stamp}: {number_text(float(value), unit, 'en')})",
                        vi=f"{vi} (ngày {stamp}: {number_text(float(value), unit, 'vi')})",
                    ),
                    metric={"name": metric, "stage": stage.id},
                )
            )
        cells[stage.id] = items
    return cells


def _pain_cells(pains: list[Pain]) -> dict[str, list[Any]]:
    """One item per pain: its numbers, then its quotes as written (each quoted once on
    the map: a text about two aspects backs the first of them)."""
    cells: dict[str, list[Any]] = defaultdict(list)
    used: set[str] = set()
    for pain in pains:
        quotes = [q for q in pain.quotes if q not in used]
        used.update(quotes)
        lines = "".join(f"\n“{q}”" for q in quotes)
        text = Localized(en=f"{pain.text.en}{lines}", vi=f"{pain.text.vi}{lines}")
        cells[pain.stage].append(text)
    return dict(cells)


def _idea_cells(pains: list[Pain]) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = defaultdict(list)
    for pain in pains:
        if pain.idea not in cells[pain.stage]:
            cells[pain.stage].append(pain.idea)
    return dict(cells)


def _persona(options: GenerateOptions) -> Persona | str:
    if options.persona is not None:
        return options.persona
    where = options.where
    return Persona(
        id="customers",
        name=Localized(en="Customers in the data", vi="Khách hàng trong dữ liệu"),
        segment=Localized(
            en=f"Customers whose events match {where}" if where else "All customers",
            vi=f"Khách hàng có sự kiện khớp {where}" if where else "Tất cả khách hàng",
        ),
    )


def lowest_touchpoints(feedback: Iterable[FeedbackItem]) -> dict[str, tuple[str, float, int]]:
    """Per stage, the touchpoint whose answers score lowest (at least ``MIN_SAMPLE`` of
    them): where on the stage the feeling drops."""
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    for item in feedback:
        score = emotion_score(item)
        if item.stage and item.touchpoint and score is not None:
            scores[(item.stage, item.touchpoint)].append(score)
    lowest: dict[str, tuple[str, float, int]] = {}
    for (stage, tp), values in sorted(scores.items()):
        if len(values) < MIN_SAMPLE:
            continue
        mean = round(statistics.fmean(values), 2)
        if stage not in lowest or mean < lowest[stage][1]:
            lowest[stage] = (tp, mean, len(values))
    return lowest


def _curve(persona: Persona | str, evidence: Evidence) -> EmotionCurve:
    points: dict[str, Any] = {}
    lowest = lowest_touchpoints(evidence.feedback)
    for stage, (score, n, negative) in emotion_points(evidence.feedback).items():
        en = f"{_num(n, 'en')} answers · {_pct(negative, 'en')} negative"
        vi = f"{_num(n, 'vi')} ý kiến · {_pct(negative, 'vi')} tiêu cực"
        if stage in lowest:
            tp, low, count = lowest[stage]
            en += f" · lowest after {tp}: {low:+.2f} (n = {_num(count, 'en')})"
            sign = "+" if low > 0 else ""
            vi += f" · thấp nhất sau {tp}: {sign}{format_number(low, 'vi', 2)}"
            vi += f" (n = {_num(count, 'vi')})"
        points[stage] = EmotionPoint(score=score, note=Localized(en=en, vi=vi))
    pid = persona if isinstance(persona, str) else persona.id
    order = [s.id for s in evidence.model.stages]
    ordered = {s: points[s] for s in order if s in points}
    return EmotionCurve(persona=pid, points=ordered)


def _period(options: GenerateOptions, evidence: Evidence) -> str:
    start = options.since or evidence.data_starts or ""
    end = options.until or str(evidence.stages.get("data_ends") or "")
    return f"{start[:10] or '…'} – {end[:10] or '…'}"


def generate_map(evidence: Evidence, options: GenerateOptions) -> JourneyMap:
    """The current-state map the evidence draws (raises nothing: the app layer refuses a
    period with no data before calling)."""
    model = evidence.model
    pains = pains_of(evidence)
    persona = _persona(options)
    stamp = str(evidence.stages.get("data_ends") or options.until or "")[:10]
    period = _period(options, evidence)
    lanes = [
        Lane(id="actions", kind="actions", cells=_action_cells(evidence)),
        Lane(id="touchpoints", kind="touchpoints", cells=_touchpoint_cells(evidence)),
        Lane(id="numbers", kind="kpis", cells=_kpi_cells(evidence, stamp)),
        Lane(id="emotions", kind="emotions"),
        Lane(id="pains", kind="pain_points", cells=_in_order(_pain_cells(pains), evidence)),
        Lane(
            id="opportunities",
            kind="opportunities",
            cells=_in_order(_idea_cells(pains), evidence),
        ),
        Lane(id="owners", kind="owners"),
    ]
    where = f" · {options.where}" if options.where else ""
    return JourneyMap(
        id=options.map_id,
        type="current_state",
        title=Localized(
            en=f"Current state from the data ({period}){where}",
            vi=f"Hiện trạng từ dữ liệu ({period}){where}",
        ),
        description=Localized(
            en=f"Generated by `journeyscope map generate` from the workspace's journeys and "
            f"feedback, {period}. Numbers are bound: `map render -w` redraws them. Owners "
            "are for people to fill.",
            vi=f"Tạo bởi `journeyscope map generate` từ hành trình và phản hồi trong dữ liệu, "
            f"{period}. Các con số gắn với dữ liệu: `map render -w` vẽ lại. Người phụ trách "
            "do mọi người điền.",
        ),
        language="en" if options.lang == "en" else "vi",
        stage_model=model.id,
        personas=[persona],
        stages=[Stage(id=s.id, name=s.name, description=s.description) for s in model.stages],
        lanes=lanes,
        emotions=[_curve(persona, evidence)],
    )
