"""Checking a map's bindings against a workspace: every stage, touchpoint and filter a
binding names must exist in the data — a misspelt name is an error with a suggestion,
never a silent 0."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from journeyscope.errors import JourneyScopeError
from journeyscope.living.bind import BoundItem, Fetch, bound_items
from journeyscope.living.metrics import METRICS
from journeyscope.maps.bindings import suggest
from journeyscope.maps.model import JourneyMap
from journeyscope.maps.problems import Problem

__all__ = ["workspace_problems"]


def workspace_problems(m: JourneyMap, fetch: Fetch) -> list[Problem]:
    """Problems of ``m``'s bindings in the workspace ``fetch`` reads (over all its data)."""
    return [p for b in bound_items(m) for p in _problems(b, fetch)]


def _problems(b: BoundItem, fetch: Fetch) -> Iterator[Problem]:
    metric = METRICS[b.binding.name]
    path = (*b.path, "metric")
    if b.binding.where:
        try:
            fetch("stages", b.binding.where)
        except JourneyScopeError as exc:
            yield Problem((*path, "where"), _with_hint(exc, "en"), _with_hint(exc, "vi"))
            return
    if metric.source == "stages":
        stage = b.binding.stage_for(b.stage)
        known = [str(r["stage"]) for r in fetch("stages", None)["stages"]]
        if stage not in known:
            en, vi = suggest(str(stage), known)
            yield Problem(
                (*path, "stage"),
                f"stage {stage!r} is not in the workspace's stage model{en}",
                f"giai đoạn {stage!r} không có trong mô hình giai đoạn của kho dữ liệu{vi}",
            )
    if metric.source == "feedback" and b.binding.touchpoint:
        yield from _feedback_touchpoint(path, b.binding.touchpoint, fetch("feedback", None))
    if metric.source == "touchpoints":
        name = str(b.binding.touchpoint)
        known = _touchpoints(fetch("touchpoints", None))
        if name not in known:
            en, vi = suggest(name, known)
            yield Problem(
                (*path, "touchpoint"),
                f"the workspace has no touchpoint {name!r}{en}",
                f"kho dữ liệu không có điểm chạm {name!r}{vi}",
            )


def _feedback_touchpoint(
    path: tuple[str | int, ...], name: str, summary: dict[str, Any]
) -> Iterator[Problem]:
    """A touchpoint no feedback names (checked once there is feedback at all: before any
    is imported, every feedback value reads "no feedback data")."""
    known = [str(g["key"]) for g in summary["groups"]]
    if summary["total"]["responses"] and name not in known:
        en, vi = suggest(name, known)
        yield Problem(
            (*path, "touchpoint"),
            f"no feedback in the workspace names touchpoint {name!r}{en}",
            f"không có phản hồi nào trong kho dữ liệu nêu điểm chạm {name!r}{vi}",
        )


def _touchpoints(report: dict[str, Any]) -> list[str]:
    return [str(r["touchpoint"]) for r in report.get("touchpoints", [])]


def _with_hint(exc: JourneyScopeError, lang: str) -> str:
    hint = exc.hint(lang)
    return f"{exc.message(lang)} ({hint})" if hint else exc.message(lang)
