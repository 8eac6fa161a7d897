"""`journeyscope funnel`: customers reaching each step, and who dropped where."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeyscope.cli import app
from journeyscope.cli.console import lang, out
from journeyscope.cli.options import (
    ByOpt,
    DatasetOpt,
    EngineOpt,
    FromOpt,
    IntervalOpt,
    JsonOpt,
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
    seconds,
    show_over_time,
    unit_column,
    write_chart,
)
from journeyscope.cli.segments import SaveSegmentOpt
from journeyscope.cli.segments import save_segment as save_list

if TYPE_CHECKING:
    from journeyscope.app.reports import FunnelReport

MODE_NAMES = "ordered, clickhouse, strict_order, strict_deduplication, strict_increase, unordered"


@app.command("funnel")
def funnel_cmd(
    steps: Annotated[
        str,
        typer.Option(
            "--steps",
            metavar="STEPS",
            help="Comma-separated steps; a step may carry a filter: product_view[category=bags].",
        ),
    ],
    workspace: WorkspaceOpt = None,
    window: Annotated[
        str,
        typer.Option(
            "--window", metavar="DURATION", help="Conversion window from step 1: 30m, 12h, 7d."
        ),
    ] = "14d",
    mode: Annotated[
        str, typer.Option("--mode", metavar="MODE", help=f"Funnel semantics: {MODE_NAMES}.")
    ] = "ordered",
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="EVENT",
            help="An event that drops an attempt when it happens inside it.",
        ),
    ] = None,
    by: ByOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    dropped: Annotated[
        str | None,
        typer.Option(
            "--dropped-at",
            metavar="STEP",
            help="Export customers who reached STEP (a name, or its number) but not the next.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="CSV for --dropped-at; with --interval, the line chart (.svg or .png).",
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", metavar="FILE", help="Also draw the funnel as .svg or .png."),
    ] = None,
    time_between: Annotated[
        str | None,
        typer.Option(
            "--time-between",
            metavar="A,B",
            help="Time-to-convert histogram between steps A,B (1-based).",
        ),
    ] = None,
    interval: IntervalOpt = None,
    per: PerOpt = "customer",
    session_gap: SessionGapOpt = None,
    session_column: SessionColumnOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    save_segment: SaveSegmentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Customers reaching each step within the window (PostHog / ClickHouse semantics)."""
    from journeyscope.app.queries import DroppedQuery, FunnelQuery
    from journeyscope.app.reports import DroppedReport, FunnelReport
    from journeyscope.i18n import t

    options = {
        "steps": steps,
        "window": window,
        "mode": mode,
        "exclude": tuple(exclude or ()),
        "by": by,
        "time_between": time_between,
        "interval": interval,
        "per": per,
        "session_gap": session_gap,
        "session_column": session_column,
        **report_scope(since, until, where, engine, spark_master, dataset),
    }
    if save_segment:
        _check_save(workspace, save_segment, dropped)
    if dropped:
        target = output or Path(f"dropped-at-{dropped}.csv")
        found = run_report(DroppedQuery(step=dropped, output=target, **options), workspace)
        assert isinstance(found, DroppedReport)
        if save_segment:
            save_list(workspace, save_segment, target, f"funnel --dropped-at {dropped}", False)
        if as_json:
            emit_report(found)
        else:
            out.print(
                t("wrote_customers", lang(), n=number(found.customers), path=target), markup=False
            )
        return
    report = run_report(FunnelQuery(**options), workspace)
    if interval:
        show_over_time(report, chart or output, as_json)
        return
    assert isinstance(report, FunnelReport)
    if chart:
        from journeyscope.render.charts import funnel_chart

        rows = [(s.step, s.customers, s.conversion) for s in report.steps]
        write_chart(chart, funnel_chart(t("funnel_title", lang()), rows, lang()), report)
    if as_json:
        emit_report(report)
        return
    _print_funnel(report)


def _check_save(workspace: Path | None, name: str, dropped: str | None) -> None:
    """``--save-segment`` keeps the dropped-at list: refused without one, or when the
    name is taken, before any walking."""
    from journeyscope.app.segments import check_new
    from journeyscope.errors import InputError, Location

    if not dropped:
        raise InputError(
            "--save-segment keeps the customers of --dropped-at STEP: give that too",
            "--save-segment lưu khách hàng của --dropped-at BƯỚC: hãy thêm tuỳ chọn đó",
            location=Location(field="--save-segment"),
            hint_en="e.g. --dropped-at add_to_cart --save-segment bo-gio-hang",
            hint_vi="ví dụ --dropped-at add_to_cart --save-segment bo-gio-hang",
            code="missing_option",
        )
    check_new(workspace, name)


def _print_funnel(report: FunnelReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t

    table = Table(title=t("funnel_title", lang()))
    unit = unit_column(report)
    for key in ("col_step", unit, "col_conversion", "col_from_previous", "col_median"):
        table.add_column(
            t(key, lang()),
            justify="left" if key == "col_step" else "right",
            overflow="fold",
        )
    for row in report.steps:
        table.add_row(
            escape(row.step),  # a step's filter is [in brackets], not markup
            number(row.customers),
            pct(row.conversion),
            pct(row.conversion_from_previous),
            seconds(row.median_seconds),
        )
    out.print(table)
    for group in report.breakdown or []:
        cells = " → ".join(number(s.customers) for s in group.steps)
        out.print(f"  {report.by}={group.value}: {cells}", markup=False)
    if report.excluded_customers:
        out.print(t("funnel_excluded", lang(), n=report.excluded_customers))
    journey_note(report)
