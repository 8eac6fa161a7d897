"""`journeyscope retention`: cohorts, RFM segments and churn risk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

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
    show_over_time,
    write_chart,
)
from journeyscope.cli.segments import SaveSegmentOpt, save_segment


@app.command("retention")
def retention_cmd(
    workspace: WorkspaceOpt = None,
    period: Annotated[
        str, typer.Option("--period", metavar="PERIOD", help="Cohort period: day, week, month.")
    ] = "month",
    cohort_event: Annotated[
        str | None,
        typer.Option("--cohort-event", metavar="EVENT", help="Cohorts by the first of this event."),
    ] = None,
    return_event: Annotated[
        str | None,
        typer.Option("--return-event", metavar="EVENT", help="Count as retained only this event."),
    ] = None,
    purchase: Annotated[
        str,
        typer.Option("--purchase", metavar="EVENT", help="The event RFM counts as a purchase."),
    ] = "purchase",
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", metavar="RISK", help="Churn risk from which a customer is at risk."
        ),
    ] = 0.95,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write every customer's RFM and churn risk (CSV); with --interval, the line "
            "chart (.svg or .png).",
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", metavar="FILE", help="Cohort heatmap as .svg or .png."),
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            metavar="MODEL",
            help="Churn risk: heuristic (own rhythm) or bgnbd (BG/NBD, with customer value).",
        ),
    ] = "heuristic",
    horizon: Annotated[
        str,
        typer.Option(
            "--horizon",
            metavar="DURATION",
            help="bgnbd: purchases and value expected over this period.",
        ),
    ] = "90d",
    by: ByOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    interval: IntervalOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    save_segment: SaveSegmentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cohort retention, RFM segments and churn risk with a reason per customer."""
    from journeyscope.app.queries import RetentionQuery
    from journeyscope.i18n import t

    with _churn_list(workspace, save_segment, output, interval) as listed:
        query = RetentionQuery(
            period=period,
            cohort_event=cohort_event,
            return_event=return_event,
            purchase=purchase,
            threshold=threshold,
            by=by,
            output=None if interval else listed,
            model=model,
            horizon=horizon,
            interval=interval,
            **report_scope(since, until, where, engine, spark_master, dataset),
        )
        report = run_report(query, workspace)
        if interval:
            show_over_time(report, chart or output, as_json)
            return
        if chart:
            from journeyscope.render.charts import cohort_heatmap

            cohorts = report.for_language(lang())["cohorts"]
            write_chart(chart, cohort_heatmap(t("cohorts_title", lang()), cohorts, lang()), report)
        if as_json:
            emit_report(report)
            return
        _print_retention(report.for_language(lang()), output)


@contextmanager
def _churn_list(
    workspace: Path | None, name: str | None, output: Path | None, interval: str | None
) -> Iterator[Path | None]:
    """Where the per-customer list goes: ``-o``, or a scratch file when only
    ``--save-segment`` asks for it; its at-risk customers are then kept as that segment."""
    if name is None:
        yield output
        return
    import tempfile

    from journeyscope.app.segments import check_new

    if interval:
        from journeyscope.app.operations import _interval
        from journeyscope.app.queries import RetentionQuery

        _interval(RetentionQuery(interval=interval), **{"--save-segment": name})
    check_new(workspace, name)
    with tempfile.TemporaryDirectory(prefix="journeyscope-churn-") as folder:
        listed = output or Path(folder) / "churn.csv"
        yield listed
        save_segment(workspace, name, listed, "retention", at_risk=True)


def _print_retention(data: dict[str, Any], output: Path | None) -> None:
    from rich.table import Table

    from journeyscope.i18n import t

    table = Table(title=t("cohorts_title", lang()))
    table.add_column(t("col_cohort", lang()), overflow="fold")
    table.add_column(t("col_customers", lang()), justify="right")
    width = max((len(c["retention"]) for c in data["cohorts"]), default=0)
    for k in range(1, min(width, 8)):
        table.add_column(f"+{k}", justify="right")
    for c in data["cohorts"]:
        cells = [pct(x) for x in c["retention"][1:8]]
        table.add_row(
            f"{c['segment']} · {c['cohort']}" if "segment" in c else c["cohort"],
            number(c["customers"]),
            *cells,
            *[""] * (min(width, 8) - 1 - len(cells)),
        )
    out.print(table)
    for seg in data["rfm"]["segments"]:
        name = t(f"seg_{seg['segment']}", lang())
        out.print(f"  {name:<22} {number(seg['customers']):>8}")
    churn = data["churn"]
    if "lifetime" in data:
        from journeyscope.cli.lifetime_output import print_lifetime

        print_lifetime(data["lifetime"], churn)
    out.print(t("churn_line", lang(), n=number(churn["at_risk"]), total=number(churn["customers"])))
    if output:
        out.print(
            t("wrote_customers", lang(), n=number(data["exported"]), path=output), markup=False
        )
