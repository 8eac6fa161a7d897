"""The maps capability as a few verbs: what the CLI and the public API call."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from journeyscope.errors import InputError, Location, NotFound, unknown_name
from journeyscope.maps.diff import Change, diff_maps
from journeyscope.maps.excel import import_xlsx
from journeyscope.maps.io import read_text
from journeyscope.maps.library import persona_library
from journeyscope.maps.mermaid import import_mermaid
from journeyscope.maps.model import JourneyMap, MapType
from journeyscope.maps.personas import Persona
from journeyscope.maps.stage_models import get_stage_model
from journeyscope.maps.templates import TemplateInfo, blank_map, list_templates, template_data
from journeyscope.maps.validate import CheckedMap, load_map


def json_schema(kind: str = "map") -> dict[str, Any]:
    model = Persona if kind == "persona" else JourneyMap
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://journeyscope.dev/schema/{kind}-v1.json"
    return schema


def new_from_template(template_id: str, lang: str | None = None) -> JourneyMap:
    return JourneyMap.model_validate(template_data(template_id, lang))


def new_blank(stage_model: str, map_type: str, lang: str | None = None) -> JourneyMap:
    kind: MapType = map_type  # type: ignore[assignment]  # checked by the caller
    return blank_map(get_stage_model(stage_model), kind, lang)


def load(path: Path, persona_dirs: Iterable[Path] = ()) -> CheckedMap:
    return load_map(path, persona_dirs)


def import_map(path: Path, sheet: str | None = None) -> JourneyMap:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if not path.exists():
            raise NotFound(
                f"no such file: {path}",
                f"không tìm thấy tệp: {path}",
                location=Location(file=str(path)),
            )
        return import_xlsx(path, sheet)
    if suffix in (".mmd", ".mermaid", ".md", ".txt"):
        return import_mermaid(read_text(path), str(path))
    raise InputError(
        f"cannot import {path.name}: use an .xlsx grid or a Mermaid journey (.mmd)",
        f"không nhập được {path.name}: hãy dùng bảng .xlsx hoặc sơ đồ Mermaid journey (.mmd)",
        location=Location(file=str(path)),
        code="unsupported_format",
    )


def diff_files(
    old: Path, new: Path, persona_dirs: Iterable[Path] = (), lang: str = "en"
) -> list[Change]:
    dirs = list(persona_dirs)
    a, b = load_map(old, dirs).map, load_map(new, dirs).map
    assert a is not None and b is not None
    return diff_maps(a, b, lang)


def library_persona(persona_id: str, folders: Iterable[Path] = ()) -> Persona:
    library = persona_library(folders)
    if persona_id not in library:
        raise unknown_name("persona", "chân dung", persona_id, library, code="unknown_persona")
    return library[persona_id]


__all__ = ["TemplateInfo", "list_templates"]
