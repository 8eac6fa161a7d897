"""`journeyscope map generate`: a map drawn from a workspace's data (docs/maps.md).

A command of the `map` group, kept apart from the document commands of ``cli/maps.py``
because it is the one that reads the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeyscope.cli.console import check_output, emit_json, lang, wrote
from journeyscope.cli.maps import map_app
from journeyscope.cli.options import (
    ForceOpt,
    FromOpt,
    JsonOpt,
    LangOpt,
    PersonaDirs,
    ToOpt,
    WhereOpt,
)


@map_app.command("generate")
def map_generate(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="The new map file (.yaml/.json)."),
    ],
    workspace: Annotated[
        Path | None,
        typer.Option("-w", "--workspace", metavar="DIR", help="Workspace to draw the map from."),
    ] = None,
    map_type: Annotated[
        str,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="current_state (stages from --model) or day_in_the_life (alias day_in_life: "
            "blocks of the day from the events' times).",
        ),
    ] = "current_state",
    model: Annotated[
        str, typer.Option("--model", metavar="ID", help="Stage model with stage rules.")
    ] = "retail5",
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", metavar="FILE", help="Stage rules YAML (built-in: retail5, current5, aida)."
        ),
    ] = None,
    persona: Annotated[
        str | None,
        typer.Option("--persona", metavar="ID", help="The persona the map is drawn for."),
    ] = None,
    where: WhereOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    map_id: Annotated[
        str | None,
        typer.Option(
            "--id", metavar="ID", help="Id of the new map (current-state, day-in-the-life)."
        ),
    ] = None,
    personas: PersonaDirs = None,
    _lang: LangOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Generate a map from the data: current state (stages, touchpoints, numbers, emotions,
    pains with quotes, opportunities) or a day in the life (when, on what and how customers
    interact; the moments to reach them). --lang sets the map's language."""
    from journeyscope.app.generate import generate
    from journeyscope.app.generate import map_type as checked_type
    from journeyscope.app.operations import open_workspace
    from journeyscope.maps.io import doc_format, dump_document, write_atomic

    chosen = checked_type(map_type)  # before the workspace opens: a typo fails fast
    check_output(output, force)
    with open_workspace(workspace) as ws:
        m = generate(
            ws,
            type_name=chosen,
            model=model,
            persona=persona,
            where=where,
            since=since,
            until=until,
            lang=lang(),
            map_id=map_id,
            persona_folders=personas or [],
            rules=rules,
        )
    write_atomic(output, dump_document(m, doc_format(output)))
    if as_json:
        emit_json(m.model_dump(mode="json", exclude_none=True))
        return
    wrote(output)
