"""Metric bindings: a map cell that says *which number* to show, not the number itself.

A cell item may carry ``metric: {name: stage_reach, stage: consideration}``; the number is
filled from a workspace for a period by :mod:`journeyscope.living`. Map documents stand
alone, so this module knows only the names and what each metric needs (a stage, a
touchpoint, a filter) — enough to check a map without data. How a metric is computed lives
in :mod:`journeyscope.living.metrics`; a test holds both lists equal.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from journeyscope.maps.problems import Problem
from journeyscope.maps.stage_models import stage_models
from journeyscope.maps.text import NonEmpty, Slug

__all__ = ["DEFAULT_STAGE_MODEL", "METRIC_NEEDS", "Binding", "binding_problems", "suggest"]

Need = Literal["stage", "touchpoint", "where", "none"]

#: metric name -> what it is about (a stage, a touchpoint, a segment filter, or nothing)
METRIC_NEEDS: dict[str, Need] = {
    "stage_reach": "stage",
    "stage_conversion": "stage",
    "stage_time": "stage",
    "stage_dropoff": "stage",
    "touchpoint_conversion": "touchpoint",
    "touchpoint_dropoff": "touchpoint",
    "repeat_contact_rate": "touchpoint",
    "average_rating": "touchpoint",
    "segment_share": "where",
    "sentiment": "none",
    "nps": "none",
    "csat": "none",
    "ces": "none",
}

#: the stage model a binding's stage belongs to when the map names none
DEFAULT_STAGE_MODEL = "retail5"


class Binding(BaseModel):
    """What a bound cell shows: a metric name and what it is measured on.

    ``stage`` defaults to the cell's own stage; ``where`` narrows any metric to a segment
    (``segment_share`` needs it: the share of customers matching it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Slug = Field(description="Metric, e.g. stage_reach, touchpoint_dropoff, nps")
    stage: Slug | None = Field(None, description="Stage of the map's stage model")
    touchpoint: NonEmpty | None = Field(None, description="Touchpoint, e.g. web:/cart")
    where: NonEmpty | None = Field(None, description='Filter, e.g. "channel = zalo"')

    def expression(self, cell_stage: str | None = None) -> str:
        """The compact form shown on an unevaluated map: ``=stage_reach(consideration)``."""
        args = [a for a in (self.stage_for(cell_stage), self.touchpoint) if a]
        if self.where:
            args.append(f"where {self.where}")
        return f"={self.name}({', '.join(args)})"

    def stage_for(self, cell_stage: str | None) -> str | None:
        return self.stage or (cell_stage if METRIC_NEEDS.get(self.name) == "stage" else None)


def suggest(value: str, known: list[str]) -> tuple[str, str]:
    """An English and Vietnamese "did you mean …?" (or the list) for a misspelt name."""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
    if close:
        return (f"; did you mean {close[0]!r}?", f"; có phải ý bạn là {close[0]!r}?")
    return (f"; choose one of: {listed}", f"; hãy chọn một trong: {listed}")


def _bound_items(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, Any]]:
    """Every ``metric`` value in the raw document: its path, the cell's stage, the value."""
    lanes = data.get("lanes")
    for l_index, lane in enumerate(lanes if isinstance(lanes, list) else []):
        cells = lane.get("cells") if isinstance(lane, dict) else None
        for stage_id, entries in (cells if isinstance(cells, dict) else {}).items():
            for e_index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
                if isinstance(entry, dict) and "metric" in entry:
                    path = ("lanes", l_index, "cells", stage_id, e_index, "metric")
                    yield path, str(stage_id), entry["metric"]


def binding_problems(
    data: dict[str, Any], stage_model_files: list[Path] | None = None
) -> Iterator[Problem]:
    """Unknown metric names, stages not in the stage model, a missing touchpoint or filter."""
    model_id = data.get("stage_model") or DEFAULT_STAGE_MODEL
    model = stage_models(stage_model_files).get(str(model_id))
    stages = [s.id for s in model.stages] if model else []
    for path, cell_stage, metric in _bound_items(data):
        if not isinstance(metric, dict):
            continue  # the schema reports the wrong type
        name = metric.get("name")
        if not isinstance(name, str):
            continue
        if name not in METRIC_NEEDS:
            en, vi = suggest(name, list(METRIC_NEEDS))
            yield Problem(
                (*path, "name"), f"unknown metric {name!r}{en}", f"không có chỉ số {name!r}{vi}"
            )
            continue
        yield from _target_problems(path, name, metric, cell_stage, stages, str(model_id))


def _target_problems(
    path: tuple[str | int, ...],
    name: str,
    metric: dict[str, Any],
    cell_stage: str,
    stages: list[str],
    model_id: str,
) -> Iterator[Problem]:
    need = METRIC_NEEDS[name]
    stage = metric.get("stage")
    if isinstance(stage, str) and stages and stage not in stages:
        en, vi = suggest(stage, stages)
        yield Problem(
            (*path, "stage"),
            f"stage {stage!r} is not in stage model {model_id!r}{en}",
            f"giai đoạn {stage!r} không thuộc mô hình {model_id!r}{vi}",
        )
    elif need == "stage" and stage is None and stages and cell_stage not in stages:
        en, vi = suggest(cell_stage, stages)
        yield Problem(
            path,
            f"{name} needs a stage of model {model_id!r}; the cell's stage {cell_stage!r} "
            f"is not one — add `stage:`{en}",
            f"{name} cần một giai đoạn của mô hình {model_id!r}; giai đoạn của ô "
            f"{cell_stage!r} không thuộc mô hình — hãy thêm `stage:`{vi}",
        )
    if need == "none" and metric.get("where"):
        yield Problem(
            (*path, "where"),
            f"{name} is read from `feedback summary`, which takes no filter: leave out `where:`",
            f"{name} lấy từ `feedback summary`, vốn không nhận bộ lọc: hãy bỏ `where:`",
        )
    if need in ("touchpoint", "where") and not metric.get(need):
        example = "web:/cart" if need == "touchpoint" else "channel = zalo"
        yield Problem(
            path,
            f"{name} needs `{need}:` (e.g. {need}: {example!r})",
            f"{name} cần `{need}:` (ví dụ {need}: {example!r})",
        )
