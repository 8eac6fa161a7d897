from __future__ import annotations

import pytest

from journeyscope.maps.library import persona_library
from journeyscope.maps.model import MAP_TYPES
from journeyscope.maps.stage_models import builtin_stage_models
from journeyscope.maps.templates import blank_map, list_templates, template_data
from journeyscope.maps.validate import check_data
from tests.conftest import template_ids

REQUIRED = {
    "retail-current-state",
    "ecommerce-day-in-the-life",
    "b2c-future-state",
    "restaurant-service-blueprint",
    "b2b-five-phase",
    "action-camera-journey",
    "touchpoint-services-grid",
}


def test_required_templates_exist_and_cover_every_map_type() -> None:
    infos = list_templates()
    assert {i.id for i in infos} >= REQUIRED
    assert {i.type for i in infos} == set(MAP_TYPES)


@pytest.mark.parametrize("template", template_ids())
@pytest.mark.parametrize("lang", ["en", "vi", None])
def test_every_template_validates_without_warnings(template: str, lang: str | None) -> None:
    checked = check_data(template_data(template, lang), {}, f"{template}.yaml", persona_library())
    assert checked.problems == []
    assert checked.map is not None
    assert set(checked.personas) == set(checked.map.persona_ids())


def test_b2b_template_asks_questions_in_every_phase() -> None:
    data = template_data("b2b-five-phase")
    questions = next(lane for lane in data["lanes"] if lane["kind"] == "questions")
    assert [s["id"] for s in data["stages"]] == [
        "research",
        "compare",
        "doubt",
        "hesitate",
        "decide",
    ]
    assert set(questions["cells"]) == {"research", "compare", "doubt", "hesitate", "decide"}


def test_grid_template_offers_services_per_touchpoint() -> None:
    data = template_data("touchpoint-services-grid", "en")
    titles = {lane.get("title") for lane in data["lanes"] if lane["kind"] == "services"}
    assert {"Physical store", "Website", "Customer service", "Hotline", "Email", "SMS"} <= titles
    text = str(data).lower()
    for service in (
        "information",
        "appointment",
        "comparison",
        "prices",
        "offers",
        "support",
        "trial",
        "ordering",
        "delivery",
    ):
        assert service in text


@pytest.mark.parametrize("model", sorted(builtin_stage_models()))
@pytest.mark.parametrize("map_type", sorted(MAP_TYPES))
def test_blank_maps_from_every_stage_model_are_valid(model: str, map_type: str) -> None:
    m = blank_map(builtin_stage_models()[model], map_type, "vi")  # type: ignore[arg-type]
    data = m.model_dump(mode="json", exclude_none=True)
    checked = check_data(data, {}, "blank.yaml", persona_library())
    assert checked.errors == []
