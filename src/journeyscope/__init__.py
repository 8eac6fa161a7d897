"""JourneyScope: customer-journey maps and journey data for omnichannel businesses.

The public API is flat and verb-first; names load lazily so ``import journeyscope`` stays
fast for the CLI.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # documents
    "JourneyMap": "journeyscope.maps.model",
    "Persona": "journeyscope.maps.personas",
    "StageModel": "journeyscope.maps.stage_models",
    "load_map": "journeyscope.maps.validate",
    "check_map_file": "journeyscope.maps.validate",
    "load_persona": "journeyscope.maps.library",
    "persona_library": "journeyscope.maps.library",
    "stage_models": "journeyscope.maps.stage_models",
    "get_stage_model": "journeyscope.maps.stage_models",
    "list_templates": "journeyscope.maps.templates",
    "new_from_template": "journeyscope.maps.api",
    "json_schema": "journeyscope.maps.api",
    "diff_maps": "journeyscope.maps.diff",
    "import_xlsx": "journeyscope.maps.excel",
    "export_xlsx": "journeyscope.maps.excel",
    "import_mermaid": "journeyscope.maps.mermaid",
    "export_mermaid": "journeyscope.maps.mermaid",
    "dump_document": "journeyscope.maps.io",
    # rendering
    "render_to_file": "journeyscope.render.outputs",
    "render_persona": "journeyscope.render.outputs",
    "render_map_svg": "journeyscope.render.svg_map",
    "render_map_html": "journeyscope.render.html_page",
    # journey data: the application layer (typed queries and reports)
    "Workspace": "journeyscope.app.workspace",
    "run": "journeyscope.app.operations",
    # errors
    "JourneyScopeError": "journeyscope.errors",
}

__all__ = [*_EXPORTS, "__version__"]  # noqa: PLE0604 - built from the export table


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'journeyscope' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
