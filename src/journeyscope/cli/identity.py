"""`journeyscope identity ...`: stitch events into customers, explain, block, export."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import emit_json, err, exported, lang, out, workspace
from journeyscope.cli.options import EngineOpt, JsonOpt, SparkMasterOpt, WorkspaceOpt
from journeyscope.errors import InputError

identity_app = typer.Typer(no_args_is_help=True, help="Identity resolution: who is who.")

IdentifierArg = Annotated[
    str, typer.Argument(metavar="TYPE:VALUE", help="TYPE:VALUE, e.g. phone:0903123456")
]


@identity_app.command("resolve")
def identity_resolve(
    workspace_dir: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="FOLDER|URI",
            help="Spark: the raw events (Parquet folder/URI) to resolve.",
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            metavar="FOLDER|URI",
            help="Spark: where to write the resolved events dataset.",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Spark: replace --dataset whatever it holds.")
    ] = False,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Resolve only what the events stored since the last resolve touch "
            "(the same answer; a full resolve when it cannot be exact).",
        ),
    ] = False,
) -> None:
    """Stitch events into customers (deterministic links, guarded against over-merging).

    With --engine spark it reads raw events from --source and writes them, with their
    customers, as the --dataset the Spark reports read."""
    from journeyscope.app import run
    from journeyscope.app.queries import ResolveQuery
    from journeyscope.i18n import t

    if incremental:
        _resolve_incremental(workspace_dir, as_json, engine, source or dataset or spark_master)
        return
    query = ResolveQuery(
        engine=engine,
        spark_master=spark_master,
        source=source,
        dataset=dataset,
        overwrite=overwrite,
    )
    # each step named on a spinner (none with --json); Spark names none
    spinner = None if as_json else err.status("…", spinner="dots")
    with spinner or nullcontext():
        step = (lambda s: spinner.update(t(f"resolve_{s}", lang()))) if spinner else None
        data = run(query, workspace_dir, progress=step).for_language(lang())
    if as_json:
        emit_json(data)
        return
    _print_resolved(data)


def _resolve_incremental(
    workspace_dir: Path | None, as_json: bool, engine: str | None, spark: str | None
) -> None:
    """``identity resolve --incremental``: the workspace's own events, on the embedded engine."""
    from journeyscope.i18n import t
    from journeyscope.identity.incremental import resolve_incremental

    if spark or engine == "spark":
        raise InputError(
            "--incremental resolves the workspace's own events on the embedded engine",
            "--incremental phân giải sự kiện của chính workspace bằng bộ máy nhúng",
            hint_en="leave out --engine spark, --source, --dataset and --spark-master",
            hint_vi="bỏ --engine spark, --source, --dataset và --spark-master",
            code="conflicting_options",
        )
    spinner = None if as_json else err.status("…", spinner="dots")
    with spinner or nullcontext(), workspace(workspace_dir) as ws:
        step = (lambda s: spinner.update(t(f"resolve_{s}", lang()))) if spinner else None
        data = resolve_incremental(ws, step).to_dict()
    if as_json:
        emit_json(data)
        return
    out.print(t("resolved_incremental", lang(), **data))
    if data["full"]:
        out.print(t("resolved_in_full", lang(), why=data["why"][lang()]))


def _print_resolved(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    counts = {k: data[k] for k in ("customers", "identifiers", "events")}
    out.print(t("resolved", lang(), unattributed=data["unattributed_events"], **counts))
    if not data["excluded_identifiers"]:
        return
    table = Table(title=t("excluded_title", lang()))
    for col in ("identifier", "reason", "links", "linked_type"):
        table.add_column(
            t(f"col_{col}", lang()),
            justify="right" if col == "links" else "left",
            overflow="fold",
        )
    for row in data["excluded_identifiers"]:
        table.add_row(
            escape(row["identifier"]),
            t(f"reason_{row['reason']}", lang()),
            format_number(row["links"], lang()),
            row["linked_type"] or "–",
        )
    out.print(table)


@identity_app.command("explain")
def identity_explain(
    identifier: IdentifierArg,
    workspace_dir: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the chain of links that put an identifier in its customer."""
    from journeyscope.i18n import t
    from journeyscope.identity.explain import explain

    with workspace(workspace_dir, read_only=True) as ws:
        data = explain(ws, identifier)
    if as_json:
        emit_json(data)
        return
    out.print(
        t(
            "explain_head",
            lang(),
            identifier=data["identifier"],
            customer=data["customer_id"] if data["customer_id"] is not None else "–",
            status=t(f"status_{data['status']}", lang()),
        ),
        markup=False,
    )
    if "rule" in data:
        why = t(f"why_{data['rule']}", lang(), n=data["max_links"], limit=data["limit"])
        out.print(why, markup=False)
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
        list[str],
        typer.Argument(metavar="TYPE:VALUE...", help="TYPE:VALUE, or two of them for one pair."),
    ],
    workspace_dir: WorkspaceOpt = None,
    unblock_it: Annotated[
        bool, typer.Option("--unblock", help="Remove the block instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Stop an identifier (or one pair) from linking; the next resolve splits the customers."""
    from journeyscope.i18n import t
    from journeyscope.identity.manage import block, unblock

    if len(identifiers) > 2:
        raise InputError(
            f"got {len(identifiers)} identifiers; give one identifier or one pair",
            f"nhận {len(identifiers)} định danh; hãy đưa một định danh hoặc một cặp",
            hint_en="identity block phone:0903123456   or   identity block A B (one pair)",
            hint_vi="identity block phone:0903123456   hoặc   identity block A B (một cặp)",
            code="invalid_identifier",
        )
    with workspace(workspace_dir) as ws:
        data = (unblock if unblock_it else block)(
            ws, identifiers[0], identifiers[1] if len(identifiers) > 1 else None
        )
    if as_json:
        emit_json(data)
    else:
        what = " ".join(identifiers)
        out.print(t("unblocked" if unblock_it else "blocked", lang(), what=what), markup=False)


@identity_app.command("blocks")
def identity_blocks(workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List the blocks in force."""
    from journeyscope.identity.manage import blocks

    with workspace(workspace_dir, read_only=True) as ws:
        data = blocks(ws)
    if as_json:
        emit_json(data)
        return
    for row in data:
        other = f" ↔ {row['other']}" if row["other"] else ""
        out.print(f"{row['identifier']}{other}  ({row['since']})", markup=False)


@identity_app.command("export")
def identity_export(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="FILE", help="FILE.csv")],
    workspace_dir: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write identifier_type,identifier_value,customer_id for every linked identifier."""
    from journeyscope.identity.manage import export_identities

    with workspace(workspace_dir, read_only=True) as ws:
        n = export_identities(ws, output)
    exported(n, output, as_json)
