"""The demo's maps drawn from its own data: what ``map generate`` makes of the shop.

Next to the hand-drawn templates, the demo draws a current-state map and a day in the
life from the imported, stitched events (:mod:`journeyscope.app.generate`), in Vietnamese
and English, with their numbers bound to the data and filled in, so the report, the map
gallery and the web app show what no template can: the shop's real journey.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeyscope.events.workspace import Workspace

__all__ = ["FROM_DATA", "draw_from_data"]

#: (map type to generate, the map's id)
FROM_DATA = (
    ("current_state", "from-data-current-state"),
    ("day_in_the_life", "from-data-day-in-the-life"),
)


def draw_from_data(
    ws: Workspace, folder: Path, formats: list[str], langs: tuple[str, ...] = ("vi", "en")
) -> list[dict[str, Any]]:
    """Generate, bind and render each map of :data:`FROM_DATA` in each language into
    ``folder``; the items are shaped as the templates' (``template`` is the map's id)."""
    from journeyscope.app.generate import generate
    from journeyscope.app.living import bound_map
    from journeyscope.maps.io import dump_document, write_atomic
    from journeyscope.maps.text import localize
    from journeyscope.maps.validate import load_map
    from journeyscope.render.outputs import render_to_file

    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for type_name, map_id in FROM_DATA:
        for lang in langs:
            source = folder / f"{map_id}.{lang}.yaml"
            write_atomic(
                source, dump_document(generate(ws, type_name=type_name, lang=lang, map_id=map_id))
            )
            checked = load_map(source)
            assert checked.map is not None
            drawn = bound_map(ws, checked.map)
            files = [source.name]
            for fmt in formats:
                target = folder / f"{map_id}.{lang}.{fmt}"
                render_to_file(drawn, checked.personas, target, lang)
                files.append(target.name)
            items.append(
                {
                    "template": map_id,
                    "lang": lang,
                    "type": str(checked.map.type),
                    "title": localize(checked.map.title, lang),
                    "files": files,
                    "from_data": True,
                }
            )
    return items
