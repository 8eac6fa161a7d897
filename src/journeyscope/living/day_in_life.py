"""A day in the life drawn from timestamps: when, on what and how customers interact.

``journeyscope map generate --type day_in_the_life`` (issue 19, item 5). The day is cut
into fixed blocks of the workspace's wall clock (``BLOCKS``, in its time zone — Asia/Ho_Chi_Minh
by default); each block becomes a stage of an ordinary ``day_in_the_life`` map (with its
``time``) whose lanes say on which device or platform and channel customers are active
then, what they do, how many they are (customers, events, share of the day's events,
weekday against weekend) and — as opportunities — the blocks where each channel peaks:
the moments to reach them.

:func:`gather_day` reads the scoped customer events once into a scratch table and
aggregates it per block; :func:`day_map` draws the map from that (pure, no data access).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from journeyscope.i18n.formatting import format_number
from journeyscope.living.stats import wilson
from journeyscope.maps.model import Item, JourneyMap, Lane, Stage
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import Localized

__all__ = [
    "BLOCKS",
    "Block",
    "DayEvidence",
    "DayOptions",
    "block_of_hour",
    "day_map",
    "gather_day",
    "platform_of_channel",
]


@dataclass(frozen=True)
class Block:
    """A part of the day: hours ``start`` to ``end`` (inclusive) of the local clock."""

    id: str
    start: int
    end: int
    en: str
    vi: str

    @property
    def hours(self) -> int:
        return self.end - self.start + 1

    @property
    def time(self) -> str:
        return f"{self.start:02d}:00-{self.end:02d}:59"


#: the day's blocks, as a Vietnamese office worker's day runs (the template's day)
BLOCKS: tuple[Block, ...] = (
    Block("night", 0, 5, "Night", "Đêm khuya"),
    Block("early_morning", 6, 8, "Wake up & commute", "Thức dậy & đi làm"),
    Block("morning", 9, 11, "Morning", "Buổi sáng"),
    Block("lunch", 12, 13, "Lunch break", "Nghỉ trưa"),
    Block("afternoon", 14, 17, "Afternoon", "Buổi chiều"),
    Block("evening", 18, 21, "Evening", "Buổi tối"),
    Block("late", 22, 23, "Before sleep", "Trước khi ngủ"),
)

#: properties read as the device or platform when an event carries one (first wins)
DEVICE_PROPERTIES = ("device_type", "device", "platform", "os")

#: otherwise the platform the channel implies: channel -> platform key
CHANNEL_PLATFORMS: dict[str, str] = {
    "app": "mobile_app",
    "web": "web_browser",
    "store": "in_store",
    "shopee": "marketplace_app",
    "lazada": "marketplace_app",
    "tiktok_shop": "marketplace_app",
    "hotline": "phone_call",
    "customer_service": "phone_call",
    "zalo": "phone_messages",
    "sms": "phone_messages",
    "email": "email",
    "facebook": "social_and_ads",
    "instagram": "social_and_ads",
    "tiktok": "social_and_ads",
    "youtube": "social_and_ads",
    "google_ads": "social_and_ads",
    "search": "social_and_ads",
    "delivery": "at_the_door",
}
PLATFORM_NAMES: dict[str, tuple[str, str]] = {
    "mobile_app": ("Mobile app", "Ứng dụng di động"),
    "web_browser": ("Web browser", "Trình duyệt web"),
    "in_store": ("In store", "Tại cửa hàng"),
    "marketplace_app": ("Marketplace app", "Ứng dụng sàn TMĐT"),
    "phone_call": ("Phone call", "Cuộc gọi điện thoại"),
    "phone_messages": ("Messages on the phone", "Tin nhắn trên điện thoại"),
    "email": ("Email", "Email"),
    "social_and_ads": ("Social media and ads", "Mạng xã hội và quảng cáo"),
    "at_the_door": ("At the door (delivery)", "Tại nhà (giao hàng)"),
    "other": ("Other", "Khác"),
}

TOP = 3
#: a channel's block is a moment to reach them when it holds at least this many times the
#: channel's average hour, on at least ``MIN_CUSTOMERS`` customers …
PEAK_LIFT = 1.2
#: … and beyond chance: the Wilson lower bound (z = 3.5, for the 42 looks at 6 channels ×
#: 7 blocks) of its share of the channel's events is above the block's share of the day
PEAK_Z = 3.5
MIN_CUSTOMERS = 30
#: channels considered for opportunities (the most used, by customers)
PEAK_CHANNELS = 6


def block_of_hour(hour: int) -> Block:
    """The block a local hour (0–23) falls in."""
    return next(b for b in BLOCKS if b.start <= hour <= b.end)


def platform_of_channel(channel: str) -> str:
    return CHANNEL_PLATFORMS.get(channel, "other")


Counts = tuple[str, int, int]  # (name, customers, events)


@dataclass(frozen=True)
class BlockStats:
    customers: int = 0
    events: int = 0
    weekday_events: int = 0
    weekend_events: int = 0
    peak_hour: int | None = None
    peak_hour_events: int = 0


@dataclass(frozen=True)
class DayEvidence:
    """One period's (and filter's) events, aggregated per block of the local day."""

    zone: str
    total_events: int
    total_customers: int
    weekdays: int  # calendar days of each kind from the first to the last local date
    weekend_days: int
    blocks: dict[str, BlockStats]
    channels: dict[str, list[Counts]] = field(default_factory=dict)  # most customers first
    platforms: dict[str, list[Counts]] = field(default_factory=dict)
    actions: dict[str, list[Counts]] = field(default_factory=dict)
    touchpoints: dict[str, list[tuple[str, str, int, int]]] = field(default_factory=dict)
    first_day: str | None = None
    last_day: str | None = None


# -- reading the data ----------------------------------------------------------------------


def _block_case(column: str) -> str:
    whens = " ".join(f"WHEN {column} <= {b.end} THEN '{b.id}'" for b in BLOCKS)
    return f"CASE {whens} END"


def _platform_sql(q: Any) -> str:
    from journeyscope.analytics.scope import field_sql

    props = ", ".join(f"nullif(lower({field_sql(p, q, 'e')}), '')" for p in DEVICE_PROPERTIES)
    whens = " ".join(
        f"WHEN {q.bind(c)} THEN {q.bind(p)}" for c, p in sorted(CHANNEL_PLATFORMS.items())
    )
    return f"coalesce({props}, CASE e.channel {whens} ELSE 'other' END)"


def gather_day(
    ws: Any, since: str | None, until: str | None, where: str | None, segment: Any = None
) -> DayEvidence | None:
    """The period's customer events per block (None: there are none); ``segment``: a
    persona's ``segment`` filter clause (``analytics.segments.segment_clause``)."""
    from dataclasses import replace

    from journeyscope.analytics.scope import Filter, Scope
    from journeyscope.engine.dialect import Sql
    from journeyscope.engine.runner import Runner

    scope = Scope.parse(ws, since, until, where)
    if segment is not None:
        scope = replace(scope, where=Filter((*scope.where.clauses, segment)))
    q = Sql()
    zone = str(ws.config.timezone)
    base = day_sql(ws, scope, q)
    r = Runner(ws)
    from journeyscope.analytics.events_arrays import NotServed
    from journeyscope.living.day_arrays import day_from_arrays

    try:
        return day_from_arrays(r, scope, zone, TOP)
    except NotServed:
        return gather_day_in_sql(r, base, q, zone)


def day_sql(ws: Any, scope: Any, q: Any) -> str:
    """SQL of the scoped events with their local hour, weekend flag, day, channel,
    platform, event and touchpoint (the SQL form's rows)."""
    from journeyscope.engine.runner import customer_events

    local = q.local_time("e.ts", q.bind(str(ws.config.timezone)))
    columns = (
        f"hour({local}) AS hour, isodow({local}) >= 6 AS weekend, "
        f"CAST({local} AS DATE) AS day, e.channel, {_platform_sql(q)} AS platform, e.event, "
        "coalesce(e.touchpoint, e.channel || ':' || e.event) AS tp"
    )
    return customer_events(ws, scope, q, columns, event_row=True)


def gather_day_in_sql(r: Any, base: str, q: Any, zone: str) -> DayEvidence | None:
    """:func:`gather_day` with a scratch table and SQL aggregates (what answers where
    the arrays cannot; tests hold the two equal)."""
    with r.scratch("js_day"):
        r.table("js_day", f"SELECT *, {_block_case('hour')} AS block FROM ({base}) b", q)
        total = r.rows(
            "SELECT count(*), count(DISTINCT customer_id), min(day), max(day) FROM js_day"
        )
        events, customers, first, last = total[0]
        if not events:
            return None
        return DayEvidence(
            zone=zone,
            total_events=int(events),
            total_customers=int(customers),
            weekdays=_days(first, last, weekend=False),
            weekend_days=_days(first, last, weekend=True),
            blocks=_blocks(r),
            channels=_top(r, "channel"),
            platforms=_top(r, "platform"),
            actions=_top(r, "event"),
            touchpoints=_touchpoints(r),
            first_day=str(first),
            last_day=str(last),
        )


def _days(first: Any, last: Any, *, weekend: bool) -> int:
    """Calendar days of one kind (weekend: Saturday and Sunday) from ``first`` to ``last``."""
    start, end = dt.date.fromisoformat(str(first)), dt.date.fromisoformat(str(last))
    days = (start + dt.timedelta(days=k) for k in range((end - start).days + 1))
    return sum((d.isoweekday() >= 6) == weekend for d in days)


def _blocks(r: Any) -> dict[str, BlockStats]:
    rows = r.rows(
        """SELECT block, count(DISTINCT customer_id), count(*),
                  count(*) FILTER (WHERE NOT weekend), count(*) FILTER (WHERE weekend)
           FROM js_day GROUP BY 1"""
    )
    hours = r.rows("SELECT block, hour, count(*) FROM js_day GROUP BY 1, 2 ORDER BY 3 DESC, 2")
    peaks: dict[str, tuple[int, int]] = {}
    for block, hour, n in hours:
        peaks.setdefault(str(block), (int(hour), int(n)))
    return {
        str(b): BlockStats(int(c), int(n), int(wd), int(we), *peaks.get(str(b), (None, 0)))
        for b, c, n, wd, we in rows
    }


def _top(r: Any, column: str) -> dict[str, list[Counts]]:
    """Per block, every value of ``column`` with its customers and events, most customers
    first (ties by name, so two runs draw the same map)."""
    rows = r.rows(
        f"""SELECT block, {column}, count(DISTINCT customer_id) AS c, count(*) AS n
            FROM js_day GROUP BY 1, 2 ORDER BY c DESC, n DESC, 2"""
    )
    out: dict[str, list[Counts]] = defaultdict(list)
    for block, name, customers, events in rows:
        out[str(block)].append((str(name), int(customers), int(events)))
    return dict(out)


def _touchpoints(r: Any) -> dict[str, list[tuple[str, str, int, int]]]:
    rows = r.rows(
        """SELECT block, tp, min(channel), count(DISTINCT customer_id) AS c, count(*) AS n
           FROM js_day GROUP BY 1, 2 ORDER BY c DESC, n DESC, 2"""
    )
    out: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for block, tp, channel, customers, events in rows:
        if len(out[str(block)]) < TOP:
            out[str(block)].append((str(tp), str(channel), int(customers), int(events)))
    return dict(out)


# -- drawing the map -----------------------------------------------------------------------


@dataclass(frozen=True)
class DayOptions:
    map_id: str = "day-in-the-life"
    lang: str = "vi"
    persona: Persona | str | None = None
    where: str | None = None
    since: str | None = None
    until: str | None = None


def _num(value: float, lang: str, decimals: int = 0) -> str:
    return format_number(value, lang, decimals)


def _pct(share: float, lang: str) -> str:
    return f"{format_number(share * 100, lang, 1)}%"


def _counts(customers: int, events: int, share: float | None = None) -> Localized:
    en = f"{_num(customers, 'en')} customers · {_num(events, 'en')} events"
    vi = f"{_num(customers, 'vi')} khách hàng · {_num(events, 'vi')} sự kiện"
    if share is not None:
        en += f" ({_pct(share, 'en')})"
        vi += f" ({_pct(share, 'vi')})"
    return Localized(en=en, vi=vi)


def _named(name: str, counts: Localized, label: tuple[str, str] | None = None) -> Localized:
    en, vi = label or (name, name)
    return Localized(en=f"{en} · {counts.en}", vi=f"{vi} · {counts.vi}")


def _block_total(day: DayEvidence, block: str) -> int:
    return day.blocks.get(block, BlockStats()).events


def _platform_cells(day: DayEvidence) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = {}
    for block, rows in day.platforms.items():
        total = _block_total(day, block)
        cells[block] = [
            _named(p, _counts(c, n, n / total), PLATFORM_NAMES.get(p)) for p, c, n in rows[:TOP]
        ]
    return cells


def _channel_cells(day: DayEvidence) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = {}
    for block, rows in day.channels.items():
        total = _block_total(day, block)
        cells[block] = [
            Item(text=_named(ch, _counts(c, n, n / total)), channel=ch) for ch, c, n in rows[:TOP]
        ]
    return cells


def _touchpoint_cells(day: DayEvidence) -> dict[str, list[Any]]:
    return {
        block: [Item(text=_named(tp, _counts(c, n)), channel=ch) for tp, ch, c, n in rows]
        for block, rows in day.touchpoints.items()
    }


def _action_cells(day: DayEvidence) -> dict[str, list[Any]]:
    return {
        block: [_named(event, _counts(c, n)) for event, c, n in rows[:TOP]]
        for block, rows in day.actions.items()
    }


def _per_day(events: int, days: int, lang: str) -> str:
    return _num(events / days, lang, 1) if days else "–"


def _week_split(s: BlockStats, day: DayEvidence) -> Localized:
    """Weekday against weekend: the block's events of each, and per day of each kind."""
    wd, we = s.weekday_events, s.weekend_events
    wd_en, wd_vi = (_per_day(wd, day.weekdays, lang) for lang in ("en", "vi"))
    we_en, we_vi = (_per_day(we, day.weekend_days, lang) for lang in ("en", "vi"))
    return Localized(
        en=f"Weekdays: {_num(wd, 'en')} events ({wd_en} a day) · "
        f"weekend: {_num(we, 'en')} ({we_en} a day)",
        vi=f"Ngày thường: {_num(wd, 'vi')} sự kiện ({wd_vi}/ngày) · "
        f"cuối tuần: {_num(we, 'vi')} ({we_vi}/ngày)",
    )


def _block_numbers(s: BlockStats, day: DayEvidence) -> list[Any]:
    share, reach = s.events / day.total_events, s.customers / day.total_customers
    items: list[Any] = [
        Localized(
            en=f"Customers: {_num(s.customers, 'en')} ({_pct(reach, 'en')} of all)",
            vi=f"Khách hàng: {_num(s.customers, 'vi')} ({_pct(reach, 'vi')} tổng số)",
        ),
        Localized(
            en=f"Events: {_num(s.events, 'en')} ({_pct(share, 'en')} of the day's)",
            vi=f"Sự kiện: {_num(s.events, 'vi')} ({_pct(share, 'vi')} cả ngày)",
        ),
        _week_split(s, day),
    ]
    if s.peak_hour is not None:
        n = s.peak_hour_events
        items.append(
            Localized(
                en=f"Busiest hour: {s.peak_hour:02d}:00 ({_num(n, 'en')} events)",
                vi=f"Giờ đông nhất: {s.peak_hour:02d}:00 ({_num(n, 'vi')} sự kiện)",
            )
        )
    return items


def _number_cells(day: DayEvidence) -> dict[str, list[Any]]:
    """Per block its numbers; a block without events says so (never a 0)."""
    cells: dict[str, list[Any]] = {}
    for b in BLOCKS:
        s = day.blocks.get(b.id)
        if s is None or not s.events:
            cells[b.id] = [Localized(en="no data", vi="không có dữ liệu")]
        else:
            cells[b.id] = _block_numbers(s, day)
    return cells


@dataclass(frozen=True)
class Moment:
    """A channel's peak block: the moment to reach them there. Counted in customers
    active in a block (an event-count would let one long session make a peak)."""

    channel: str
    block: str
    customers: int
    share: float  # of the channel's customer-blocks (each customer once per block)
    lift: float  # customers an hour in the block / the channel's customers an hour


def moments(day: DayEvidence) -> list[Moment]:
    """Per most-used channel, the block where it has the most customers per hour, when that
    is a clear peak (``PEAK_LIFT``, beyond chance: ``PEAK_Z``) on enough customers
    (``MIN_CUSTOMERS``): customers spread evenly over the day propose no moment."""
    per_channel: dict[str, dict[str, int]] = defaultdict(dict)
    for block, rows in day.channels.items():
        for ch, c, _ in rows:
            per_channel[ch][block] = c
    hours = {b.id: b.hours for b in BLOCKS}
    found = []
    used = sorted(per_channel, key=lambda k: (-max(per_channel[k].values()), k))
    for ch in used[:PEAK_CHANNELS]:
        blocks = per_channel[ch]
        total = sum(blocks.values())
        best = max(blocks, key=lambda k: (blocks[k] / hours[k], k))
        c = blocks[best]
        lift = (c / hours[best]) / (total / 24)
        low = (wilson(c, total, PEAK_Z) or (0.0, 0.0))[0]
        if lift >= PEAK_LIFT and c >= MIN_CUSTOMERS and low > hours[best] / 24:
            found.append(Moment(ch, best, c, c / total, round(lift, 2)))
    return found


#: said in the busiest block when no channel peaks clearly
NO_PEAK = Localized(
    en="No channel peaks clearly: its customers are spread over the day",
    vi="Không kênh nào có khung giờ nổi bật: khách hàng của kênh rải đều trong ngày",
)


def _moment_cells(day: DayEvidence) -> dict[str, list[Any]]:
    cells: dict[str, list[Any]] = defaultdict(list)
    times = {b.id: b.time.replace("-", "–") for b in BLOCKS}
    found = moments(day)
    if not found and day.blocks:
        busiest = max(day.blocks, key=lambda k: (day.blocks[k].customers, k))
        return {busiest: [NO_PEAK]}
    for m in found:
        when = times[m.block]
        cells[m.block].append(
            Item(
                text=Localized(
                    en=f"Reach them on {m.channel} at {when}: {_num(m.customers, 'en')} "
                    f"customers, {_num(m.lift, 'en', 1)}× the channel's average hour",
                    vi=f"Tiếp cận khách qua {m.channel} lúc {when}: {_num(m.customers, 'vi')} "
                    f"khách hàng, gấp {_num(m.lift, 'vi', 1)} lần giờ trung bình của kênh",
                ),
                channel=m.channel,
            )
        )
    return dict(cells)


def _persona(options: DayOptions) -> Persona | str:
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


def _ordered(cells: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {b.id: cells[b.id] for b in BLOCKS if cells.get(b.id)}


def day_map(day: DayEvidence, options: DayOptions) -> JourneyMap:
    """The day-in-the-life map the evidence draws."""
    period = f"{options.since or day.first_day or '…'} – {options.until or day.last_day or '…'}"
    who = options.persona.id if isinstance(options.persona, Persona) else options.persona
    where = f" · {options.where}" if options.where else f" · {who}" if who else ""
    lanes = [
        Lane(id="devices", kind="devices", cells=_ordered(_platform_cells(day))),
        Lane(id="channels", kind="channels", cells=_ordered(_channel_cells(day))),
        Lane(id="touchpoints", kind="touchpoints", cells=_ordered(_touchpoint_cells(day))),
        Lane(id="actions", kind="actions", cells=_ordered(_action_cells(day))),
        Lane(id="numbers", kind="kpis", cells=_ordered(_number_cells(day))),
        Lane(id="opportunities", kind="opportunities", cells=_ordered(_moment_cells(day))),
    ]
    return JourneyMap(
        id=options.map_id,
        type="day_in_the_life",
        title=Localized(
            en=f"A day in the life from the data ({period}){where}",
            vi=f"Một ngày của khách hàng từ dữ liệu ({period}){where}",
        ),
        description=Localized(
            en=f"Generated by `journeyscope map generate --type day_in_the_life`: when "
            f"({day.zone} time), on what and how customers interact, {period}. Opportunities "
            "are the blocks where a channel peaks: the moments to reach them.",
            vi=f"Tạo bởi `journeyscope map generate --type day_in_the_life`: khách hàng tương "
            f"tác khi nào (giờ {day.zone}), trên thiết bị và kênh nào, làm gì, {period}. Cơ "
            "hội là các khung giờ một kênh đông nhất: thời điểm tiếp cận khách.",
        ),
        language="en" if options.lang == "en" else "vi",
        personas=[_persona(options)],
        stages=[Stage(id=b.id, name=Localized(en=b.en, vi=b.vi), time=b.time) for b in BLOCKS],
        lanes=lanes,
    )
