"""`journeyscope touchpoints`: which touchpoints lose customers, per stage."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from journeyscope.cli import app
from journeyscope.cli.console import lang, out
from journeyscope.cli.options import (
    DatasetOpt,
    EngineOpt,
    FromOpt,
    IntervalOpt,
    JsonOpt,
    LineChartOpt,
    PerOpt,
    SessionColumnOpt,
    SessionGapOpt,
    SparkMasterOpt,
    ToOpt,
    WhereOpt,
    WorkspaceOpt,
)
from journeyscope.cli.report_output import (
    emit_report,
    journey_note,
    number,
    pct,
    report_scope,
    run_report,
    show_over_time,
    unit_column,
)
from journeyscope.cli.stage_report import ModelOpt, RulesOpt


@app.command("touchpoints")
def touchpoints_cmd(
    workspace: WorkspaceOpt = None,
    conversion: Annotated[
        str,
        typer.Option("--conversion", metavar="EVENT", help="The event that counts as converting."),
    ] = "purchase",
    within: Annotated[
        str,
        typer.Option(
            "--within",
            metavar="DURATION",
            help="Window after a touch (converted / dropped / rating).",
        ),
    ] = "7d",
    repeat_within: Annotated[
        str,
        typer.Option(
            "--repeat-within",
            metavar="DURATION",
            help="A second contact within this is a repeat.",
        ),
    ] = "7d",
    model: ModelOpt = "retail5",
    rules: RulesOpt = None,
    min_customers: Annotated[
        int,
        typer.Option("--min-customers", metavar="N", help="Hide touchpoints with fewer customers."),
    ] = 1,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    interval: IntervalOpt = None,
    output: LineChartOpt = None,
    per: PerOpt = "customer",
    session_gap: SessionGapOpt = None,
    session_column: SessionColumnOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per touchpoint: reach, conversion after it, drop-off, repeat contacts, ratings."""
    from journeyscope.app.queries import TouchpointsQuery

    query = TouchpointsQuery(
        conversion=conversion,
        within=within,
        repeat_within=repeat_within,
        model=model,
        rules=rules,
        min_customers=min_customers,
        interval=interval,
        per=per,
        session_gap=session_gap,
        session_column=session_column,
        **report_scope(since, until, where, engine, spark_master, dataset),
    )
    report = run_report(query, workspace)
    if interval:
        show_over_time(report, output, as_json)
        return
    if as_json:
        emit_report(report)
        return
    _print_touchpoints(report.for_language(lang()))


def _print_touchpoints(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t

    table = Table(title=t("touchpoints_title", lang()))
    for key in (
        "col_touchpoint",
        "col_stage",
        unit_column(data),
        "col_converted",
        "col_dropped",
        "col_repeat",
        "col_rating",
    ):
        table.add_column(
            t(key, lang()),
            justify="left" if key in ("col_touchpoint", "col_stage") else "right",
            overflow="fold",
        )
    ranked = sorted(
        data["touchpoints"],
        key=lambda x: (x["drop_rank"] is None, -x["dropped_share"], -x["customers"]),
    )
    for row in ranked:
        rep = row["repeat_contact_share"]
        table.add_row(
            escape(row["touchpoint"]),  # the data's text, not markup
            escape(row["stage"] or "–"),
            number(row["customers"]),
            pct(row["converted_share"]),
            pct(row["dropped_share"]) if row["observed"] else "–",
            "–" if rep is None else pct(rep),
            "–" if row["rating_after"] is None else number(row["rating_after"], 2),
        )
    out.print(table)
    journey_note(data)
