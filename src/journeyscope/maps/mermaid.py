"""Mermaid ``journey`` diagrams, both ways.

Mermaid's model is smaller than ours: sections (our stages), tasks (our actions lane) and
one 1-5 score per task with actors. Export writes each action with the stage's emotion,
averaged over the personas that scored it and moved from -2..+2 to 1..5 (score + 3);
import does the reverse, each actor becoming a persona whose stage emotion is the mean
of their task scores. What Mermaid cannot hold (other lanes, notes) is not exported.
"""

from __future__ import annotations

import re
from statistics import mean
from typing import Any

from journeyscope.errors import DocumentError, Location
from journeyscope.maps.model import JourneyMap, as_item, emotion_point
from journeyscope.maps.personas import Persona
from journeyscope.maps.text import localize


def _clean(text: str) -> str:
    return re.sub(r"[:\n#;]", " ", text).strip()


def export_mermaid(m: JourneyMap, personas: dict[str, Persona], lang: str = "en") -> str:
    lines = ["journey", f"  title {_clean(localize(m.title, lang))}"]
    actions = next((lane for lane in m.lanes if lane.kind in ("actions", "customer_actions")), None)
    for stage in m.stages:
        lines.append(f"  section {_clean(localize(stage.name, lang))}")
        scored = [
            (c.persona, emotion_point(c.points[stage.id]).score)
            for c in m.emotions
            if stage.id in c.points
        ]
        score = round(mean(s for _, s in scored)) + 3 if scored else 3
        actors = ", ".join(
            _clean(localize(personas[p].name, lang)) if p in personas else p for p, _ in scored
        )
        entries = actions.cells.get(stage.id, []) if actions else []
        texts = [localize(as_item(e).text, lang) for e in entries] or [localize(stage.name, lang)]
        for text in texts:
            lines.append(f"    {_clean(text)}: {score}" + (f": {actors}" if actors else ""))
    return "\n".join(lines) + "\n"


def import_mermaid(text: str, source: str = "<mermaid>") -> JourneyMap:
    lines = text.splitlines()
    body = [
        (n, line.strip())
        for n, line in enumerate(lines, 1)
        if line.strip() and not line.strip().startswith("%%")
    ]
    if not body or body[0][1] != "journey":
        line_no = body[0][0] if body else 1
        raise DocumentError(
            "not a Mermaid journey diagram: the first line must be `journey`",
            "không phải sơ đồ Mermaid journey: dòng đầu phải là `journey`",
            location=Location(file=source, line=line_no),
        )
    title: str | dict[str, str] = {"en": "Journey", "vi": "Hành trình"}  # when untitled
    stages: list[dict[str, Any]] = []
    actions: dict[str, list[str]] = {}
    scores: dict[str, dict[str, list[float]]] = {}
    actor_ids: dict[str, str] = {}
    for line_no, line in body[1:]:
        if line.startswith("title "):
            title = line[6:].strip()
        elif line.startswith("section "):
            stage_id = f"s{len(stages) + 1}"
            stages.append({"id": stage_id, "name": line[8:].strip()})
        else:
            parts = [p.strip() for p in line.split(":")]
            if len(parts) < 2 or not stages or not re.fullmatch(r"\d+(\.\d+)?", parts[1]):
                raise DocumentError(
                    f"expected `task: score: actors` inside a section, got {line!r}",
                    f"cần dạng `công việc: điểm: người tham gia` trong một section, gặp {line!r}",
                    location=Location(file=source, line=line_no),
                )
            score = float(parts[1])
            if not 1 <= score <= 5:
                raise DocumentError(
                    f"Mermaid scores go from 1 to 5, got {parts[1]}",
                    f"điểm Mermaid từ 1 đến 5, gặp {parts[1]}",
                    location=Location(file=source, line=line_no),
                )
            stage_id = stages[-1]["id"]
            actions.setdefault(stage_id, []).append(parts[0])
            actors = [a.strip() for a in parts[2].split(",")] if len(parts) > 2 else []
            for actor in filter(None, actors):
                pid = actor_ids.setdefault(actor, f"p{len(actor_ids) + 1}")
                scores.setdefault(pid, {}).setdefault(stage_id, []).append(score - 3)
    if not stages:
        raise DocumentError(
            "the journey has no `section`",
            "sơ đồ không có `section` nào",
            location=Location(file=source),
        )
    data: dict[str, Any] = {
        "id": "mermaid-journey",
        "type": "current_state",
        "title": title,
        "stages": stages,
        "personas": [{"id": pid, "name": name} for name, pid in actor_ids.items()],
        "lanes": [
            {"id": "actions", "kind": "actions", "cells": actions},
            {"id": "emotions", "kind": "emotions"},
        ],
        "emotions": [
            {"persona": pid, "points": {s: round(mean(v), 2) for s, v in per_stage.items()}}
            for pid, per_stage in scores.items()
        ],
    }
    return JourneyMap.model_validate(data)
