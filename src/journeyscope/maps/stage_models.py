"""Stage models: the built-in ones from the articles and custom ones written in YAML."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from journeyscope.errors import DocumentError, Location, unknown_name
from journeyscope.maps.io import load_data, parse, position_of
from journeyscope.maps.problems import from_validation_error
from journeyscope.maps.text import Slug, Text


class StageDef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    name: Text
    description: Text | None = None


class StageModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    name: Text
    description: Text | None = None
    stages: list[StageDef] = Field(min_length=1)
    builtin: bool = False

    @field_validator("stages")
    @classmethod
    def _distinct(cls, stages: list[StageDef]) -> list[StageDef]:
        """Two stages with one id: a map's cells could not say which they belong to."""
        ids = [s.id for s in stages]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"stage id {twice[0]!r} is used twice")
        return stages


@cache
def builtin_stage_models() -> dict[str, StageModel]:
    text = resources.files("journeyscope.maps").joinpath("stage_models.yaml").read_text("utf-8")
    data, _ = parse(text, "stage_models.yaml")
    models = [StageModel.model_validate({**item, "builtin": True}) for item in data]
    return {m.id: m for m in models}


def load_stage_models(path: Path) -> list[StageModel]:
    """Custom stage models from a YAML file holding one model or a list of them."""
    data, positions = load_data(path)
    items = data if isinstance(data, list) else [data]
    models = []
    for index, item in enumerate(items):
        try:
            models.append(StageModel.model_validate(item))
        except ValidationError as exc:
            problem = from_validation_error(exc, item)[0]
            loc = ((index,) if isinstance(data, list) else ()) + problem.path
            _, pos = position_of(positions, loc)
            raise DocumentError(
                f"invalid stage model: {problem.message_en}",
                f"mô hình giai đoạn không hợp lệ: {problem.message_vi}",
                location=Location(
                    file=str(path),
                    line=pos[0] if pos else None,
                    column=pos[1] if pos else None,
                    field=".".join(str(p) for p in problem.path),
                ),
                hint_en="see `journeyscope stages list --json` for the shape of a stage model",
                hint_vi="xem `journeyscope stages list --json` để biết cấu trúc mô hình giai đoạn",
            ) from None
    return models


def stage_models(extra: list[Path] | None = None) -> dict[str, StageModel]:
    found = dict(builtin_stage_models())
    for path in extra or []:
        for model in load_stage_models(path):
            found[model.id] = model
    return found


def get_stage_model(model_id: str, extra: list[Path] | None = None) -> StageModel:
    models = stage_models(extra)
    if model_id not in models:
        raise unknown_name(
            "stage model", "mô hình giai đoạn", model_id, models, code="unknown_stage_model"
        )
    return models[model_id]
