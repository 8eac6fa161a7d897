"""The workspace and its data: `init`, `ingest`, `stats`, `events export`, `export-parquet`,
`forget`.

The event store (DuckDB) and the importers are imported inside each command, so listing
the commands or asking for help never opens a database engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import emit_json, err, exported, lang, out, real_console, workspace
from journeyscope.cli.options import JsonOpt, WorkspaceOpt
from journeyscope.errors import InputError, Location

events_app = typer.Typer(no_args_is_help=True, help="Stored events: take them out.")


def init(
    workspace_dir: WorkspaceOpt = None,
    timezone: Annotated[
        str, typer.Option(metavar="ZONE", help="Zone for times without offset (IANA name).")
    ] = "Asia/Ho_Chi_Minh",
    currency: Annotated[
        str, typer.Option(metavar="CODE", help="Default currency (ISO 4217 code).")
    ] = "VND",
    language: Annotated[
        str, typer.Option(metavar="vi|en", help="Default language: vi or en.")
    ] = "vi",
    as_json: JsonOpt = False,
) -> None:
    """Create a workspace: a folder with the DuckDB database, workspace.yaml and maps/."""
    from pydantic import ValidationError

    from journeyscope.events.workspace import Workspace, WorkspaceConfig, resolve_workspace
    from journeyscope.i18n import t

    root = resolve_workspace(workspace_dir)
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
            code="invalid_config",
        ) from exc
    with Workspace.init(root, config) as ws:
        info = {
            "workspace": str(ws.root),
            "schema_version": ws.scalar("SELECT max(version) FROM schema_migrations"),
        }
    if as_json:
        emit_json(info)
    else:
        out.print(t("init_done", lang(), dir=root), markup=False)


def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="CSV/TSV, JSON Lines, Parquet or XLSX files."),
    ],
    workspace_dir: WorkspaceOpt = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", "-m", metavar="FILE", help="Mapping file (YAML/JSON)."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Text encoding of CSV/JSON Lines (utf-16, cp1258, ...); default: detected "
            "from a byte-order mark, else UTF-8.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import events. Exit 0: all rows stored; 1: some rows quarantined; 2: a file refused."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from journeyscope.events.ingest import ingest_files
    from journeyscope.events.mapping import load_mapping
    from journeyscope.i18n import t

    loaded = load_mapping(mapping)
    with (
        workspace(workspace_dir) as ws,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            console=real_console(err),
            transient=True,
            disable=as_json,
        ) as bar,
    ):
        tasks: dict[str, Any] = {}

        def progress(label: str, pct: float) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=100)
            bar.update(tasks[label], completed=pct)

        result = ingest_files(ws, files, loaded, progress=progress, encoding=encoding)
    if as_json:
        emit_json(result.to_dict())
    else:
        for f in result.files:
            counts = {"accepted": f.accepted, "duplicates": f.duplicates, "rejected": f.rejected}
            out.print(t("ingest_file", lang(), file=f.file, **counts), markup=False)
            if f.quarantine:
                out.print(t("quarantined", lang(), path=f.quarantine), markup=False)
    for f in result.files:  # on stderr, so --json output stays one document
        if f.conflicts:
            examples = ", ".join(
                f"{f.file}:{e['line']}: {e['event_id']}" for e in f.conflict_examples
            )
            err.print(t("ingest_conflicts", lang(), n=f.conflicts, examples=examples), markup=False)
        if f.suppressed:
            err.print(t("ingest_suppressed", lang(), file=f.file, n=f.suppressed), markup=False)
    if result.rejected:
        raise typer.Exit(1)


def stats_cmd(workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Events, customers, identifiers, first/last event, per channel."""
    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number
    from journeyscope.identity.profiles import stats

    with workspace(workspace_dir, read_only=True) as ws:
        data = stats(ws)
    if as_json:
        emit_json(data)
        return
    keys = ("events", "customers", "identifiers")
    first, last = data["first_event"], data["last_event"]
    zone = data.get("timezone", "UTC")  # the times carry the workspace zone's offset
    out.print(
        t("stats_line", lang(), first=first, last=last, zone=zone, **{k: data[k] for k in keys})
    )
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for col in ("channel", "events", "customers"):
        table.add_column(t(f"col_{col}", lang()), justify="left" if col == "channel" else "right")
    for row in data["channels"]:
        table.add_row(
            escape(row["channel"]),
            format_number(row["events"], lang()),
            format_number(row["customers"], lang()),
        )
    out.print(table)


@events_app.command("export")
def events_export(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="FILE.parquet or FILE.csv"),
    ],
    workspace_dir: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write every stored event with our field names (and its customer_id)."""
    from journeyscope.events.export import export_events

    with workspace(workspace_dir, read_only=True) as ws:
        n = export_events(ws, output)
    exported(n, output, as_json)


def export_parquet_cmd(
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="DIR", help="Folder for the dataset.")
    ],
    workspace_dir: WorkspaceOpt = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the folder if it exists.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write every event as Parquet partitioned by local date (date=YYYY-MM-DD/), for a data
    lake, Spark or a warehouse."""
    from journeyscope.events.export import export_partitioned

    with workspace(workspace_dir, read_only=True) as ws:
        n = export_partitioned(ws, output, overwrite=overwrite)
    exported(n, output, as_json)


def forget_cmd(
    identifier: Annotated[
        str | None,
        typer.Option("--identifier", metavar="TYPE:VALUE", help="TYPE:VALUE of the person."),
    ] = None,
    workspace_dir: WorkspaceOpt = None,
    listing: Annotated[
        bool,
        typer.Option("--list", help="Show the suppression list (hashes only) and the log."),
    ] = False,
    unsuppress_id: Annotated[
        str | None,
        typer.Option(
            "--unsuppress", metavar="TYPE:VALUE", help="Let this identifier be imported again."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete every event, identifier and profile of a person and keep them out of later
    imports (Decree 13/2023); --list shows the suppression list and the deletion log."""
    from journeyscope.i18n import t
    from journeyscope.identity.forget import forget, suppression_list, unsuppress

    if sum((identifier is not None, listing, unsuppress_id is not None)) != 1:
        raise InputError(
            "give exactly one of --identifier, --list, --unsuppress",
            "hãy dùng đúng một trong --identifier, --list, --unsuppress",
            location=Location(field="forget"),
            hint_en="journeyscope forget --identifier email:an@example.vn -w DIR",
            hint_vi="journeyscope forget --identifier email:an@example.vn -w THƯ_MỤC",
            code="conflicting_options",
        )
    with workspace(workspace_dir, read_only=listing) as ws:
        if listing:
            data = suppression_list(ws)
        elif unsuppress_id is not None:
            data = unsuppress(ws, unsuppress_id)
        else:
            data = forget(ws, identifier or "")
    if as_json:
        emit_json(data)
    elif listing:
        _print_suppression_list(data)
    elif unsuppress_id is not None:
        out.print(t("unsuppressed", lang(), n=data["removed"], remaining=data["remaining"]))
    else:
        d = data["deleted"]
        if not (d["events"] or d["customers"] or d["spellings"]):  # held nowhere
            err.print(t("forgotten_nothing", lang(), identifier=identifier or ""))
        out.print(t("forgotten", lang(), events=d["events"], identifiers=d["identifiers"]))
        out.print(
            t(
                "forgotten_more",
                lang(),
                quarantine=d["quarantine_rows"],
                suppressed=data["suppressed"],
            )
        )


def _print_suppression_list(data: dict[str, Any]) -> None:
    from journeyscope.i18n import t

    for e in data["suppressed"]:
        out.print(
            f"{e['hash'][:16]}…  {e['type']:<12} #{e['request']}  {e['suppressed_at'][:19]}  "
            + t("suppressed_dropped", lang(), n=e["dropped_events"]),
            markup=False,
        )
    for entry in data["log"]:
        counts = ", ".join(f"{k}={v}" for k, v in entry.items() if k not in ("at", "action"))
        out.print(f"{entry['at'][:19]}  {entry['action']}  {counts}", markup=False)
