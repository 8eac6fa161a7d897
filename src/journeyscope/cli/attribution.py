"""`journeyscope attribution`: which channels earn the conversions."""

from __future__ import annotations

from pathlib import Path
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
    SparkMasterOpt,
    ToOpt,
    WhereOpt,
    WorkspaceOpt,
)
from journeyscope.cli.report_output import (
    emit_report,
    number,
    report_scope,
    run_report,
    show_over_time,
    write_chart,
)

MODEL_NAMES = "first, last, linear, position, time_decay, markov, shapley"


@app.command("attribution")
def attribution_cmd(
    workspace: WorkspaceOpt = None,
    paths_file: Annotated[
        Path | None,
        typer.Option(
            "--paths",
            metavar="FILE",
            help="Aggregated paths (CSV) instead of a workspace's journeys.",
        ),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", metavar="MODEL", help=f"One of: {MODEL_NAMES}.")
    ] = "markov",
    order: Annotated[
        int, typer.Option("--order", metavar="N", help="Markov order: 1, 2 or 3.")
    ] = 1,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare", metavar="MODELS", help="Several models side by side: first,last,markov,…"
        ),
    ] = None,
    conversion: Annotated[
        str,
        typer.Option("--conversion", metavar="EVENT", help="The event that converts (workspace)."),
    ] = "purchase",
    lookback: Annotated[
        str,
        typer.Option(
            "--lookback", metavar="DURATION", help="Touches up to this long before a conversion."
        ),
    ] = "30d",
    level: Annotated[
        str, typer.Option("--level", metavar="LEVEL", help="channel or touchpoint.")
    ] = "channel",
    value: Annotated[
        str, typer.Option("--value", metavar="FIELD", help="Field with the conversion's value.")
    ] = "revenue",
    repeats: Annotated[
        str,
        typer.Option(
            "--repeats", metavar="keep|collapse", help="keep, or collapse consecutive repeats."
        ),
    ] = "keep",
    half_life: Annotated[
        str,
        typer.Option(
            "--half-life", metavar="DURATION", help="time_decay: a touch this old counts half."
        ),
    ] = "7d",
    position: Annotated[
        str,
        typer.Option(
            "--position", metavar="FIRST,LAST", help="position: % to the first and last touch."
        ),
    ] = "40,40",
    export_matrix: Annotated[
        Path | None,
        typer.Option(
            "--export-matrix", metavar="FILE", help="Markov transition probabilities (CSV)."
        ),
    ] = None,
    export_effects: Annotated[
        Path | None,
        typer.Option("--export-effects", metavar="FILE", help="Markov removal effects (CSV)."),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", metavar="FILE", help="Bars per channel per model (.svg or .png)."),
    ] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    interval: IntervalOpt = None,
    output: LineChartOpt = None,
    path_col: Annotated[
        str, typer.Option("--path-col", metavar="COLUMN", help="--paths: the path column.")
    ] = "path",
    conv_col: Annotated[
        str,
        typer.Option("--conv-col", metavar="COLUMN", help="--paths: the conversions column."),
    ] = "total_conversions",
    value_col: Annotated[
        str | None,
        typer.Option("--value-col", metavar="COLUMN", help="--paths: the value column."),
    ] = None,
    null_col: Annotated[
        str | None,
        typer.Option(
            "--null-col", metavar="COLUMN", help="--paths: journeys that did not convert."
        ),
    ] = None,
    sep: Annotated[
        str, typer.Option("--sep", metavar="SEP", help="Between the steps of a path.")
    ] = ">",
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", metavar="CHAR", help="Between columns (sniffed if not given)."),
    ] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which channels earn the conversions: rule-based, time decay, exact Markov, Shapley."""
    from journeyscope.app.queries import AttributionQuery

    query = AttributionQuery(
        model=model,
        compare=tuple(m.strip() for m in compare.split(",")) if compare else (),
        order=order,
        conversion=conversion,
        lookback=lookback,
        level=level,
        value=value,
        repeats=repeats,
        half_life=half_life,
        position=position,
        export_matrix=export_matrix,
        export_effects=export_effects,
        paths_file=paths_file,
        path_col=path_col,
        conv_col=conv_col,
        value_col=value_col,
        null_col=null_col,
        sep=sep,
        delimiter=delimiter,
        interval=interval,
        **report_scope(since, until, where, engine, spark_master, dataset),
    )
    report = run_report(query, None if paths_file and workspace is None else workspace)
    if interval:
        show_over_time(report, chart or output, as_json)
        return
    results: list[dict[str, Any]] = report.for_language(lang()).get("models") or [
        report.for_language(lang())
    ]
    if chart:
        from journeyscope.i18n import t
        from journeyscope.render.charts import grouped_bars

        groups = _channels(results)
        svg = grouped_bars(
            t("attribution_title", lang()),
            groups,
            [(r["model"], r["conversions"]) for r in results],
            lang(),
        )
        write_chart(chart, svg, report)
    if as_json:
        emit_report(report)
        return
    _print_attribution(results)


def _channels(results: list[dict[str, Any]]) -> list[str]:
    return sorted(
        {c for r in results for c in r["conversions"]},
        key=lambda c: -results[0]["conversions"].get(c, 0.0),
    )


def _print_attribution(results: list[dict[str, Any]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t

    table = Table(title=t("attribution_title", lang()))
    table.add_column(t("col_channel", lang()), overflow="fold")
    for res in results:
        table.add_column(res["model"], justify="right")
    for ch in _channels(results):
        table.add_row(escape(ch), *(number(r["conversions"].get(ch, 0.0), 1) for r in results))
    out.print(table)
