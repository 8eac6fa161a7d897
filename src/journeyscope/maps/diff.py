"""What changed between two versions of a map: maps are reviewed monthly or quarterly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeyscope.maps.io import to_plain
from journeyscope.maps.model import JourneyMap, as_item, emotion_point
from journeyscope.maps.text import localize

#: What happened, said in English and Vietnamese (the codes stay in JSON for scripts).
CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "added": ("added", "thêm"),
    "removed": ("removed", "xoá"),
    "changed": ("changed", "sửa"),
}

#: What it happened to; ``stage_order`` is the order of the stages, not one stage.
KIND_WORDS: dict[str, tuple[str, str]] = {
    "field": ("field", "trường"),
    "stage": ("stage", "giai đoạn"),
    "stage_order": ("stage order", "thứ tự giai đoạn"),
    "lane": ("lane", "hàng"),
    "cell": ("cell", "ô"),
    "emotion": ("emotion", "cảm xúc"),
    "persona": ("persona", "chân dung"),
}


@dataclass(frozen=True)
class Change:
    change: str  # added | removed | changed
    kind: str  # field | stage | stage_order | lane | cell | emotion | persona
    path: str
    old: str | None = None
    new: str | None = None

    def describe(self, lang: str = "en") -> str:
        """The row's first column: "added stage" / "thêm giai đoạn"."""
        index = 1 if lang == "vi" else 0
        change = CHANGE_WORDS.get(self.change, (self.change, self.change))[index]
        kind = KIND_WORDS.get(self.kind, (self.kind, self.kind))[index]
        return f"{change} {kind}"

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "change": self.change,
            "kind": self.kind,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "description": self.describe(lang),
        }


def diff_maps(old: JourneyMap, new: JourneyMap, lang: str = "en") -> list[Change]:
    changes: list[Change] = []
    for name in ("type", "title", "description", "vision", "stage_model", "owner", "reviewed"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            changes.append(Change("changed", "field", name, _show(a, lang), _show(b, lang)))
    changes += _keyed(
        "stage",
        {s.id: s for s in old.stages},
        {s.id: s for s in new.stages},
        lambda s: localize(s.name, lang),
        to_plain,
    )
    changes += _keyed(
        "persona",
        {p: p for p in old.persona_ids()},
        {p: p for p in new.persona_ids()},
        lambda p: p,
        lambda p: p,
    )
    old_order, new_order = old.stage_ids(), new.stage_ids()
    common = [s for s in new_order if s in old_order]
    if [s for s in old_order if s in common] != common:
        changes.append(
            Change("changed", "stage_order", "stages", " → ".join(old_order), " → ".join(new_order))
        )
    old_lanes = {lane.id: lane for lane in old.lanes}
    new_lanes = {lane.id: lane for lane in new.lanes}
    changes += _keyed(
        "lane",
        old_lanes,
        new_lanes,
        lambda lane: lane.kind,
        lambda lane: (lane.kind, to_plain(lane)["title"] if lane.title else None),
    )
    for lane_id in [i for i in new_lanes if i in old_lanes]:
        a, b = old_lanes[lane_id], new_lanes[lane_id]
        for stage_id in dict.fromkeys([*a.cells, *b.cells]):
            before = [localize(as_item(e).text, lang) for e in a.cells.get(stage_id, [])]
            after = [localize(as_item(e).text, lang) for e in b.cells.get(stage_id, [])]
            raw_a = [to_plain(as_item(e)) for e in a.cells.get(stage_id, [])]
            raw_b = [to_plain(as_item(e)) for e in b.cells.get(stage_id, [])]
            if raw_a == raw_b:
                continue
            path = f"lanes.{lane_id}.{stage_id}"
            for text in after:
                if text not in before:
                    changes.append(Change("added", "cell", path, None, text))
            for text in before:
                if text not in after:
                    changes.append(Change("removed", "cell", path, text, None))
            if sorted(before) == sorted(after):
                changes.append(Change("changed", "cell", path, "; ".join(before), "; ".join(after)))
    changes += _emotions(old, new, lang)
    return changes


def _show(value: Any, lang: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return localize(value, lang)
    except AttributeError:
        return str(value)


def _keyed(
    kind: str, old: dict[str, Any], new: dict[str, Any], show: Any, content: Any
) -> list[Change]:
    out = [Change("added", kind, key, None, show(new[key])) for key in new if key not in old]
    out += [Change("removed", kind, key, show(old[key]), None) for key in old if key not in new]
    out += [
        Change("changed", kind, key, show(old[key]), show(new[key]))
        for key in new
        if key in old and content(old[key]) != content(new[key])
    ]
    return out


def _emotions(old: JourneyMap, new: JourneyMap, lang: str) -> list[Change]:
    a = {c.persona: c for c in old.emotions}
    b = {c.persona: c for c in new.emotions}
    out: list[Change] = []
    for persona in dict.fromkeys([*a, *b]):
        pa = a[persona].points if persona in a else {}
        pb = b[persona].points if persona in b else {}
        for stage in dict.fromkeys([*pa, *pb]):
            sa = emotion_point(pa[stage]) if stage in pa else None
            sb = emotion_point(pb[stage]) if stage in pb else None
            if sa == sb:
                continue
            change = "added" if sa is None else "removed" if sb is None else "changed"
            out.append(
                Change(
                    change,
                    "emotion",
                    f"emotions.{persona}.{stage}",
                    _score(sa, lang),
                    _score(sb, lang),
                )
            )
    return out


def _score(point: Any, lang: str) -> str | None:
    if point is None:
        return None
    text = f"{point.score:+g}"
    return f"{text} ({localize(point.note, lang)})" if point.note else text
