"""The ``journeyscope`` command: parses arguments, calls the library, formats the answer.

Every report has ``--json``; errors print as ``LOCATION: error[code]: message`` plus a hint,
in the chosen language (``--lang`` or ``JOURNEYSCOPE_LANG``), without a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from journeyscope.cli.engines import (
    EngineOpt,
    SparkMasterOpt,
    chosen_engine,
    dataset_location,
    source_location,
)
from journeyscope.demo.run import run_demo
from journeyscope.errors import InputError, JourneyScopeError, Location
from journeyscope.events.export import export_events, export_partitioned
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.spark_store import spark_session
from journeyscope.events.workspace import (
    ENV_WORKSPACE,
    Workspace,
    WorkspaceConfig,
    resolve_workspace,
)
from journeyscope.i18n import resolve_language, t
from journeyscope.i18n.formatting import format_number, format_vnd
from journeyscope.identity.explain import explain
from journeyscope.identity.forget import forget
from journeyscope.identity.manage import block, blocks, export_identities, unblock
from journeyscope.identity.profiles import profile, stats
from journeyscope.identity.resolve import resolve
from journeyscope.maps import api as maps_api
from journeyscope.maps.io import dump_document, write_atomic
from journeyscope.maps.library import check_persona_file, load_persona, persona_library
from journeyscope.maps.model import MAP_TYPES
from journeyscope.maps.personas import Persona
from journeyscope.maps.stage_models import get_stage_model, stage_models
from journeyscope.maps.text import localize
from journeyscope.maps.validate import check_map_file
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
stages_app = typer.Typer(
    invoke_without_command=True,
    help="Stage models (AIDA, retail 5, ...), and where customers are in them (-w DIR).",
)
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


# ------------------------------------------------------------------ workspace and data

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("-w", "--workspace", help="Workspace folder (default: $JOURNEYSCOPE_WORKSPACE)."),
]


@contextmanager
def _workspace(path: Path | None, *, read_only: bool = False) -> Iterator[Workspace]:
    ws = Workspace.open(path, read_only=read_only)
    try:
        yield ws
    finally:
        ws.close()


@app.command("init")
def init(
    workspace: WorkspaceOpt = None,
    timezone: Annotated[
        str, typer.Option(help="Zone for times without offset.")
    ] = "Asia/Ho_Chi_Minh",
    currency: Annotated[str, typer.Option(help="Default currency.")] = "VND",
    language: Annotated[str, typer.Option(help="Default language: vi or en.")] = "vi",
    as_json: JsonOpt = False,
) -> None:
    """Create a workspace: a folder with the DuckDB database, workspace.yaml and maps/."""
    root = resolve_workspace(workspace)
    try:
        config = WorkspaceConfig(timezone=timezone, currency=currency.upper(), language=language)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = first["msg"].removeprefix("Value error, ")
        raise InputError(
            msg,
            msg,
            location=Location(field=str(first["loc"][0])),
            hint_en="e.g. --timezone Asia/Ho_Chi_Minh --language vi",
            hint_vi="ví dụ --timezone Asia/Ho_Chi_Minh --language vi",
        ) from exc
    with Workspace.init(root, config) as ws:
        info = {
            "workspace": str(ws.root),
            "schema_version": ws.scalar("SELECT max(version) FROM schema_migrations"),
        }
    if as_json:
        emit_json(info)
    else:
        out.print(t("init_done", lang(), dir=root))


@app.command("ingest")
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="CSV/TSV, JSON Lines, Parquet or XLSX files.")
    ],
    workspace: WorkspaceOpt = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="Mapping file (YAML/JSON).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import events. Exit 0: all rows stored; 1: some rows quarantined; 2: a file refused."""
    loaded = load_mapping(mapping)
    with (
        _workspace(workspace) as ws,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            console=err,
            transient=True,
            disable=as_json,
        ) as bar,
    ):
        tasks: dict[str, Any] = {}

        def progress(label: str, pct: float) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=100)
            bar.update(tasks[label], completed=pct)

        result = ingest_files(ws, files, loaded, progress=progress)
    if as_json:
        emit_json(result.to_dict())
    else:
        for f in result.files:
            out.print(
                t(
                    "ingest_file",
                    lang(),
                    file=f.file,
                    accepted=f.accepted,
                    duplicates=f.duplicates,
                    rejected=f.rejected,
                )
            )
            if f.quarantine:
                out.print(t("quarantined", lang(), path=f.quarantine))
    if result.rejected:
        raise typer.Exit(1)


identity_app = typer.Typer(no_args_is_help=True, help="Identity resolution: who is who.")
customers_app = typer.Typer(no_args_is_help=True, help="Customer profiles and journeys.")
events_app = typer.Typer(no_args_is_help=True, help="Stored events: take them out.")
app.add_typer(identity_app, name="identity")
app.add_typer(customers_app, name="customers")
app.add_typer(events_app, name="events")


@identity_app.command("resolve")
def identity_resolve(
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Spark: the raw events (Parquet folder/URI) to resolve."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Spark: where to write the resolved events dataset."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Spark: replace --dataset whatever it holds.")
    ] = False,
) -> None:
    """Stitch events into customers (deterministic links, guarded against over-merging).

    With --engine spark it reads raw events from --source and writes them, with their
    customers, as the --dataset the Spark reports read."""
    if chosen_engine(workspace, engine) == "spark":
        data = _resolve_on_spark(workspace, spark_master, source, dataset, overwrite)
    else:
        if source or dataset or overwrite:
            raise InputError(
                "--source, --dataset and --overwrite are for identity resolve on Spark",
                "--source, --dataset và --overwrite dùng cho phân giải danh tính trên Spark",
                location=Location(field="--source" if source else "--dataset"),
                hint_en="add --engine spark, or leave them out to resolve the workspace",
                hint_vi="thêm --engine spark, hoặc bỏ chúng để phân giải trong workspace",
            )
        spinner = err.status("…", spinner="dots") if not as_json else None
        with _workspace(workspace) as ws, spinner or nullcontext():
            # each step's name on the spinner (none with --json)
            step = (lambda s: spinner.update(t(f"resolve_{s}", lang()))) if spinner else None
            data = resolve(ws, step).to_dict()
    if as_json:
        emit_json(data)
        return
    out.print(
        t(
            "resolved",
            lang(),
            customers=data["customers"],
            identifiers=data["identifiers"],
            events=data["events"],
            unattributed=data["unattributed_events"],
        )
    )
    if data["excluded_identifiers"]:
        table = Table(title=t("excluded_title", lang()))
        for col in ("identifier", "reason", "links", "linked_type"):
            table.add_column(
                t(f"col_{col}", lang()),
                justify="right" if col == "links" else "left",
                overflow="fold",
            )
        for row in data["excluded_identifiers"]:
            table.add_row(
                row["identifier"],
                t(f"reason_{row['reason']}", lang()),
                format_number(row["links"], lang()),
                row["linked_type"] or "–",
            )
        out.print(table)


def _resolve_on_spark(
    workspace: Path | None,
    master: str | None,
    source: str | None,
    dataset: str | None,
    overwrite: bool,
) -> dict[str, Any]:
    """The workspace gives the rules and blocks (read-only); Spark does the work."""
    from journeyscope.identity.spark_resolve import resolve_dataset  # pandas: load on use

    with _workspace(workspace, read_only=True) as ws:
        src, target = source_location(ws, source), dataset_location(ws, dataset)
        spark = spark_session(master or ws.config.spark.master)
        data = resolve_dataset(ws, spark, src, target, overwrite=overwrite).to_dict()
    return {**data, "engine": "spark", "dataset": target}


@identity_app.command("explain")
def identity_explain(
    identifier: Annotated[str, typer.Argument(help="TYPE:VALUE, e.g. phone:0903123456")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the chain of links that put an identifier in its customer."""
    with _workspace(workspace, read_only=True) as ws:
        data = explain(ws, identifier)
    if as_json:
        emit_json(data)
        return
    out.print(f"{data['identifier']} → customer {data['customer_id']} ({data['status']})")
    if "why" in data:
        out.print(data["why"])
    for link in data["links"]:
        ev = link["first_evidence"]
        out.print(
            f"{'  ' * link['depth']}{link['from']} — {link['to']}  "
            f"[{link['events_together']}× · {ev['source']} {ev['event_id']} "
            f"{ev['event']} {ev['ts']}]",
            markup=False,
        )


@identity_app.command("block")
def identity_block(
    identifiers: Annotated[
        list[str], typer.Argument(help="TYPE:VALUE, or two of them for one pair.")
    ],
    workspace: WorkspaceOpt = None,
    unblock_it: Annotated[
        bool, typer.Option("--unblock", help="Remove the block instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Stop an identifier (or one pair) from linking; the next resolve splits the customers."""
    if len(identifiers) > 2:
        raise InputError(
            f"got {len(identifiers)} identifiers; give one identifier or one pair",
            f"nhận {len(identifiers)} định danh; hãy đưa một định danh hoặc một cặp",
            hint_en="identity block phone:0903123456   or   identity block A B (one pair)",
            hint_vi="identity block phone:0903123456   hoặc   identity block A B (một cặp)",
        )
    with _workspace(workspace) as ws:
        data = (unblock if unblock_it else block)(
            ws, identifiers[0], identifiers[1] if len(identifiers) > 1 else None
        )
    if as_json:
        emit_json(data)
    else:
        out.print(t("unblocked" if unblock_it else "blocked", lang(), what=" ".join(identifiers)))


@identity_app.command("blocks")
def identity_blocks(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List the blocks in force."""
    with _workspace(workspace, read_only=True) as ws:
        data = blocks(ws)
    if as_json:
        emit_json(data)
        return
    for row in data:
        out.print(
            f"{row['identifier']}{' ↔ ' + str(row['other']) if row['other'] else ''}"
            f"  ({row['since']})",
            markup=False,
        )


def _exported(rows: int, output: Path, as_json: bool) -> None:
    if as_json:
        emit_json({"rows": rows, "file": str(output)})
    else:
        out.print(t("exported", lang(), n=rows, path=output))


@identity_app.command("export")
def identity_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.csv")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write identifier_type,identifier_value,customer_id for every linked identifier."""
    with _workspace(workspace, read_only=True) as ws:
        n = export_identities(ws, output)
    _exported(n, output, as_json)


@customers_app.command("show")
def customers_show(
    ref: Annotated[str, typer.Argument(help="Customer id, or any identifier TYPE:VALUE.")],
    workspace: WorkspaceOpt = None,
    limit: Annotated[int, typer.Option(help="Most timeline events to show.")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """A customer's identifiers, first/last seen, channels, orders, revenue and journey."""
    with _workspace(workspace, read_only=True) as ws:
        data = profile(ws, ref, limit)
    if as_json:
        emit_json(data)
        return
    out.print(f"[bold]{t('customer', lang())} {data['customer_id']}[/bold]")
    out.print(", ".join(f"{i['type']}:{i['value']}" for i in data["identifiers"]), markup=False)
    out.print(
        t(
            "profile_line",
            lang(),
            first=data["first_seen"],
            last=data["last_seen"],
            events=data["events"],
            orders=data["orders"],
            revenue=format_vnd(data["revenue"], lang()),
        )
    )
    table = Table()
    for col in ("ts", "event", "channel", "touchpoint", "revenue"):
        table.add_column(col)
    for e in data["timeline"]:
        table.add_row(
            e["ts"],
            e["event"],
            e["channel"],
            e["touchpoint"] or "",
            format_vnd(e["revenue"], lang()) if e["revenue"] else "",
        )
    out.print(table)


@app.command("stats")
def stats_cmd(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Events, customers, identifiers, first/last event, per channel."""
    with _workspace(workspace, read_only=True) as ws:
        data = stats(ws)
    if as_json:
        emit_json(data)
        return
    out.print(
        t(
            "stats_line",
            lang(),
            events=data["events"],
            customers=data["customers"],
            identifiers=data["identifiers"],
            first=data["first_event"],
            last=data["last_event"],
        )
    )
    table = Table()
    for col in ("channel", "events", "customers"):
        table.add_column(col)
    for row in data["channels"]:
        table.add_row(
            row["channel"],
            format_number(row["events"], lang()),
            format_number(row["customers"], lang()),
        )
    out.print(table)


@events_app.command("export")
def events_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.parquet or FILE.csv")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write every stored event with our field names (and its customer_id)."""
    with _workspace(workspace, read_only=True) as ws:
        n = export_events(ws, output)
    _exported(n, output, as_json)


@app.command("export-parquet")
def export_parquet_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="FOLDER for the dataset.")],
    workspace: WorkspaceOpt = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the folder if it exists.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write every event as Parquet partitioned by local date (date=YYYY-MM-DD/), for a data
    lake, Spark or a warehouse."""
    with _workspace(workspace, read_only=True) as ws:
        n = export_partitioned(ws, output, overwrite=overwrite)
    _exported(n, output, as_json)


@app.command("forget")
def forget_cmd(
    identifier: Annotated[str, typer.Option("--identifier", help="TYPE:VALUE of the person.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete every event, identifier and profile of a person (Decree 13/2023)."""
    with _workspace(workspace) as ws:
        data = forget(ws, identifier)
    if as_json:
        emit_json(data)
    else:
        d = data["deleted"]
        out.print(t("forgotten", lang(), events=d["events"], identifiers=d["identifiers"]))


# ------------------------------------------------------------------ demo


@app.command("demo")
def demo(
    workspace: WorkspaceOpt = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for the report and maps.")
    ] = Path("demo-output"),
    customers: Annotated[
        int, typer.Option(help="People to simulate (about 8 events each).")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 7,
    formats: Annotated[
        str,
        typer.Option(
            "--formats", help="Map formats, comma-separated: " + ",".join(sorted(RENDERERS))
        ),
    ] = "svg,html,pdf,png,xlsx",
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app (once it exists).")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Generate a Vietnamese omnichannel retailer's data, import it, stitch it, draw the maps."""
    wanted = [f.strip().lstrip(".") for f in formats.split(",") if f.strip()]
    for fmt in wanted:
        output_format(Path(f"x.{fmt}"))
    root = workspace or Path(os.environ.get(ENV_WORKSPACE) or output / "workspace")
    result = run_demo(
        root,
        output,
        customers=customers,
        seed=seed,
        formats=wanted,
        say=None if as_json else (lambda m: err.print(m, markup=False, highlight=False)),
        progress=not as_json,
    )
    if as_json:
        keys = ("workspace", "events", "customers", "identity", "report", "timings")
        emit_json({**{k: result[k] for k in keys}, "maps": len(result["maps"])})
        return
    out.print(
        t(
            "demo_data_done",
            lang(),
            events=result["events"],
            customers=result["customers"],
            ws=result["workspace"],
            report=result["report"],
        )
    )
    if serve:
        out.print(t("no_server_yet", lang()))


# ------------------------------------------------------------------ entry point


# the analytics commands register themselves on ``app``
from journeyscope.cli import analytics as _analytics  # noqa: E402, F401


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
