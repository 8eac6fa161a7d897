"""`journeyscope persona ...`: the persona library, persona files and persona cards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import check_output, emit_json, err, lang, out, wrote
from journeyscope.cli.options import ForceOpt, JsonOpt, WorkspaceOpt

persona_app = typer.Typer(no_args_is_help=True, help="Personas: the reusable library.")


@persona_app.command("list")
def persona_list(
    folders: Annotated[
        list[Path] | None,
        typer.Option("--personas", metavar="DIR", help="Your persona folder(s) to add."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the persona library (built-in examples plus your folders)."""
    from journeyscope.maps.library import persona_library

    library = persona_library(folders or [])
    if as_json:
        emit_json([p.model_dump(mode="json", exclude_none=True) for p in library.values()])
        return
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.maps.text import localize

    table = Table(title=t("personas_title", lang()))
    table.add_column(t("col_id", lang()), no_wrap=True)
    table.add_column(t("col_name", lang()), overflow="fold")
    for p in library.values():
        table.add_row(p.id, escape(localize(p.name, lang())))
    out.print(table)


@persona_app.command("new")
def persona_new(
    persona_id: Annotated[
        str, typer.Argument(metavar="ID", help="Id of a library persona to copy.")
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="Your copy (.yaml/.json)."),
    ],
    force: ForceOpt = False,
) -> None:
    """Copy a library persona into a file of your own to edit."""
    from journeyscope.maps.api import library_persona
    from journeyscope.maps.io import doc_format, dump_document, write_atomic

    check_output(output, force)
    persona = library_persona(persona_id)
    write_atomic(output, dump_document(persona, doc_format(output)))
    wrote(output)


@persona_app.command("validate")
def persona_validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Persona files (.yaml/.json).")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Check persona documents."""
    from journeyscope.i18n import t
    from journeyscope.maps.library import check_persona_file

    failed = False
    report: list[dict[str, Any]] = []
    for path in files:
        persona, problems = check_persona_file(path)
        failed = failed or persona is None
        report.append(
            {
                "file": str(path),
                "valid": persona is not None,
                "problems": [p.to_dict(lang()) for p in problems],
            }
        )
        if not as_json:
            for p in problems:
                err.print(p.render(lang()), markup=False, highlight=False)
            if persona is not None:
                out.print(t("valid_persona", lang(), file=path), markup=False)
    if as_json:
        emit_json(report)
    raise typer.Exit(1 if failed else 0)


@persona_app.command("render")
def persona_render(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Persona file.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FILE", help=".svg, .html or .png")
    ],
    render_lang: Annotated[
        str | None,
        typer.Option("--in", metavar="en|vi", help="Language of the card (default: --lang)."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Render a persona as a card."""
    from journeyscope.i18n import resolve_language
    from journeyscope.maps.library import load_persona
    from journeyscope.render.outputs import render_persona

    check_output(output, force)
    persona = load_persona(file)
    render_persona(persona, output, resolve_language(render_lang or lang()))
    wrote(output)


@persona_app.command("show")
def persona_show(
    ref: Annotated[
        str, typer.Argument(metavar="FILE|ID", help="A persona file, or a library persona's id.")
    ],
    workspace: WorkspaceOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="FILE", help="The card with live numbers (.svg, .png)."
        ),
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A persona and its segment in the data now: size, channels, typical order, products."""
    from journeyscope.app.segments import live_card, persona_segment
    from journeyscope.events.workspace import resolve_workspace
    from journeyscope.maps.api import library_persona
    from journeyscope.maps.library import load_persona

    if output is not None:
        check_output(output, force)
    path = Path(ref)
    folder = resolve_workspace(workspace) / "maps" / "personas"
    persona = load_persona(path) if path.suffix else library_persona(ref, [folder])
    report = persona_segment(workspace, persona)
    if output is not None:
        from journeyscope.render.outputs import render_persona

        live = live_card(report) if report is not None else None
        render_persona(persona, output, lang(), live)
        wrote(output)
    if as_json:
        emit_json(
            {
                "persona": persona.model_dump(mode="json", exclude_none=True),
                "segment": report.for_language(lang()) if report is not None else None,
            }
        )
        return
    from journeyscope.cli.segments import print_segment
    from journeyscope.i18n import t
    from journeyscope.maps.text import localize

    out.print(f"{persona.id}: {localize(persona.name, lang())}", markup=False)
    if report is None:
        err.print(t("persona_no_segment", lang(), id=persona.id), markup=False)
        return
    print_segment(report.for_language(lang()))


@persona_app.command("suggest")
def persona_suggest(
    workspace: WorkspaceOpt = None,
    k: Annotated[int, typer.Option("--k", metavar="N", help="How many personas.")] = 4,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", metavar="N", help="Seed of the clustering (same seed, same personas)."
        ),
    ] = 7,
    folder: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="DIR",
            help="Where the persona files go (default: the workspace's maps/personas/).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Propose only: write no files.")
    ] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose personas from clusters of real customers (behaviour, channels, value, time
    of day), each with a segment rule and a plain description to edit."""
    from journeyscope.app.segments import suggest_personas
    from journeyscope.events.workspace import resolve_workspace
    from journeyscope.maps.io import write_atomic

    found = suggest_personas(workspace, k, seed)
    target = folder or resolve_workspace(workspace) / "maps" / "personas"
    files = [target / f"{p['persona']['id']}.yaml" for p in found]
    if not dry_run:
        import yaml

        for path in files:
            check_output(path, force)
        for path, p in zip(files, found, strict=True):
            text = yaml.safe_dump(p["persona"], allow_unicode=True, sort_keys=False)
            write_atomic(path, text)
            p["file"] = str(path)
    if as_json:
        emit_json(found)
        return
    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    for p in found:
        out.print(f"[bold]{p['persona']['id']}[/bold]")
        out.print(p["description"][lang()], markup=False)
        recall = format_number(p["rule_recall"] * 100, lang())
        precision = format_number(p["rule_precision"] * 100, lang())
        out.print(
            t("suggest_rule", lang(), rule=p["segment_rule"], recall=recall, precision=precision),
            markup=False,
        )
        if "file" in p:
            wrote(p["file"])
