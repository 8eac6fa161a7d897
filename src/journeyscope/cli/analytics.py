"""Analytics commands: funnel, paths, touchpoints, retention, and stage metrics.

Each reads a workspace read-only, takes --from/--to/--where, prints a table (English or
Vietnamese) or, with --json, the report as data.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from xml.etree import ElementTree

import typer
from rich.table import Table

from journeyscope.analytics.attribution.journeys import PathSpec as AttributionPaths
from journeyscope.analytics.attribution.journeys import build_paths, time_decay
from journeyscope.analytics.attribution.models import MODELS as ATTRIBUTION_MODELS
from journeyscope.analytics.attribution.models import attribute, transition_rows
from journeyscope.analytics.attribution.paths import read_path_file
from journeyscope.analytics.funnels import (
    MODES,
    FunnelSpec,
    dropped_at,
    dropped_step,
    funnel_report,
    walk,
)
from journeyscope.analytics.paths import LEVELS, PathSpec, paths_on
from journeyscope.analytics.retention import PERIODS, RetentionSpec, retention_on
from journeyscope.analytics.runner import Runner, SparkRunner
from journeyscope.analytics.scope import Scope, parse_duration, parse_steps
from journeyscope.analytics.spark.attribution import build_paths_spark, time_decay_spark
from journeyscope.analytics.spark.funnels import walk_spark
from journeyscope.analytics.stages import StageSpec, customer_stages_on, stages_on
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints_on
from journeyscope.cli import (
    JsonOpt,
    WorkspaceOpt,
    _workspace,
    app,
    emit_json,
    err,
    lang,
    out,
    stages_app,
)
from journeyscope.cli.engines import (
    DatasetOpt,
    EngineOpt,
    SparkMasterOpt,
    chosen_engine,
    dataset_location,
)
from journeyscope.errors import InputError, Location
from journeyscope.events.spark_store import read_events, spark_session
from journeyscope.events.workspace import Workspace
from journeyscope.i18n import t
from journeyscope.i18n.formatting import format_number
from journeyscope.maps.io import write_atomic
from journeyscope.render.browser import svg_to_png
from journeyscope.render.charts import cohort_heatmap, funnel_chart, grouped_bars, sankey_chart

FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", "--since", help="First day (YYYY-MM-DD or ISO time, workspace time zone)."
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option("--to", "--until", help="Last day, included (YYYY-MM-DD or ISO time)."),
]
# in `paths`, --from/--to name anchor events (as the issue asks); dates use --since/--until
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="First day (YYYY-MM-DD or ISO time).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Last day, included (YYYY-MM-DD or ISO time).")
]
WhereOpt = Annotated[
    str | None,
    typer.Option(
        "--where",
        help="Event filter, e.g. \"channel in (shopee, lazada) and category = 'túi xách'\".",
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Break down by a field (channel, touchpoint, a property)."),
]


@contextmanager
def _analysis(
    workspace: Path | None,
    since: str | None,
    until: str | None,
    where: str | None,
    *,
    engine: str | None = None,
    master: str | None = None,
    dataset: str | None = None,
) -> Iterator[tuple[Workspace, Scope, Runner]]:
    """The workspace opened read-only, the scope, and where the report runs: the embedded
    engine (with a word if identities are stale) or Spark over the events dataset (with
    its own identities when Spark resolved it)."""
    with _workspace(workspace, read_only=True) as ws:
        scope = Scope.parse(ws, since, until, where)
        if chosen_engine(ws, engine) == "duckdb":
            warn_stale(ws)
            yield ws, scope, Runner(ws)
            return
        spark = spark_session(master or ws.config.spark.master)
        location = dataset_location(ws, dataset)
        events = read_events(spark, location)
        yield ws, scope, SparkRunner(ws, events, location)


def _tagged(report: dict[str, Any], r: Runner) -> dict[str, Any]:
    """The report, marked when Spark computed it."""
    if isinstance(r, SparkRunner):
        report["engine"] = "spark"
    return report


def warn_stale(ws: Workspace) -> None:
    """Say so when events arrived after the last identity resolve (they are not counted)."""
    last = ws.one(
        "SELECT events + CAST(report->>'unattributed' AS BIGINT) FROM identity_runs "
        "ORDER BY run_at DESC LIMIT 1"
    )
    total = ws.scalar("SELECT count(*) FROM events")
    if last is not None and last[0] is not None and total > last[0]:
        err.print(t("stale_identity", lang(), n=format_number(total - last[0], lang())))


def _write_chart(path: Path, svg: str, report: dict[str, Any]) -> None:
    """``.svg`` as drawn, ``.png`` through Chromium; written whole or not at all."""
    if path.suffix.lower() == ".png":
        root = ElementTree.fromstring(svg.split("?>", 1)[-1])
        write_atomic(
            path, svg_to_png(svg, float(root.get("width", 800)), float(root.get("height", 600)))
        )
    else:
        write_atomic(path, svg)
    report["chart"] = str(path)


def _step_pair(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InputError(
            f"--time-between {text!r}: write two step numbers, e.g. 2,4",
            f"--time-between {text!r}: hãy viết hai số thứ tự bước, ví dụ 2,4",
            location=Location(field="--time-between"),
            hint_en="steps count from 1: --time-between 1,3 is from the first to the third",
            hint_vi="bước đếm từ 1: --time-between 1,3 là từ bước đầu đến bước thứ ba",
        )
    return int(parts[0]), int(parts[1])


def _pct(x: float) -> str:
    return f"{format_number(x * 100, lang(), 1)}%"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 120:
        return f"{format_number(value, lang())} s"
    if value < 7200:
        return f"{format_number(value / 60, lang(), 1)} min"
    if value < 172800:
        return f"{format_number(value / 3600, lang(), 1)} h"
    return f"{format_number(value / 86400, lang(), 1)} d"


@app.command("funnel")
def funnel_cmd(
    steps: Annotated[
        str,
        typer.Option(
            "--steps",
            help="Comma-separated steps; a step may carry a filter: product_view[category=bags].",
        ),
    ],
    workspace: WorkspaceOpt = None,
    window: Annotated[
        str, typer.Option("--window", help="Conversion window from step 1: 30m, 12h, 7d.")
    ] = "14d",
    mode: Annotated[
        str, typer.Option("--mode", help=f"Funnel semantics: {', '.join(MODES)}.")
    ] = "ordered",
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="An event that drops an attempt when it happens inside it."),
    ] = None,
    by: ByOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    dropped: Annotated[
        str | None,
        typer.Option("--dropped-at", help="Export customers who reached STEP but not the next."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="CSV for --dropped-at.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also draw the funnel as .svg or .png.")
    ] = None,
    time_between: Annotated[
        str | None,
        typer.Option(
            "--time-between", help="Time-to-convert histogram between steps A,B (1-based)."
        ),
    ] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Customers reaching each step within the window (PostHog / ClickHouse semantics)."""
    spec = FunnelSpec(
        parse_steps(steps),
        parse_duration(window),
        mode,
        [s for e in exclude or [] for s in parse_steps(e, "--exclude")],
        by,
        _step_pair(time_between),
    )
    if dropped:
        dropped_step(spec, dropped)  # a wrong step is said before any walking
    with _analysis(
        workspace, since, until, where, engine=engine, master=spark_master, dataset=dataset
    ) as (ws, scope, r):
        walked = walk_spark(r, spec, scope) if isinstance(r, SparkRunner) else walk(ws, spec, scope)
        if dropped:
            target = output or Path(f"dropped-at-{dropped}.csv")
            n = dropped_at(r, spec, walked, dropped, target)
            if as_json:
                emit_json(_tagged({"step": dropped, "customers": n, "output": str(target)}, r))
            else:
                out.print(t("wrote_customers", lang(), n=format_number(n, lang()), path=target))
            return
        report = _tagged(funnel_report(spec, scope, walked), r)
    if chart:
        rows = [(s["step"], s["customers"], s["conversion"]) for s in report["steps"]]
        _write_chart(chart, funnel_chart(t("funnel_title", lang()), rows, lang()), report)
    if as_json:
        emit_json(report)
        return
    _print_funnel(report)


def _print_funnel(report: dict[str, Any]) -> None:
    table = Table(title=t("funnel_title", lang()))
    for key in ("col_step", "col_customers", "col_conversion", "col_from_previous", "col_median"):
        table.add_column(t(key, lang()), justify="left" if key == "col_step" else "right")
    for row in report["steps"]:
        table.add_row(
            row["step"],
            format_number(row["customers"], lang()),
            _pct(row["conversion"]),
            _pct(row["conversion_from_previous"]),
            _seconds(row.get("median_seconds")),
        )
    out.print(table)
    for group in report.get("breakdown", []):
        cells = " → ".join(format_number(s["customers"], lang()) for s in group["steps"])
        out.print(f"  {report['by']}={group['value']}: {cells}")
    if report["excluded_customers"]:
        out.print(t("funnel_excluded", lang(), n=report["excluded_customers"]))


@app.command("paths")
def paths_cmd(
    workspace: WorkspaceOpt = None,
    level: Annotated[
        str, typer.Option("--level", help=f"What a step is: {', '.join(LEVELS)}.")
    ] = "event",
    start: Annotated[
        str | None, typer.Option("--from", help="Sankey: the steps after this event.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Sankey: the steps leading to this event.")
    ] = None,
    depth: Annotated[int, typer.Option("--depth", help="Sankey: how many steps.")] = 4,
    top: Annotated[int, typer.Option("--top", help="How many variants and edges to print.")] = 15,
    session_gap: Annotated[
        str, typer.Option("--session-gap", help="Inactivity that ends a session.")
    ] = "30m",
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Draw the Sankey (needs --from or --to) as .svg or .png."),
    ] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Directly-follows graph, top journeys, Sankey, sessions and bounce rate."""
    spec = PathSpec(level, start, end, depth, top, parse_duration(session_gap, "--session-gap"))
    with _analysis(
        workspace, since, until, where, engine=engine, master=spark_master, dataset=dataset
    ) as (_, scope, r):
        report = _tagged(paths_on(r, spec, scope), r)
    if chart and "sankey" in report:
        title = t("sankey_title", lang(), anchor=report["sankey"]["anchor"])
        _write_chart(chart, sankey_chart(title, report["sankey"]["links"], lang()), report)
    if as_json:
        emit_json(report)
        return
    table = Table(title=t("paths_title", lang()))
    for key in ("col_from", "col_to", "col_count", "col_median"):
        table.add_column(
            t(key, lang()), justify="right" if key in ("col_count", "col_median") else "left"
        )
    for edge in report["edges"][:top]:
        table.add_row(
            edge["from"],
            edge["to"],
            format_number(edge["count"], lang()),
            _seconds(edge["median_seconds"]),
        )
    out.print(table)
    for variant in report["variants"]["top"][:top]:
        out.print(
            f"  {format_number(variant['customers'], lang()):>7}  " + " → ".join(variant["path"])
        )
    s = report["sessions"]
    out.print(
        t(
            "sessions_line",
            lang(),
            n=format_number(s["sessions"], lang()),
            bounce=_pct(s["bounce_rate"]),
        )
    )


ModelOpt = Annotated[str, typer.Option("--model", help="Stage model id (see `stages list`).")]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", help="Stage rules YAML (built-in: retail5, current5, aida)."),
]


@stages_app.callback()
def stages_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    model: ModelOpt = "retail5",
    rules: RulesOpt = None,
    models: Annotated[
        list[Path] | None, typer.Option("--models", help="YAML file(s) with custom stage models.")
    ] = None,
    stall: Annotated[
        str, typer.Option("--stall", help="Inactivity after which a customer is stalled.")
    ] = "30d",
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="One customer's stage timeline (id or TYPE:VALUE)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Every customer's current stage and stage dates (CSV)."
        ),
    ] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
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
    spec = StageSpec(model, rules, tuple(models or ()), parse_duration(stall, "--stall"))
    with _analysis(
        workspace, since, until, where, engine=engine, master=spark_master, dataset=dataset
    ) as (_, scope, r):
        if customer:
            report = _tagged(
                customer_stages_on(r, spec, scope, r.customer_id_of(customer), lang()), r
            )
        else:
            report = _tagged(stages_on(r, spec, scope, lang(), export_to=output), r)
    if as_json:
        emit_json(report)
        return
    if customer:
        out.print(t("current_stage", lang(), stage=report["current_stage"] or "–"))
        for item in report["timeline"]:
            out.print(f"  {item['first_at']}  {item['name']} ({item['events']})")
        return
    table = Table(title=f"{report['model_name']}")
    for key in (
        "col_stage",
        "col_customers",
        "col_now",
        "col_stalled",
        "col_to_next",
        "col_median",
    ):
        table.add_column(t(key, lang()), justify="left" if key == "col_stage" else "right")
    for row in report["stages"]:
        nxt = row["conversion_to_next"]
        table.add_row(
            row["name"],
            format_number(row["customers"], lang()),
            format_number(row["current"], lang()),
            format_number(row["stalled"], lang()),
            "–" if nxt is None else _pct(nxt),
            _seconds(row["median_seconds_to_next"]),
        )
    out.print(table)
    if output:
        out.print(
            t("wrote_customers", lang(), n=format_number(report["exported"], lang()), path=output)
        )


@app.command("touchpoints")
def touchpoints_cmd(
    workspace: WorkspaceOpt = None,
    conversion: Annotated[
        str, typer.Option("--conversion", help="The event that counts as converting.")
    ] = "purchase",
    within: Annotated[
        str, typer.Option("--within", help="Window after a touch (converted / dropped / rating).")
    ] = "7d",
    repeat_within: Annotated[
        str, typer.Option("--repeat-within", help="A second contact within this is a repeat.")
    ] = "7d",
    model: ModelOpt = "retail5",
    rules: RulesOpt = None,
    min_customers: Annotated[
        int, typer.Option("--min-customers", help="Hide touchpoints with fewer customers.")
    ] = 1,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per touchpoint: reach, conversion after it, drop-off, repeat contacts, ratings."""
    spec = TouchpointSpec(
        conversion=conversion,
        within=parse_duration(within, "--within"),
        repeat_within=parse_duration(repeat_within, "--repeat-within"),
        min_customers=min_customers,
        stage_model=model,
        stage_rules=rules,
    )
    with _analysis(
        workspace, since, until, where, engine=engine, master=spark_master, dataset=dataset
    ) as (_, scope, r):
        report = _tagged(touchpoints_on(r, spec, scope), r)
    if as_json:
        emit_json(report)
        return
    table = Table(title=t("touchpoints_title", lang()))
    for key in (
        "col_touchpoint",
        "col_stage",
        "col_customers",
        "col_converted",
        "col_dropped",
        "col_repeat",
        "col_rating",
    ):
        table.add_column(
            t(key, lang()), justify="left" if key in ("col_touchpoint", "col_stage") else "right"
        )
    ranked = sorted(
        report["touchpoints"],
        key=lambda x: (x["drop_rank"] is None, -x["dropped_share"], -x["customers"]),
    )
    for row in ranked:
        rep = row["repeat_contact_share"]
        table.add_row(
            row["touchpoint"],
            row["stage"] or "–",
            format_number(row["customers"], lang()),
            _pct(row["converted_share"]),
            _pct(row["dropped_share"]) if row["observed"] else "–",
            "–" if rep is None else _pct(rep),
            "–" if row["rating_after"] is None else format_number(row["rating_after"], lang(), 2),
        )
    out.print(table)


@app.command("retention")
def retention_cmd(
    workspace: WorkspaceOpt = None,
    period: Annotated[
        str, typer.Option("--period", help=f"Cohort period: {', '.join(PERIODS)}.")
    ] = "month",
    cohort_event: Annotated[
        str | None, typer.Option("--cohort-event", help="Cohorts by the first of this event.")
    ] = None,
    return_event: Annotated[
        str | None, typer.Option("--return-event", help="Count as retained only this event.")
    ] = None,
    purchase: Annotated[
        str, typer.Option("--purchase", help="The event RFM counts as a purchase.")
    ] = "purchase",
    threshold: Annotated[
        float, typer.Option("--threshold", help="Churn risk from which a customer is at risk.")
    ] = 0.95,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write every customer's RFM and churn risk (CSV)."),
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Cohort heatmap as .svg or .png.")
    ] = None,
    by: ByOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cohort retention, RFM segments and churn risk with a reason per customer."""
    spec = RetentionSpec(period, cohort_event, return_event, purchase, threshold, by=by)
    with _analysis(
        workspace, since, until, where, engine=engine, master=spark_master, dataset=dataset
    ) as (_, scope, r):
        report = _tagged(retention_on(r, spec, scope, export_to=output), r)
    if chart:
        heat = cohort_heatmap(t("cohorts_title", lang()), report["cohorts"], lang())
        _write_chart(chart, heat, report)
    if as_json:
        emit_json(report)
        return
    table = Table(title=t("cohorts_title", lang()))
    table.add_column(t("col_cohort", lang()))
    table.add_column(t("col_customers", lang()), justify="right")
    width = max((len(c["retention"]) for c in report["cohorts"]), default=0)
    for k in range(1, min(width, 8)):
        table.add_column(f"+{k}", justify="right")
    for c in report["cohorts"]:
        cells = [_pct(x) for x in c["retention"][1:8]]
        table.add_row(
            f"{c['segment']} · {c['cohort']}" if "segment" in c else c["cohort"],
            format_number(c["customers"], lang()),
            *cells,
            *[""] * (min(width, 8) - 1 - len(cells)),
        )
    out.print(table)
    for seg in report["rfm"]["segments"]:
        name = t(f"seg_{seg['segment']}", lang())
        out.print(f"  {name:<22} {format_number(seg['customers'], lang()):>8}")
    churn = report["churn"]
    out.print(
        t(
            "churn_line",
            lang(),
            n=format_number(churn["at_risk"], lang()),
            total=format_number(churn["customers"], lang()),
        )
    )
    if output:
        out.print(
            t("wrote_customers", lang(), n=format_number(report["exported"], lang()), path=output)
        )


@app.command("attribution")
def attribution_cmd(
    workspace: WorkspaceOpt = None,
    paths_file: Annotated[
        Path | None,
        typer.Option("--paths", help="Aggregated paths (CSV) instead of a workspace's journeys."),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help=f"One of: {', '.join(ATTRIBUTION_MODELS)}.")
    ] = "markov",
    order: Annotated[int, typer.Option("--order", help="Markov order: 1, 2 or 3.")] = 1,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Several models side by side: first,last,markov,…"),
    ] = None,
    conversion: Annotated[
        str, typer.Option("--conversion", help="The event that converts (workspace).")
    ] = "purchase",
    lookback: Annotated[
        str, typer.Option("--lookback", help="Touches up to this long before a conversion.")
    ] = "30d",
    level: Annotated[str, typer.Option("--level", help="channel or touchpoint.")] = "channel",
    value: Annotated[
        str, typer.Option("--value", help="Field with the conversion's value.")
    ] = "revenue",
    repeats: Annotated[
        str, typer.Option("--repeats", help="keep, or collapse consecutive repeats.")
    ] = "keep",
    half_life: Annotated[
        str, typer.Option("--half-life", help="time_decay: a touch this old counts half.")
    ] = "7d",
    position: Annotated[
        str, typer.Option("--position", help="position: % to the first and last touch.")
    ] = "40,40",
    export_matrix: Annotated[
        Path | None,
        typer.Option("--export-matrix", help="Markov transition probabilities (CSV)."),
    ] = None,
    export_effects: Annotated[
        Path | None, typer.Option("--export-effects", help="Markov removal effects (CSV).")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Bars per channel per model (.svg or .png).")
    ] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    path_col: Annotated[str, typer.Option("--path-col")] = "path",
    conv_col: Annotated[str, typer.Option("--conv-col")] = "total_conversions",
    value_col: Annotated[str | None, typer.Option("--value-col")] = None,
    null_col: Annotated[str | None, typer.Option("--null-col")] = None,
    sep: Annotated[str, typer.Option("--sep", help="Between the steps of a path.")] = ">",
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="Between columns (sniffed if not given).")
    ] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which channels earn the conversions: rule-based, time decay, exact Markov, Shapley."""
    names = [m.strip() for m in compare.split(",")] if compare else [model]
    info: dict[str, Any] = {}
    split = _position(position)
    if paths_file is not None:
        if engine or spark_master or dataset:
            raise InputError(
                "--paths reads ready-made paths from a file: no engine reads events for it",
                "--paths đọc các đường đi có sẵn từ tệp: không bộ máy nào đọc sự kiện",
                location=Location(field="--engine" if engine else "--dataset"),
                hint_en="leave out --engine/--spark-master/--dataset, or leave out --paths",
                hint_vi="bỏ --engine/--spark-master/--dataset, hoặc bỏ --paths",
            )
        table = read_path_file(paths_file, path_col, conv_col, value_col, null_col, sep, delimiter)
        results = [attribute(table, m, order=order, position=split).to_dict() for m in names]
    else:
        spec = AttributionPaths(
            conversion, parse_duration(lookback, "--lookback"), level, value, repeats
        )
        half = parse_duration(half_life, "--half-life")
        with _analysis(
            workspace, since, until, where, engine=engine, master=spark_master, dataset=dataset
        ) as (ws, scope, r):
            if isinstance(r, SparkRunner):
                table, info = build_paths_spark(r, spec, scope)
                decay = time_decay_spark(r, spec, scope, half) if "time_decay" in names else None
            else:
                table, info = build_paths(ws, spec, scope)
                decay = time_decay(ws, spec, scope, half) if "time_decay" in names else None
            _tagged(info, r)
            results = [
                decay.to_dict()
                if m == "time_decay" and decay is not None
                else attribute(table, m, order=order, position=split).to_dict()
                for m in names
            ]
    report: dict[str, Any] = results[0] if not compare else {"models": results}
    report["total_conversions"] = round(table.total_conversions, 4)
    report["total_value"] = round(table.total_value, 4)
    report.update(info)
    _attribution_files(table, order, results, export_matrix, export_effects, chart, report)
    if as_json:
        emit_json(report)
        return
    table_out = Table(title=t("attribution_title", lang()))
    table_out.add_column(t("col_channel", lang()))
    for res in results:
        table_out.add_column(res["model"], justify="right")
    channels = sorted(
        {c for res in results for c in res["conversions"]},
        key=lambda c: -results[0]["conversions"].get(c, 0.0),
    )
    for ch in channels:
        table_out.add_row(
            ch, *(format_number(r["conversions"].get(ch, 0.0), lang(), 1) for r in results)
        )
    out.print(table_out)


def _position(text: str) -> tuple[float, float]:
    try:
        first, last = (float(x) / 100 for x in text.split(","))
    except ValueError:
        first = last = -1.0
    if first < 0 or last < 0 or first + last > 1:
        raise InputError(
            f"--position {text!r}: two percentages for the first and last touch, at most 100",
            f"--position {text!r}: hai phần trăm cho điểm chạm đầu và cuối, tổng không quá 100",
            location=Location(field="--position"),
            hint_en="e.g. --position 40,40 (the middle shares the other 20%)",
            hint_vi="ví dụ --position 40,40 (các điểm giữa chia 20% còn lại)",
        )
    return first, last


def _attribution_files(
    table: Any,
    order: int,
    results: list[dict[str, Any]],
    matrix: Path | None,
    effects: Path | None,
    chart: Path | None,
    report: dict[str, Any],
) -> None:
    """The audit exports and the chart, each written whole or not at all."""
    if matrix:
        moves: list[tuple[Any, ...]] = list(transition_rows(table, order))
        write_atomic(matrix, _csv_text(["from", "to", "probability"], moves))
        report["transition_matrix"] = str(matrix)
    if effects:
        found = attribute(table, "markov", order=order)
        rows: list[tuple[Any, ...]] = (
            [
                (
                    ch,
                    found.removal_effects.get(ch, 0.0),
                    (found.removal_effects_value or {}).get(ch, 0.0),
                )
                for ch in table.channels
            ]
            if found.removal_effects
            else []
        )
        write_atomic(
            effects, _csv_text(["channel", "removal_effect", "removal_effect_value"], rows)
        )
        report["removal_effects_file"] = str(effects)
    if chart:
        groups = sorted(
            {c for r in results for c in r["conversions"]},
            key=lambda c: -results[0]["conversions"].get(c, 0.0),
        )
        svg = grouped_bars(
            t("attribution_title", lang()),
            groups,
            [(r["model"], r["conversions"]) for r in results],
            lang(),
        )
        _write_chart(chart, svg, report)


def _csv_text(header: list[str], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
