"""`journeyscope insights`: what changed, found without being told where."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from journeyscope.cli import app
from journeyscope.cli.console import lang, out
from journeyscope.cli.options import (
    DatasetOpt,
    EngineOpt,
    JsonOpt,
    SparkMasterOpt,
    WhereOpt,
    WorkspaceOpt,
)
from journeyscope.cli.report_output import emit_report, number, report_scope, run_report


@app.command("insights")
def insights_cmd(
    workspace: WorkspaceOpt = None,
    since: Annotated[
        str | None,
        # not FromOpt: `--since` is this command's "changed since my last look"
        typer.Option(
            "--from",
            metavar="DATE",
            help="First day (YYYY-MM-DD or ISO time, workspace time zone).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--to", "--until", metavar="DATE", help="Last day, included (YYYY-MM-DD or ISO time)."
        ),
    ] = None,
    where: WhereOpt = None,
    changes_since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Only changes still going on or ending after this day (your last look).",
        ),
    ] = None,
    sensitivity: Annotated[
        str | None,
        typer.Option(
            "--sensitivity",
            metavar="LEVEL",
            help="low, medium or high (default: workspace.yaml insights.sensitivity, medium).",
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="A field to break numbers down by (repeat it); default: insights.slices.",
        ),
    ] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Scan every key step, stage, event and slice; list what changed, biggest first."""
    from journeyscope.app.queries import InsightsQuery

    query = InsightsQuery(
        changes_since=changes_since,
        sensitivity=sensitivity,
        slices=tuple(by) if by else None,
        **report_scope(since, until, where, engine, spark_master, dataset),
    )
    report = run_report(query, workspace)
    if as_json:
        emit_report(report)
        return
    _print(report.for_language(lang()))


def _print(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.insights.words import headline

    scanned = data.get("scanned")
    if data["nothing_changed"]:
        out.print(t("insights_nothing", lang(), days=(scanned or {}).get("days", 0)))
        return
    table = Table(title=t("insights_title", lang(), zone=data["timezone"]), show_lines=True)
    table.add_column("#", justify="right")
    for key in (
        "insights_col_change",
        "insights_col_slice",
        "insights_col_period",
        "insights_col_affected",
    ):
        table.add_column(
            t(key, lang()),
            overflow="fold",
            justify="right" if key == "insights_col_affected" else "left",
        )
    for rank, f in enumerate(data["findings"], 1):
        sl = f.get("slice")
        period = f["period"]
        table.add_row(
            str(rank),
            escape(headline(f, lang())),
            escape(f"{sl['field']} = {sl['value']}" if sl else t("insights_everyone", lang())),
            f"{period['from']} … {period['to']}",
            number(f["customers_affected"]),
        )
    out.print(table)
    out.print(t("insights_col_evidence", lang()) + ":")
    for rank, f in enumerate(data["findings"], 1):
        out.print(f"  {rank}. {escape(f.get('command') or '')}", soft_wrap=True)
    if data.get("more_findings"):
        out.print(t("insights_more", lang(), n=data["more_findings"]))
    out.print(t("insights_seasonal", lang(), n=len(data.get("seasonal_days") or [])))
