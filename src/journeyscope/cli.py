"""The ``journeyscope`` command: parses arguments, calls the library, formats the answer.

Every report has ``--json``; errors print as ``LOCATION: error[code]: message`` plus a hint,
in the chosen language (``--lang`` or ``JOURNEYSCOPE_LANG``), without a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from journeyscope.errors import InputError, JourneyScopeError, Location
from journeyscope.i18n import resolve_language, t
from journeyscope.maps import api as maps_api
from journeyscope.maps.io import dump_document, write_atomic
from journeyscope.maps.library import check_persona_file, load_persona, persona_library
from journeyscope.maps.model import MAP_TYPES
from journeyscope.maps.personas import Persona
from journeyscope.maps.stage_models import get_stage_model, stage_models
from journeyscope.maps.text import localize
from journeyscope.maps.validate import check_map_file
from journeyscope.render import demo as demo_mod
from journeyscope.render.outputs import (
    RENDERERS,
    output_format,
    render_persona,
    render_to_file,
)

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="JourneyScope: customer-journey maps and journey data.",
)
map_app = typer.Typer(no_args_is_help=True, help="Journey maps: create, validate, render, diff.")
stages_app = typer.Typer(no_args_is_help=True, help="Stage models (AIDA, retail 5, ...).")
persona_app = typer.Typer(no_args_is_help=True, help="Personas: the reusable library.")
app.add_typer(map_app, name="map")
app.add_typer(stages_app, name="stages")
app.add_typer(persona_app, name="persona")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
STATE: dict[str, str] = {"lang": "en"}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
PersonaDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--personas", help="Extra persona folder(s); `personas/` beside the map is always searched."
    ),
]


def lang() -> str:
    return STATE["lang"]


def emit_json(data: Any) -> None:
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))


@app.callback()
def _root(
    language: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of messages and output: en or vi (default: JOURNEYSCOPE_LANG or en).",
        ),
    ] = None,
) -> None:
    STATE["lang"] = resolve_language(language)


# ------------------------------------------------------------------ map


@map_app.command("schema")
def map_schema(
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    persona: Annotated[bool, typer.Option("--persona", help="Persona schema instead.")] = False,
) -> None:
    """Print (or write) the JSON Schema of journey maps or personas."""
    text = (
        json.dumps(
            maps_api.json_schema("persona" if persona else "map"), ensure_ascii=False, indent=2
        )
        + "\n"
    )
    if output:
        write_atomic(output, text)
        err.print(t("wrote", lang(), path=output))
    else:
        sys.stdout.write(text)


@map_app.command("templates")
def map_templates(as_json: JsonOpt = False) -> None:
    """List the built-in map templates."""
    infos = maps_api.list_templates()
    if as_json:
        emit_json([i.to_dict() for i in infos])
        return
    table = Table(title=t("templates_title", lang()))
    for key in ("col_id", "col_type", "col_title", "col_stages"):
        table.add_column(t(key, lang()))
    for i in infos:
        en, vi = MAP_TYPES[i.type]
        table.add_row(
            i.id,
            vi if lang() == "vi" else en,
            i.title_vi if lang() == "vi" else i.title_en,
            str(i.stages),
        )
    out.print(table)


def _check_output(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InputError(
            f"{path} already exists",
            f"{path} đã tồn tại",
            location=Location(file=str(path)),
            hint_en="choose another name or pass --force to overwrite",
            hint_vi="chọn tên khác hoặc thêm --force để ghi đè",
        )


@map_app.command("new")
def map_new(
    output: Annotated[Path, typer.Option("-o", "--output", help="The new map file (.yaml/.json).")],
    template: Annotated[str | None, typer.Option("--template", help="Template id.")] = None,
    stage_model: Annotated[
        str | None,
        typer.Option("--stage-model", help="Start a blank map from a stage model instead."),
    ] = None,
    map_type: Annotated[
        str, typer.Option("--type", help="Map type for --stage-model.")
    ] = "current_state",
    doc_lang: Annotated[str, typer.Option("--lang", help="en, vi, or both (bilingual).")] = "both",
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Create a map from a template (or a blank one from a stage model)."""
    if doc_lang not in ("en", "vi", "both"):
        raise InputError(
            f"--lang must be en, vi or both, not {doc_lang!r}",
            f"--lang phải là en, vi hoặc both, không phải {doc_lang!r}",
        )
    _check_output(output, force)
    chosen = None if doc_lang == "both" else doc_lang
    if template:
        m = maps_api.new_from_template(template, chosen)
    elif stage_model:
        if map_type not in MAP_TYPES:
            raise InputError(
                f"unknown map type {map_type!r}",
                f"không có loại bản đồ {map_type!r}",
                hint_en="types: " + ", ".join(MAP_TYPES),
            )
        m = maps_api.new_blank(stage_model, map_type, chosen)
    else:
        raise InputError(
            "give --template ID or --stage-model ID",
            "hãy chọn --template ID hoặc --stage-model ID",
            hint_en="see `journeyscope map templates` and `journeyscope stages list`",
        )
    write_atomic(output, dump_document(m, "json" if output.suffix == ".json" else "yaml"))
    err.print(t("wrote", lang(), path=output))


@map_app.command("validate")
def map_validate(
    files: Annotated[list[Path], typer.Argument(help="Map files (.yaml/.json).")],
    personas: PersonaDirs = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check maps; print one `FILE:LINE:COL: field: message` line per problem."""
    results = []
    failed = False
    for path in files:
        checked = check_map_file(path, personas or [])
        results.append(checked)
        bad = checked.errors or (strict and checked.problems)
        failed = failed or bool(bad) or checked.map is None
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


@map_app.command("render")
def map_render(
    file: Annotated[Path, typer.Argument(help="Map file.")],
    output: Annotated[
        list[Path],
        typer.Option("-o", "--output", help="Output file(s): .svg .html .pdf .png .xlsx .mmd"),
    ],
    personas: PersonaDirs = None,
    render_lang: Annotated[
        str | None,
        typer.Option("--in", help="Language of the rendered map (default: the map's `language`)."),
    ] = None,
) -> None:
    """Render a map to SVG, self-contained HTML, PDF, PNG, Excel or Mermaid."""
    checked = maps_api.load(file, personas or [])
    assert checked.map is not None
    target_lang = resolve_language(render_lang or checked.map.language)
    for path in output:
        output_format(path)  # refuse a bad name before writing anything
    for path in output:
        render_to_file(checked.map, checked.personas, path, target_lang)
        err.print(t("wrote", lang(), path=path))


@map_app.command("import")
def map_import(
    file: Annotated[Path, typer.Argument(help=".xlsx grid or Mermaid journey (.mmd).")],
    output: Annotated[Path, typer.Option("-o", "--output")],
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Read a map back from Excel or Mermaid into a YAML/JSON document."""
    _check_output(output, force)
    m = maps_api.import_map(file)
    write_atomic(output, dump_document(m, "json" if output.suffix == ".json" else "yaml"))
    err.print(t("wrote", lang(), path=output))


@map_app.command("diff")
def map_diff(
    old: Annotated[Path, typer.Argument()],
    new: Annotated[Path, typer.Argument()],
    personas: PersonaDirs = None,
    as_json: JsonOpt = False,
) -> None:
    """List what changed between two versions of a map (stages, cells, emotions, personas)."""
    changes = maps_api.diff_files(old, new, personas or [], lang())
    if as_json:
        emit_json({"changes": [c.to_dict() for c in changes], "count": len(changes)})
        return
    if not changes:
        out.print(t("no_changes", lang()))
        return
    table = Table(title=t("changes", lang(), n=len(changes)))
    for key in ("col_change", "col_where", "col_old", "col_new"):
        table.add_column(t(key, lang()))
    for c in changes:
        table.add_row(c.change, c.path, c.old or "", c.new or "")
    out.print(table)


# ------------------------------------------------------------------ stages


@stages_app.command("list")
def stages_list(
    models: Annotated[
        list[Path] | None, typer.Option("--models", help="YAML file(s) with custom stage models.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List stage models, built-in and custom."""
    found = stage_models(models or [])
    if as_json:
        emit_json([m.model_dump(mode="json", exclude_none=True) for m in found.values()])
        return
    table = Table(title=t("stage_models_title", lang()))
    table.add_column(t("col_id", lang()))
    table.add_column(t("col_name", lang()))
    table.add_column(t("col_stages", lang()))
    for m in found.values():
        table.add_row(
            m.id, localize(m.name, lang()), " → ".join(localize(s.name, lang()) for s in m.stages)
        )
    out.print(table)


@stages_app.command("show")
def stages_show(
    model_id: Annotated[str, typer.Argument()],
    models: Annotated[list[Path] | None, typer.Option("--models")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one stage model with its stage descriptions."""
    m = get_stage_model(model_id, models or [])
    if as_json:
        emit_json(m.model_dump(mode="json", exclude_none=True))
        return
    out.print(f"[bold]{localize(m.name, lang())}[/bold] — {localize(m.description, lang())}")
    for index, s in enumerate(m.stages, 1):
        out.print(
            f"{index}. [bold]{localize(s.name, lang())}[/bold]: {localize(s.description, lang())}"
        )


# ------------------------------------------------------------------ personas


@persona_app.command("list")
def persona_list(
    folders: Annotated[list[Path] | None, typer.Option("--personas")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the persona library (built-in examples plus your folders)."""
    library = persona_library(folders or [])
    if as_json:
        emit_json([p.model_dump(mode="json", exclude_none=True) for p in library.values()])
        return
    table = Table(title=t("personas_title", lang()))
    table.add_column(t("col_id", lang()))
    table.add_column(t("col_name", lang()))
    for p in library.values():
        table.add_row(p.id, localize(p.name, lang()))
    out.print(table)


@persona_app.command("new")
def persona_new(
    persona_id: Annotated[str, typer.Argument(help="Id of a library persona to copy.")],
    output: Annotated[Path, typer.Option("-o", "--output")],
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Copy a library persona into a file of your own to edit."""
    _check_output(output, force)
    persona = maps_api.library_persona(persona_id)
    write_atomic(output, dump_document(persona, "json" if output.suffix == ".json" else "yaml"))
    err.print(t("wrote", lang(), path=output))


@persona_app.command("validate")
def persona_validate(
    files: Annotated[list[Path], typer.Argument()], as_json: JsonOpt = False
) -> None:
    """Check persona documents."""
    failed = False
    report = []
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
    file: Annotated[Path, typer.Argument()],
    output: Annotated[Path, typer.Option("-o", "--output", help=".svg, .html or .png")],
    render_lang: Annotated[str | None, typer.Option("--in")] = None,
) -> None:
    """Render a persona as a card."""
    persona: Persona = load_persona(file)
    render_persona(persona, output, resolve_language(render_lang or lang()))
    err.print(t("wrote", lang(), path=output))


# ------------------------------------------------------------------ demo


@app.command("demo")
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the demo.")] = Path(
        "demo-output"
    ),
    formats: Annotated[
        str, typer.Option("--formats", help="Comma-separated: " + ",".join(sorted(RENDERERS)))
    ] = "svg,html,pdf,png,xlsx",
    as_json: JsonOpt = False,
) -> None:
    """Render every template in Vietnamese and English and write an index page."""
    wanted = [f.strip().lstrip(".") for f in formats.split(",") if f.strip()]
    result = demo_mod.build_demo(output, wanted, progress=not as_json)
    if as_json:
        emit_json(result)
    else:
        out.print(t("demo_done", lang(), n=result["maps"], dir=output, index=result["index"]))


# ------------------------------------------------------------------ entry point


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; expected errors become a message and an exit code, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, standalone_mode=False, prog_name="journeyscope")
    except JourneyScopeError as exc:
        STATE["lang"] = STATE.get("lang") or resolve_language()
        if "--json" in args:
            sys.stdout.write(json.dumps(exc.to_dict(lang()), ensure_ascii=False) + "\n")
        err.print(exc.render(lang()), markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Typer vendors its own copy of click, so match click's exceptions by shape.
        name = type(exc).__name__
        if name == "Exit":
            sys.exit(getattr(exc, "exit_code", 0))
        if name == "Abort":
            err.print("Aborted / Đã huỷ")
            sys.exit(130)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
