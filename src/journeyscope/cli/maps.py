"""`journeyscope map ...`: create, check, draw, import and compare journey-map documents.

Each command parses its options, calls ``journeyscope.maps`` / ``journeyscope.render`` and
prints; those libraries are imported inside the commands so `--help` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeyscope.cli.console import check_output, emit_json, err, lang, out, wrote
from journeyscope.cli.options import (
    ForceOpt,
    FromOpt,
    JsonOpt,
    PersonaDirs,
    StageModelFiles,
    ToOpt,
)
from journeyscope.errors import InputError

if TYPE_CHECKING:
    from journeyscope.maps.validate import CheckedMap

map_app = typer.Typer(no_args_is_help=True, help="Journey maps: create, validate, render, diff.")

RENDER_FORMATS = ".svg .html .pdf .png .xlsx .mmd"


@map_app.command("schema")
def map_schema(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="FILE", help="Write here instead of stdout."),
    ] = None,
    persona: Annotated[bool, typer.Option("--persona", help="Persona schema instead.")] = False,
) -> None:
    """Print (or write) the JSON Schema of journey maps or personas."""
    from journeyscope.maps.api import json_schema
    from journeyscope.maps.io import write_atomic

    schema = json_schema("persona" if persona else "map")
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    if output:
        write_atomic(output, text)
        wrote(output)
    else:
        sys.stdout.write(text)


@map_app.command("templates")
def map_templates(as_json: JsonOpt = False) -> None:
    """List the built-in map templates."""
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.maps.model import MAP_TYPES
    from journeyscope.maps.templates import list_templates

    infos = list_templates()
    if as_json:
        emit_json([i.to_dict() for i in infos])
        return
    vi = lang() == "vi"
    table = Table(title=t("templates_title", lang()))
    # ids are what users copy into `map new --template`: never cut, never wrapped
    table.add_column(
        t("col_id", lang()), no_wrap=True, min_width=max((len(i.id) for i in infos), default=2)
    )
    table.add_column(t("col_type", lang()), overflow="fold")
    table.add_column(t("col_title", lang()), overflow="fold")
    table.add_column(t("col_stages", lang()), justify="right")
    for i in infos:
        en_type, vi_type = MAP_TYPES[i.type]
        table.add_row(
            i.id, vi_type if vi else en_type, i.title_vi if vi else i.title_en, str(i.stages)
        )
    out.print(table)


@map_app.command("new")
def map_new(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="The new map file (.yaml/.json)."),
    ],
    template: Annotated[
        str | None, typer.Option("--template", metavar="ID", help="Template id.")
    ] = None,
    stage_model: Annotated[
        str | None,
        typer.Option(
            "--stage-model", metavar="ID", help="Start a blank map from a stage model instead."
        ),
    ] = None,
    map_type: Annotated[
        str, typer.Option("--type", metavar="TYPE", help="Map type for --stage-model.")
    ] = "current_state",
    doc_lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="en|vi|both",
            help="Language of the new map: en, vi, or both (bilingual); en or vi also sets the "
            "language of messages.",
        ),
    ] = "both",
    force: ForceOpt = False,
) -> None:
    """Create a map from a template (or a blank one from a stage model)."""
    from journeyscope.maps import api as maps_api
    from journeyscope.maps.io import doc_format, dump_document, write_atomic
    from journeyscope.maps.model import MAP_TYPES

    if doc_lang not in ("en", "vi", "both"):
        raise InputError(
            f"--lang must be en, vi or both, not {doc_lang!r}",
            f"--lang phải là en, vi hoặc both, không phải {doc_lang!r}",
            code="invalid_option",
        )
    check_output(output, force)
    chosen = None if doc_lang == "both" else doc_lang
    if template:
        m = maps_api.new_from_template(template, chosen)
    elif stage_model:
        if map_type not in MAP_TYPES:
            raise InputError(
                f"unknown map type {map_type!r}",
                f"không có loại bản đồ {map_type!r}",
                hint_en="types: " + ", ".join(MAP_TYPES),
                hint_vi="các loại: " + ", ".join(MAP_TYPES),
                code="invalid_option",
            )
        m = maps_api.new_blank(stage_model, map_type, chosen)
    else:
        raise InputError(
            "give --template ID or --stage-model ID",
            "hãy chọn --template ID hoặc --stage-model ID",
            hint_en="see `journeyscope map templates` and `journeyscope stages list`",
            hint_vi="xem `journeyscope map templates` và `journeyscope stages list`",
            code="missing_option",
        )
    write_atomic(output, dump_document(m, doc_format(output)))
    wrote(output)


@map_app.command("validate")
def map_validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Map files (.yaml/.json).")
    ],
    personas: PersonaDirs = None,
    models: StageModelFiles = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "-w",
            "--workspace",
            metavar="DIR",
            help="Also check that the stages, touchpoints and filters bound cells name "
            "exist in this workspace.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check maps; print one `FILE:LINE:COL: field: message` line per problem."""
    from journeyscope.i18n import t
    from journeyscope.maps.validate import check_map_file

    results = [check_map_file(path, personas or [], models) for path in files]
    if workspace is not None:
        _check_in_workspace(results, workspace)
    failed = any(c.map is None or c.errors or (strict and c.problems) for c in results)
    if as_json:
        emit_json(
            [
                {
                    "file": c.source,
                    "valid": c.ok,
                    "problems": [p.to_dict(lang()) for p in c.problems],
                }
                for c in results
            ]
        )
    else:
        for checked in results:
            for problem in checked.problems:
                (err if problem.severity == "error" else out).print(
                    problem.render(lang()), markup=False, highlight=False
                )
            if checked.ok:
                out.print(t("valid", lang(), file=checked.source), markup=False)
    raise typer.Exit(1 if failed else 0)


def _check_in_workspace(results: list[CheckedMap], workspace: Path) -> None:
    """Add each valid map's binding problems in ``workspace`` (located in its file)."""
    from journeyscope.app.living import map_workspace_problems
    from journeyscope.app.operations import open_workspace
    from journeyscope.maps.io import load_data
    from journeyscope.maps.problems import locate

    with open_workspace(workspace) as ws:
        for checked in results:
            if checked.map is None or checked.errors:
                continue
            _, positions = load_data(Path(checked.source))
            found = map_workspace_problems(ws, checked.map)
            checked.problems += [locate(p, positions, checked.source) for p in found]


@map_app.command("render")
def map_render(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Map file.")],
    output: Annotated[
        list[Path],
        typer.Option("-o", "--output", metavar="FILE", help=f"Output file(s): {RENDER_FORMATS}"),
    ],
    personas: PersonaDirs = None,
    models: StageModelFiles = None,
    render_lang: Annotated[
        str | None,
        typer.Option(
            "--in",
            metavar="en|vi",
            help="Language of the rendered map (default: the map's `language`).",
        ),
    ] = None,
    force: ForceOpt = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "-w",
            "--workspace",
            metavar="DIR",
            help="Fill bound cells (`metric:`) from this workspace; without it they show "
            "their expression, marked not evaluated.",
        ),
    ] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    min_customers: Annotated[
        int,
        typer.Option(
            "--min-customers", metavar="N", help="Badge a value from fewer customers as few."
        ),
    ] = 30,
    stale_days: Annotated[
        int,
        typer.Option(
            "--stale-days",
            metavar="DAYS",
            help="Badge a value as stale when the newest event is older than this before "
            "--to (or today).",
        ),
    ] = 30,
) -> None:
    """Render a map to SVG, self-contained HTML, PDF, PNG, Excel or Mermaid."""
    from journeyscope.app.living import bound_map
    from journeyscope.app.operations import at_least, open_workspace
    from journeyscope.i18n import resolve_language
    from journeyscope.living.bind import Settings
    from journeyscope.maps.validate import load_map
    from journeyscope.render.outputs import output_format, render_to_file

    at_least(min_customers, 0, "--min-customers")
    at_least(stale_days, 0, "--stale-days")
    checked = load_map(file, personas or [], models)
    assert checked.map is not None
    for path in output:  # refuse a bad name or an existing file before writing anything
        output_format(path)
        check_output(path, force)
    settings = Settings(min_customers, stale_days)
    if workspace is None:
        drawn = bound_map(None, checked.map)
    else:
        from journeyscope.maps.io import load_data

        _, positions = load_data(file)
        with open_workspace(workspace) as ws:
            drawn = bound_map(ws, checked.map, since, until, settings, str(file), positions)
    target_lang = resolve_language(render_lang or checked.map.language)
    for path in output:
        render_to_file(drawn, checked.personas, path, target_lang)
        wrote(path)


@map_app.command("import")
def map_import(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help=".xlsx grid or Mermaid journey (.mmd).")
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="The map document (.yaml/.json)."),
    ],
    force: ForceOpt = False,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            metavar="NAME",
            help="The workbook's sheet to read (default: the first laid out as a map).",
        ),
    ] = None,
) -> None:
    """Read a map back from Excel or Mermaid into a YAML/JSON document."""
    from journeyscope.maps.api import import_map
    from journeyscope.maps.io import doc_format, dump_document, write_atomic

    check_output(output, force)
    m = import_map(file, sheet)
    write_atomic(output, dump_document(m, doc_format(output)))
    wrote(output)


@map_app.command("diff")
def map_diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier version.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later version.")],
    personas: PersonaDirs = None,
    as_json: JsonOpt = False,
) -> None:
    """List what changed between two versions of a map (stages, cells, emotions, personas)."""
    from journeyscope.i18n import t
    from journeyscope.maps.api import diff_files

    changes = diff_files(old, new, personas or [], lang())
    if as_json:
        emit_json({"changes": [c.to_dict(lang()) for c in changes], "count": len(changes)})
        return
    if not changes:
        out.print(t("no_changes", lang()))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=t("changes", lang(), n=len(changes)))
    for key in ("col_change", "col_where", "col_old", "col_new"):
        table.add_column(t(key, lang()), overflow="fold")
    for c in changes:  # the map's own text: shown as written, brackets included
        table.add_row(*(escape(v or "") for v in (c.describe(lang()), c.path, c.old, c.new)))
    out.print(table)
