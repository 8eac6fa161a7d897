"""Analytics commands: funnel, paths, touchpoints, retention, and stage metrics.

Each reads a workspace read-only, takes --from/--to/--where, prints a table (English or
Vietnamese) or, with --json, the report as data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from journeyscope.analytics.funnels import MODES, FunnelSpec, dropped_at, funnel
from journeyscope.analytics.paths import LEVELS, PathSpec, paths
from journeyscope.analytics.scope import Scope, parse_duration, parse_steps
from journeyscope.cli import (
    JsonOpt,
    WorkspaceOpt,
    _workspace,
    app,
    emit_json,
    err,
    lang,
    out,
)
from journeyscope.events.workspace import Workspace
from journeyscope.i18n import t
from journeyscope.i18n.formatting import format_number
from journeyscope.render.charts import funnel_chart, sankey_chart

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


def scope_of(ws: Workspace, since: str | None, until: str | None, where: str | None) -> Scope:
    return Scope.parse(ws, since, until, where)


def warn_stale(ws: Workspace) -> None:
    """Say so when events arrived after the last identity resolve (they are not counted)."""
    last = ws.one(
        "SELECT events + CAST(report->>'unattributed' AS BIGINT) FROM identity_runs "
        "ORDER BY run_at DESC LIMIT 1"
    )
    total = ws.scalar("SELECT count(*) FROM events")
    if last is not None and last[0] is not None and total > last[0]:
        err.print(t("stale_identity", lang(), n=format_number(total - last[0], lang())))


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
        Path | None, typer.Option("--chart", help="Also draw the funnel as SVG.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Customers reaching each step within the window (PostHog / ClickHouse semantics)."""
    spec = FunnelSpec(
        parse_steps(steps),
        parse_duration(window),
        mode,
        [s for e in exclude or [] for s in parse_steps(e, "--exclude")],
        by,
    )
    with _workspace(workspace, read_only=True) as ws:
        warn_stale(ws)
        scope = scope_of(ws, since, until, where)
        if dropped:
            target = output or Path(f"dropped-at-{dropped}.csv")
            n = dropped_at(ws, spec, scope, dropped, target)
            if as_json:
                emit_json({"step": dropped, "customers": n, "output": str(target)})
            else:
                out.print(t("wrote_customers", lang(), n=format_number(n, lang()), path=target))
            return
        report = funnel(ws, spec, scope)
    if chart:
        rows = [(s["step"], s["customers"], s["conversion"]) for s in report["steps"]]
        chart.parent.mkdir(parents=True, exist_ok=True)
        chart.write_text(funnel_chart(t("funnel_title", lang()), rows, lang()), encoding="utf-8")
        report["chart"] = str(chart)
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
        Path | None, typer.Option("--chart", help="Draw the Sankey (needs --from or --to) as SVG.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Directly-follows graph, top journeys, Sankey, sessions and bounce rate."""
    spec = PathSpec(level, start, end, depth, top, parse_duration(session_gap, "--session-gap"))
    with _workspace(workspace, read_only=True) as ws:
        warn_stale(ws)
        report = paths(ws, spec, scope_of(ws, since, until, where))
    if chart and "sankey" in report:
        chart.parent.mkdir(parents=True, exist_ok=True)
        title = t("sankey_title", lang(), anchor=report["sankey"]["anchor"])
        chart.write_text(sankey_chart(title, report["sankey"]["links"], lang()), encoding="utf-8")
        report["chart"] = str(chart)
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
