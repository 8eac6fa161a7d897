"""What `map compare` and `map review` share: their words in the user's language, the
`--in` option, and the map drawn with their numbers (`--svg FILE`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import check_output, lang

RenderLangOpt = Annotated[
    str | None,
    typer.Option("--in", metavar="en|vi", help="Language of the --svg map (default: the map's)."),
]


def word(words: dict[str, tuple[str, str]], key: str) -> str:
    """``words[key]`` in the user's language."""
    en, vi = words[key]
    return vi if lang() == "vi" else en


def check_drawing(target: Path | None, force: bool) -> None:
    """Refuse a drawing file of an unknown format, or one that exists without --force,
    before any work is done."""
    if target is None:
        return
    from journeyscope.render.outputs import output_format

    output_format(target)
    check_output(target, force)


def draw(drawn: Any, checked: Any, target: Path, render_lang: str | None) -> None:
    """``drawn`` (a map with the command's numbers on it) rendered to ``target``."""
    from journeyscope.i18n import resolve_language
    from journeyscope.render.outputs import render_to_file

    language = resolve_language(render_lang or checked.map.language)
    render_to_file(drawn, checked.personas, target, language)
