"""Designed against actual: how real journeys go through a designed map (issue 19, item 6).

A designed map (future or current state) says which events each touchpoint stands for
(``events:`` / ``event:`` on a cell item, docs/maps.md). Every customer event of the period
is put on the first stage (in the map's order) with an item it matches; a customer's
journey through the map is then the sequence of stages of those events, repeats of one
stage in a row counted once. From that sequence: who follows the designed path (the
stages in order, none skipped, never back), who skips a stage (reaches a later one without
it), who loops (comes back to an earlier stage), what customers use that is not on the map,
and where the designed path loses the most (the consecutive stages with the lowest share
going on). :func:`compare_journeys` reads the data (SQL over the scoped customer events);
:func:`overlay` writes the numbers onto a copy of the map for the renderer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from journeyscope.i18n.formatting import format_number
from journeyscope.maps.model import Item, JourneyMap, Lane, as_item
from journeyscope.maps.text import Localized, Text

__all__ = [
    "OFF_MAP_TOP",
    "MappedItem",
    "biggest_loss",
    "compare_journeys",
    "mapped_items",
    "overlay",
]

#: touchpoints not on the map that the report lists (most customers first)
OFF_MAP_TOP = 10


@dataclass(frozen=True)
class MappedItem:
    """A cell item with events: where it sits and what it matches."""

    stage: str
    lane: str
    index: int
    item: Item


def mapped_items(m: JourneyMap) -> list[MappedItem]:
    """Every item that names events, in the map's stage order, then lane order."""
    order = {s.id: k for k, s in enumerate(m.stages)}
    found = [
        MappedItem(stage, lane.id, index, as_item(entry))
        for lane in m.lanes
        for stage, entries in lane.cells.items()
        for index, entry in enumerate(entries)
        if stage in order and as_item(entry).events
    ]
    return sorted(found, key=lambda f: order[f.stage])


def _matches(q: Any, events: list[str]) -> str:
    """An event matches a name given as its event, its touchpoint (``web:/cart``; a
    touchpoint-less event is ``channel:event``) or ``channel:event``."""
    parts = []
    for name in events:
        v = q.bind(name)
        parts.append(f"e.event = {v} OR tp = {v} OR e.channel || ':' || e.event = {v}")
    return " OR ".join(f"({p})" for p in parts)


def _text(value: Text) -> Any:
    return value.model_dump() if isinstance(value, Localized) else value


def compare_journeys(
    ws: Any, m: JourneyMap, since: str | None, until: str | None, where: str | None = None
) -> dict[str, Any] | None:
    """The report's data (the ``--json`` shape of ``journeyscope map compare``), or None
    when the period holds no customer events."""
    from journeyscope.analytics.scope import Scope
    from journeyscope.engine.dialect import Sql
    from journeyscope.engine.runner import Runner, customer_events

    items = mapped_items(m)
    steps = [s.id for s in m.stages if any(i.stage == s.id for i in items)]
    q = Sql()
    tp = "coalesce(e.touchpoint, e.channel || ':' || e.event)"
    base = customer_events(
        ws, Scope.parse(ws, since, until, where), q, f"e.ts, e.seq, e.event, e.channel, {tp} AS tp"
    )
    whens = " ".join(
        f"WHEN {_matches(q, [n for i in items if i.stage == s for n in i.item.events])} THEN {k}"
        for k, s in enumerate(steps)
    )
    flags = ", ".join(f"({_matches(q, i.item.events)}) AS i{k}" for k, i in enumerate(items))
    r = Runner(ws)
    with r.scratch("js_cmp", "js_cmp_visits"):
        r.table("js_cmp", f"SELECT *, CASE {whens} END AS step, {flags} FROM ({base}) e", q)
        total = r.rows("SELECT count(DISTINCT customer_id), count(*) FROM js_cmp")[0]
        if not total[1]:
            return None
        r.table("js_cmp_visits", _VISITS)
        data: dict[str, Any] = {
            "map": m.id,
            "customers": int(total[0]),
            **_paths(r, len(steps)),
            "stages": _stages(r, m, steps),
            "items": _items(r, items),
            "off_map": _off_map(r, steps, int(total[0])),
            "unmapped_stages": [s.id for s in m.stages if s.id not in steps],
        }
    data["biggest_loss"] = biggest_loss(data)
    return data


#: each customer's visits: mapped events whose stage differs from the one before, with
#: the stage before (``prev``) and their order (``k``)
_VISITS = """
    SELECT customer_id, step, prev, row_number() OVER (
        PARTITION BY customer_id ORDER BY ts, seq) AS k
    FROM (SELECT customer_id, ts, seq, step, lag(step) OVER (
              PARTITION BY customer_id ORDER BY ts, seq) AS prev
          FROM js_cmp WHERE step IS NOT NULL) v
    WHERE prev IS NULL OR prev <> step"""

_PER_CUSTOMER = """
    SELECT customer_id,
           max(CASE WHEN prev IS NULL THEN step END) AS first,
           max(step) AS last,
           bool_or(prev IS NOT NULL AND step < prev) AS looped,
           bool_or(prev IS NOT NULL AND step > prev + 1) AS jumped,
           count(DISTINCT step) AS visited
    FROM js_cmp_visits GROUP BY 1"""


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _paths(r: Any, n: int) -> dict[str, Any]:
    """Who entered the designed journey, followed it in order, finished it, skipped or looped."""
    row = r.rows(
        f"""SELECT count(*),
                   count(*) FILTER (WHERE first = 0 AND NOT looped AND NOT jumped),
                   count(*) FILTER (WHERE first = 0 AND NOT looped AND NOT jumped
                                    AND last = {n - 1}),
                   count(*) FILTER (WHERE visited < last + 1),
                   count(*) FILTER (WHERE looped)
            FROM ({_PER_CUSTOMER}) c"""
    )[0]
    entered, followed, completed, skipped, looped = (int(v or 0) for v in row)
    return {
        "entered": entered,
        "followed": followed,
        "followed_share": _share(followed, entered),
        "completed": completed,
        "completed_share": _share(completed, entered),
        "skipped_any": skipped,
        "skipped_any_share": _share(skipped, entered),
        "looped": looped,
        "looped_share": _share(looped, entered),
    }


def _stages(r: Any, m: JourneyMap, steps: list[str]) -> list[dict[str, Any]]:
    """Per designed stage: reach, going on to the next, skipped, come back to."""
    reach = dict(r.rows("SELECT step, count(DISTINCT customer_id) FROM js_cmp_visits GROUP BY 1"))
    events = dict(r.rows("SELECT step, count(*) FROM js_cmp WHERE step IS NOT NULL GROUP BY 1"))
    back = dict(
        r.rows(
            "SELECT step, count(DISTINCT customer_id) FROM js_cmp_visits "
            "WHERE step < prev GROUP BY 1"
        )
    )
    on = dict(
        r.rows(
            """SELECT a.step, count(*) FROM
                 (SELECT customer_id, step, min(k) AS k FROM js_cmp_visits GROUP BY 1, 2) a
               JOIN (SELECT customer_id, step, max(k) AS k FROM js_cmp_visits GROUP BY 1, 2) b
                 ON a.customer_id = b.customer_id AND b.step = a.step + 1 AND b.k > a.k
               GROUP BY 1"""
        )
    )
    names = {s.id: s.name for s in m.stages}
    rows = []
    for k, stage in enumerate(steps):
        later, skipped = r.rows(
            f"""SELECT count(*) FILTER (WHERE last > {k}),
                       count(*) FILTER (WHERE last > {k} AND NOT seen)
                FROM (SELECT customer_id, max(step) AS last, bool_or(step = {k}) AS seen
                      FROM js_cmp_visits GROUP BY 1) c"""
        )[0]
        reached, going = int(reach.get(k, 0)), int(on.get(k, 0))
        last = k == len(steps) - 1
        rows.append(
            {
                "stage": stage,
                "name": _text(names[stage]),
                "customers": reached,
                "events": int(events.get(k, 0)),
                "to_next": None if last else going,
                "to_next_share": None if last else _share(going, reached),
                "skipped": int(skipped),
                "skipped_share": _share(int(skipped), int(later)),
                "came_back": int(back.get(k, 0)),
            }
        )
    return rows


def _items(r: Any, items: list[MappedItem]) -> list[dict[str, Any]]:
    if not items:
        return []
    cols = ", ".join(
        f"count(DISTINCT customer_id) FILTER (WHERE i{k}), count(*) FILTER (WHERE i{k})"
        for k in range(len(items))
    )
    counts = r.rows(f"SELECT {cols} FROM js_cmp")[0]
    return [
        {
            "stage": i.stage,
            "lane": i.lane,
            "index": i.index,
            "text": _text(i.item.text),
            "events": list(i.item.events),
            "customers": int(counts[2 * k]),
            "event_count": int(counts[2 * k + 1]),
        }
        for k, i in enumerate(items)
    ]


def _off_map(r: Any, steps: list[str], customers: int) -> list[dict[str, Any]]:
    """The touchpoints used that no item stands for, most customers first; each with the
    designed stage customers were at when they used it most often (None: before any)."""
    top = r.rows(
        f"""SELECT tp, min(channel), count(DISTINCT customer_id) AS c, count(*) AS n
            FROM js_cmp WHERE step IS NULL GROUP BY 1 ORDER BY c DESC, n DESC, 1
            LIMIT {OFF_MAP_TOP}"""
    )
    if not top:
        return []
    where = Counter[tuple[str, int | None]]()
    for tp, step, n in r.rows(
        """SELECT u.tp, m.step, count(*) FROM (SELECT * FROM js_cmp WHERE step IS NULL) u
           ASOF LEFT JOIN (SELECT customer_id, ts, step FROM js_cmp WHERE step IS NOT NULL) m
             ON u.customer_id = m.customer_id AND u.ts >= m.ts
           GROUP BY 1, 2"""
    ):
        where[(str(tp), None if step is None else int(step))] = int(n)
    out = []
    for tp, channel, c, n in top:
        counts = {s: v for (name, s), v in where.items() if name == tp}
        after = max(counts, key=lambda s: (counts[s], -1 if s is None else -s)) if counts else None
        out.append(
            {
                "touchpoint": str(tp),
                "channel": str(channel),
                "customers": int(c),
                "share": _share(int(c), customers),
                "events": int(n),
                "after_stage": None if after is None else steps[after],
            }
        )
    return out


# -- the overlay ---------------------------------------------------------------------------


def _pct(value: float | None, lang: str) -> str:
    return "–" if value is None else f"{format_number(value * 100, lang, 1)}%"


def _n(value: int, lang: str) -> str:
    return format_number(value, lang)


def biggest_loss(data: dict[str, Any]) -> dict[str, Any] | None:
    """The designed stage whose customers go on to the next one least often."""
    rows = [s for s in data["stages"] if s["to_next_share"] is not None and s["customers"]]
    if not rows:
        return None
    worst = min(rows, key=lambda s: s["to_next_share"])
    order = [s["stage"] for s in data["stages"]]
    return {
        "stage": worst["stage"],
        "next_stage": order[order.index(worst["stage"]) + 1],
        "loss": round(1 - worst["to_next_share"], 4),
        "customers": worst["customers"],
    }


def _stage_lines(row: dict[str, Any], worst: str | None) -> list[Any]:
    lines: list[Any] = [
        Localized(
            en=f"Reached: {_n(row['customers'], 'en')} customers",
            vi=f"Đến giai đoạn: {_n(row['customers'], 'vi')} khách hàng",
        )
    ]
    if row["to_next_share"] is not None:
        en = f"to the next stage: {_pct(row['to_next_share'], 'en')}"
        vi = f"sang giai đoạn sau: {_pct(row['to_next_share'], 'vi')}"
        if row["stage"] == worst:
            en = f"⚠ the designed path loses the most here: {en}"
            vi = f"⚠ hành trình thiết kế mất nhiều khách nhất ở đây: {vi}"
        lines.append(Localized(en=en[0].upper() + en[1:], vi=vi[0].upper() + vi[1:]))
    if row["skipped"]:
        lines.append(
            Localized(
                en=f"Skipped by {_n(row['skipped'], 'en')} "
                f"({_pct(row['skipped_share'], 'en')} of those who went further)",
                vi=f"Bị bỏ qua bởi {_n(row['skipped'], 'vi')} khách "
                f"({_pct(row['skipped_share'], 'vi')} số khách đi tiếp)",
            )
        )
    if row["came_back"]:
        lines.append(
            Localized(
                en=f"Came back here: {_n(row['came_back'], 'en')} customers",
                vi=f"Quay lại đây: {_n(row['came_back'], 'vi')} khách hàng",
            )
        )
    return lines


def _with_numbers(lane: Lane, counts: dict[tuple[str, str, int], dict[str, Any]]) -> Lane:
    """The lane with each mapped item's actual customers written after its text."""
    cells: dict[str, list[Any]] = {}
    for stage, entries in lane.cells.items():
        cells[stage] = []
        for index, entry in enumerate(entries):
            row = counts.get((lane.id, stage, index))
            if row is None:
                cells[stage].append(entry)
                continue
            item = as_item(entry)
            en = f"{_localized(item.text, 'en')} · {_n(row['customers'], 'en')} customers"
            vi = f"{_localized(item.text, 'vi')} · {_n(row['customers'], 'vi')} khách hàng"
            if not row["customers"]:
                en, vi = en + " ⚠ unused", vi + " ⚠ không ai dùng"
            cells[stage].append(item.model_copy(update={"text": Localized(en=en, vi=vi)}))
    return lane.model_copy(update={"cells": cells})


def _localized(text: Text, lang: str) -> str:
    if isinstance(text, Localized):
        return (text.vi if lang == "vi" else text.en) or text.en or text.vi or ""
    return text


def _free(base: str, taken: set[str]) -> str:
    """A lane id the designed map does not use yet."""
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}-{k}"
    return name


def overlay(m: JourneyMap, data: dict[str, Any]) -> JourneyMap:
    """A copy of the designed map with the actual numbers on it: each mapped touchpoint's
    customers, an "actual" lane per stage (reach, going on, skipped, came back; the biggest
    loss marked) and a lane of what customers use that is not on the map."""
    counts = {(i["lane"], i["stage"], i["index"]): i for i in data["items"]}
    lanes = [_with_numbers(lane, counts) for lane in m.lanes]
    worst = (data.get("biggest_loss") or {}).get("stage")
    actual = {row["stage"]: _stage_lines(row, worst) for row in data["stages"]}
    for stage in data["unmapped_stages"]:
        actual[stage] = [Localized(en="not mapped to events", vi="chưa gắn với sự kiện nào")]
    off: dict[str, list[Any]] = {}
    first = m.stages[0].id
    for row in data["off_map"]:
        text = Localized(
            en=f"{row['touchpoint']} · {_n(row['customers'], 'en')} customers "
            f"({_pct(row['share'], 'en')})",
            vi=f"{row['touchpoint']} · {_n(row['customers'], 'vi')} khách hàng "
            f"({_pct(row['share'], 'vi')})",
        )
        off.setdefault(row["after_stage"] or first, []).append(
            Item(text=text, channel=row["channel"])
        )
    order = [s.id for s in m.stages]
    taken = {lane.id for lane in m.lanes}
    lanes += [
        Lane(
            id=_free("actual", taken),
            kind="kpis",
            title=Localized(
                en="Actual journeys (from the data)", vi="Hành trình thực tế (từ dữ liệu)"
            ),
            cells={s: actual[s] for s in order if s in actual},
        ),
        Lane(
            id=_free("off-map", taken),
            kind="notes",
            title=Localized(
                en="Used but not on the map", vi="Được dùng nhưng không có trên bản đồ"
            ),
            cells={s: off[s] for s in order if s in off},
        ),
    ]
    return m.model_copy(update={"lanes": lanes, "description": _summary(m, data)})


def _summary(m: JourneyMap, data: dict[str, Any]) -> Localized:
    """The map's description, then what the real journeys did."""
    entered = data["entered"]
    en = (
        f"Actual journeys: {_n(entered, 'en')} of {_n(data['customers'], 'en')} customers "
        f"used the map's touchpoints; {_pct(data['followed_share'], 'en')} followed the "
        f"designed path in order, {_pct(data['skipped_any_share'], 'en')} skipped a stage, "
        f"{_pct(data['looped_share'], 'en')} went back to an earlier one."
    )
    vi = (
        f"Hành trình thực tế: {_n(entered, 'vi')} trong {_n(data['customers'], 'vi')} khách "
        f"hàng dùng các điểm chạm của bản đồ; {_pct(data['followed_share'], 'vi')} đi đúng "
        f"thứ tự thiết kế, {_pct(data['skipped_any_share'], 'vi')} bỏ qua một giai đoạn, "
        f"{_pct(data['looped_share'], 'vi')} quay lại giai đoạn trước."
    )
    if m.description is not None:
        en = f"{_localized(m.description, 'en')}\n{en}"
        vi = f"{_localized(m.description, 'vi')}\n{vi}"
    return Localized(en=en, vi=vi)
