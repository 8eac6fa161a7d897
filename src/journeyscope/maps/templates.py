"""Built-in map templates and blank maps made from a stage model."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from journeyscope.errors import unknown_name
from journeyscope.maps.io import parse
from journeyscope.maps.lanes import LaneKind
from journeyscope.maps.model import MAP_TYPES, JourneyMap, Lane, MapType, Stage
from journeyscope.maps.stage_models import StageModel
from journeyscope.maps.text import Localized, localize


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    type: str
    title_en: str
    title_vi: str
    description_en: str
    description_vi: str
    stages: int
    personas: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "title": {"en": self.title_en, "vi": self.title_vi},
            "description": {"en": self.description_en, "vi": self.description_vi},
            "stages": self.stages,
            "personas": self.personas,
        }


@cache
def _template_data() -> dict[str, dict[str, Any]]:
    folder = resources.files("journeyscope.maps").joinpath("templates")
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data, _ = parse(entry.read_text("utf-8"), entry.name)
            found[data["id"]] = data
    return found


def list_templates() -> list[TemplateInfo]:
    infos = []
    for data in _template_data().values():
        m = JourneyMap.model_validate(data)
        infos.append(
            TemplateInfo(
                m.id,
                m.type,
                localize(m.title, "en"),
                localize(m.title, "vi"),
                localize(m.description, "en"),
                localize(m.description, "vi"),
                len(m.stages),
                m.persona_ids(),
            )
        )
    return infos


def template_data(template_id: str, lang: str | None = None) -> dict[str, Any]:
    """A template as plain data; with ``lang`` en or vi, every bilingual text flattened."""
    templates = _template_data()
    if template_id not in templates:
        raise unknown_name("template", "mẫu", template_id, templates, code="unknown_template")
    data = templates[template_id]
    if lang in ("en", "vi"):
        flat = flatten_languages(data, lang)
        assert isinstance(flat, dict)
        return {**flat, "language": lang}
    return dict(data)


def flatten_languages(value: Any, lang: str) -> Any:
    """Replace every ``{en, vi}`` mapping by the text in ``lang``."""
    if isinstance(value, dict):
        if value and set(value) <= {"en", "vi"}:
            return localize(Localized(**value), lang)
        return {k: flatten_languages(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [flatten_languages(v, lang) for v in value]
    return value


DEFAULT_LANES: dict[str, list[LaneKind]] = {
    "current_state": [
        "goals",
        "actions",
        "touchpoints",
        "thoughts",
        "emotions",
        "pain_points",
        "pleasure_points",
        "opportunities",
        "owners",
        "kpis",
    ],
    "day_in_the_life": [
        "devices",
        "touchpoints",
        "tasks",
        "motivations",
        "thoughts",
        "emotions",
        "opportunities",
    ],
    "future_state": [
        "goals",
        "actions",
        "touchpoints",
        "thoughts",
        "emotions",
        "predicted_pain_points",
        "opportunities",
        "owners",
        "kpis",
    ],
    "service_blueprint": [
        "evidence",
        "customer_actions",
        "frontstage",
        "backstage",
        "support",
        "pain_points",
    ],
}


def blank_map(model: StageModel, map_type: MapType, lang: str | None = None) -> JourneyMap:
    """A map with the stages of ``model`` and the usual lanes of ``map_type``, cells empty."""
    title_en, title_vi = MAP_TYPES[map_type]
    stages = [
        Stage(
            id=s.id,
            name=s.name,
            description=s.description,
            # A day-in-the-life map needs times: spread the slots over the waking day.
            time=f"{min(6 + 2 * i, 23):02d}:00" if map_type == "day_in_the_life" else None,
        )
        for i, s in enumerate(model.stages)
    ]
    m = JourneyMap(
        id=f"{model.id}-{map_type}".replace("_", "-"),
        type=map_type,
        title=Localized(
            en=f"{title_en} - {localize(model.name, 'en')}",
            vi=f"{title_vi} - {localize(model.name, 'vi')}",
        ),
        stage_model=model.id,
        stages=stages,
        lanes=[Lane(id=kind, kind=kind) for kind in DEFAULT_LANES[map_type]],
        vision=Localized(en="Describe the vision", vi="Mô tả tầm nhìn")
        if map_type == "future_state"
        else None,
    )
    if lang in ("en", "vi"):
        data = flatten_languages(m.model_dump(mode="json", exclude_none=True), lang)
        return JourneyMap.model_validate({**data, "language": lang})
    return m
