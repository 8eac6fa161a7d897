"""The persona library: built-in example personas plus folders of the user's own."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from journeyscope.errors import DocumentError, Location
from journeyscope.maps.io import load_data, parse, position_of
from journeyscope.maps.personas import Persona
from journeyscope.maps.problems import Problem, from_validation_error, locate


@cache
def builtin_personas() -> dict[str, Persona]:
    folder = resources.files("journeyscope.maps").joinpath("personas")
    found: dict[str, Persona] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data, _ = parse(entry.read_text("utf-8"), entry.name)
            persona = Persona.model_validate(data)
            found[persona.id] = persona
    return found


def check_persona_file(path: Path) -> tuple[Persona | None, list[Problem]]:
    data, positions = load_data(path)
    try:
        return Persona.model_validate(data), []
    except ValidationError as exc:
        problems = [locate(p, positions, str(path)) for p in from_validation_error(exc, data)]
        return None, problems


def load_persona(path: Path) -> Persona:
    persona, problems = check_persona_file(path)
    if persona is None:
        first = problems[0]
        raise DocumentError(
            f"invalid persona: {first.message_en}",
            f"chân dung khách hàng không hợp lệ: {first.message_vi}",
            location=Location(str(path), first.line, first.column, first.dotted()),
        )
    return persona


def persona_library(folders: Iterable[Path] = ()) -> dict[str, Persona]:
    """Personas by id: built-ins first, then each folder's ``*.yaml``/``*.json`` files."""
    found = dict(builtin_personas())
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml"), *folder.glob("*.json")]):
            data, _ = load_data(path)
            if isinstance(data, dict) and data.get("kind") == "persona":
                persona = load_persona(path)
                found[persona.id] = persona
    return found


def library_folders_for(map_path: Path | None, extra: Iterable[Path] = ()) -> list[Path]:
    """Where a map's persona references are looked up: ``personas/`` beside it, then extras."""
    folders = list(extra)
    if map_path is not None:
        folders.insert(0, map_path.parent / "personas")
    return folders


__all__ = [
    "builtin_personas",
    "check_persona_file",
    "library_folders_for",
    "load_persona",
    "persona_library",
    "position_of",
]
