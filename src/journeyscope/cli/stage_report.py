"""`journeyscope stages -w DIR`: where customers are in a stage model, and how they move."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import lang, out
from journeyscope.cli.options import (
    DatasetOpt,
    EngineOpt,
    FromOpt,
    IntervalOpt,
    JsonOpt,
    SparkMasterOpt,
    ToOpt,
    WhereOpt,
    WorkspaceOpt,
)
from journeyscope.cli.report_output import (
    emit_report,
    number,
    pct,
    report_scope,
    run_report,
    seconds,
    show_over_time,
)
from journeyscope.cli.stage_models import stages_app

ModelOpt = Annotated[
    str, typer.Option("--model", metavar="ID", help="Stage model id (see `stages list`).")
]
RulesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules", metavar="FILE", help="Stage rules YAML (built-in: retail5, current5, aida)."
    ),
]


@stages_app.callback()
def stages_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    model: ModelOpt = "retail5",
    rules: RulesOpt = None,
    models: Annotated[
        list[Path] | None,
        typer.Option("--models", metavar="FILE", help="YAML file(s) with custom stage models."),
    ] = None,
    stall: Annotated[
        str,
        typer.Option(
            "--stall", metavar="DURATION", help="Inactivity after which a customer is stalled."
        ),
    ] = "30d",
    customer: Annotated[
        str | None,
        typer.Option("--customer", metavar="ID|TYPE:VALUE", help="One customer's stage timeline."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Every customer's current stage and stage dates (CSV); with --interval, "
            "the line chart (.svg or .png).",
        ),
    ] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    interval: IntervalOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per stage: customers reached, conversion to the next, time to it, stalled."""
    if ctx.invoked_subcommand is not None:
        return
    if workspace is None and not os.environ.get("JOURNEYSCOPE_WORKSPACE"):
        out.print(ctx.get_help())
        return
    from journeyscope.app.queries import CustomerStagesQuery, StagesQuery

    options: dict[str, Any] = {
        "model": model,
        "rules": rules,
        "models": tuple(models or ()),
        "stall": stall,
        "output": None if interval else output,
        "interval": interval,
        **report_scope(since, until, where, engine, spark_master, dataset),
    }
    query = (
        CustomerStagesQuery(customer=customer, **options) if customer else StagesQuery(**options)
    )
    report = run_report(query, workspace)
    if interval:
        show_over_time(report, output, as_json)
        return
    if as_json:
        emit_report(report)
        return
    data = report.for_language(lang())
    if customer:
        _print_timeline(data)
    else:
        _print_stages(data, output)


def _print_timeline(data: dict[str, Any]) -> None:
    from journeyscope.i18n import t

    names = {item["stage"]: item["name"] for item in data["timeline"]}
    current = data["current_stage"]
    out.print(t("current_stage", lang(), stage=names.get(current, current) or "–"), markup=False)
    for item in data["timeline"]:
        out.print(f"  {item['first_at']}  {item['name']} ({item['events']})", markup=False)


def _print_stages(data: dict[str, Any], output: Path | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t

    table = Table(title=escape(f"{data['model_name']}"))
    for key in (
        "col_stage",
        "col_customers",
        "col_now",
        "col_stalled",
        "col_to_next",
        "col_median",
    ):
        table.add_column(
            t(key, lang()), justify="left" if key == "col_stage" else "right", overflow="fold"
        )
    for row in data["stages"]:
        nxt = row["conversion_to_next"]
        table.add_row(
            escape(row["name"]),  # a YAML model's own text, not markup
            number(row["customers"]),
            number(row["current"]),
            number(row["stalled"]),
            "–" if nxt is None else pct(nxt),
            seconds(row["median_seconds_to_next"]),
        )
    out.print(table)
    if output:
        out.print(
            t("wrote_customers", lang(), n=number(data["exported"]), path=output), markup=False
        )
