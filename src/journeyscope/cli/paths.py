"""`journeyscope paths`: directly-follows graph, top journeys, Sankey, sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeyscope.cli import app
from journeyscope.cli.console import lang, out
from journeyscope.cli.options import (
    DatasetOpt,
    EngineOpt,
    IntervalOpt,
    JsonOpt,
    LineChartOpt,
    PerOpt,
    SessionColumnOpt,
    SessionGapOpt,
    SinceOpt,
    SparkMasterOpt,
    UntilOpt,
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
    seconds,
    show_over_time,
    write_chart,
)


@app.command("paths")
def paths_cmd(
    workspace: WorkspaceOpt = None,
    level: Annotated[
        str,
        typer.Option(
            "--level",
            metavar="LEVEL",
            help="What a step is: event, channel, touchpoint, channel_event.",
        ),
    ] = "event",
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="EVENT", help="Sankey: the steps after this event."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="EVENT", help="Sankey: the steps leading to this event."),
    ] = None,
    depth: Annotated[int, typer.Option("--depth", metavar="N", help="Sankey: how many steps.")] = 4,
    top: Annotated[
        int, typer.Option("--top", metavar="N", help="How many variants and edges to print.")
    ] = 15,
    merge_repeats: Annotated[
        bool,
        typer.Option(
            "--merge-repeats/--keep-repeats",
            help="Variants: repeats of one step in a row count as one step (--keep-repeats: "
            "each counts).",
        ),
    ] = True,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            metavar="FILE",
            help="Draw the Sankey (needs --from or --to) as .svg or .png.",
        ),
    ] = None,
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
    """Directly-follows graph, top journeys, Sankey, sessions and bounce rate."""
    from journeyscope.app.queries import PathsQuery
    from journeyscope.app.reports import PathsReport
    from journeyscope.errors import InputError, Location
    from journeyscope.i18n import t

    if chart and not (start or end):
        raise InputError(
            "--chart draws a Sankey from or to an event: say which with --from or --to",
            "--chart vẽ biểu đồ Sankey từ hoặc đến một sự kiện: hãy chọn bằng --from hoặc --to",
            location=Location(field="--chart"),
            hint_en="e.g. --from product_view --chart sankey.svg (dates: --since/--until)",
            hint_vi="ví dụ --from product_view --chart sankey.svg (ngày: --since/--until)",
            code="missing_option",
        )
    query = PathsQuery(
        level=level,
        start=start,
        end=end,
        depth=depth,
        top=top,
        merge_repeats=merge_repeats,
        per=per,
        session_gap=session_gap,
        session_column=session_column,
        interval=interval,
        **report_scope(since, until, where, engine, spark_master, dataset),
    )
    report = run_report(query, workspace)
    if interval:
        show_over_time(report, output, as_json)
        return
    assert isinstance(report, PathsReport)
    if chart and report.sankey is not None:
        from journeyscope.render.charts import sankey_chart

        title = t("sankey_title", lang(), anchor=report.sankey["anchor"])
        write_chart(chart, sankey_chart(title, report.sankey["links"], lang()), report)
    if as_json:
        emit_report(report)
        return
    _print_paths(report.for_language(lang()), top)


def _print_paths(report: dict[str, object], top: int) -> None:
    from typing import Any

    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t

    data: dict[str, Any] = dict(report)
    table = Table(title=t("paths_title", lang()))
    for key in ("col_from", "col_to", "col_count", "col_median"):
        table.add_column(
            t(key, lang()),
            justify="right" if key in ("col_count", "col_median") else "left",
            overflow="fold",
        )
    for edge in data["edges"][:top]:
        table.add_row(
            escape(edge["from"]),  # event names are the data's text, not markup
            escape(edge["to"]),
            number(edge["count"]),
            seconds(edge["median_seconds"]),
        )
    out.print(table)
    for variant in data["variants"]["top"][:top]:
        line = f"  {number(variant['customers']):>7}  " + " → ".join(variant["path"])
        out.print(line, markup=False)
    s = data["sessions"]
    out.print(t("sessions_line", lang(), n=number(s["sessions"]), bounce=pct(s["bounce_rate"])))
    journey_note(data)
