"""How report commands print: shared number formats, notes, and charts written to files.

Each report command is parse → query → :func:`journeyscope.app.run` → print; what they
print alike (percentages, durations, the notes an operation attached, a chart file) is here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyscope.cli.console import emit_json, err, lang

if TYPE_CHECKING:
    from journeyscope.app.queries import Query
    from journeyscope.app.reports import Report


def run_report(query: Query, workspace: Path | None) -> Report:
    """The operation's answer, and its notes said on stderr (e.g. events not yet stitched)."""
    from journeyscope.app import run
    from journeyscope.i18n import t

    on_spark = getattr(query, "engine", None) == "spark"
    if on_spark and not getattr(query, "json", False):
        with err.status(t("running_on_spark", lang()), spinner="dots"):
            report = run(query, workspace)
    else:
        report = run(query, workspace)
    for note in report.said(lang()):
        err.print(note["message"], markup=False)  # a step's [filter] stays
    return report


def report_scope(
    since: str | None,
    until: str | None,
    where: str | None,
    engine: str | None,
    spark_master: str | None,
    dataset: str | None,
) -> dict[str, str | None]:
    """The options every report query shares (the period, the filter, where it runs)."""
    return {
        "since": since,
        "until": until,
        "where": where,
        "engine": engine,
        "spark_master": spark_master,
        "dataset": dataset,
    }


def emit_report(report: Report) -> None:
    """The report as ``--json`` prints it: names in the user's language."""
    emit_json(report.for_language(lang()))


def pct(x: float) -> str:
    from journeyscope.i18n.formatting import format_number

    return f"{format_number(x * 100, lang(), 1)}%"


def seconds(value: float | None) -> str:
    """A duration in the unit that reads best (seconds, minutes, hours, days), in words
    of the user's language ("18,2 phút")."""
    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    if value is None:
        return "–"
    if value < 120:
        return f"{format_number(value, lang())} {t('unit_s', lang())}"
    if value < 7200:
        return f"{format_number(value / 60, lang(), 1)} {t('unit_min', lang())}"
    if value < 172800:
        return f"{format_number(value / 3600, lang(), 1)} {t('unit_h', lang())}"
    return f"{format_number(value / 86400, lang(), 1)} {t('unit_d', lang())}"


def number(value: Any, digits: int = 0) -> str:
    from journeyscope.i18n.formatting import format_number

    return format_number(value, lang(), digits)


def write_chart(path: Path, svg: str, report: Report) -> None:
    """``.svg`` as drawn, ``.png`` through Chromium; written whole or not at all."""
    from xml.etree import ElementTree

    from journeyscope.maps.io import write_atomic

    if path.suffix.lower() == ".png":
        from journeyscope.render.browser import svg_to_png

        root = ElementTree.fromstring(svg.split("?>", 1)[-1])
        write_atomic(
            path, svg_to_png(svg, float(root.get("width", 800)), float(root.get("height", 600)))
        )
    else:
        write_atomic(path, svg)
    report.chart = str(path)  # type: ignore[attr-defined]


#: measures that are shares (0..1): shown as percentages, their change in points
SHARE_MEASURES = frozenset({"conversion", "dropped_share", "conversion_to_next", "retention"})


def show_over_time(report: Report, chart: Path | None, as_json: bool) -> None:
    """A report with ``--interval``: the line chart if asked, then ``--json`` (the shared
    shape) or a table with one row per period and the change from the previous one."""
    from journeyscope.app.reports import OverTimeReport

    assert isinstance(report, OverTimeReport)
    share = report.measure in SHARE_MEASURES
    if chart and chart.suffix.lower() not in (".svg", ".png"):
        from journeyscope.errors import InputError, Location

        raise InputError(
            f"-o {chart}: with --interval, -o names the line chart: .svg or .png",
            f"-o {chart}: với --interval, -o là biểu đồ đường: .svg hoặc .png",
            location=Location(field="-o"),
            hint_en="e.g. -o weeks.svg",
            hint_vi="ví dụ -o tuan.svg",
            code="invalid_option",
        )
    if chart:
        from journeyscope.render.line_chart import line_chart

        series = [(s, [p.values.get(s) for p in report.periods]) for s in report.series]
        periods = [p.period for p in report.periods]
        write_chart(
            chart, line_chart(_title(report), periods, series, share=share, lang=lang()), report
        )
    if as_json:
        emit_report(report)
        return
    _over_time_table(report, share)


def _title(report: Any) -> str:
    from journeyscope.i18n import t

    return t(
        "over_time_title",
        lang(),
        report=report.report,
        interval=t(f"interval_{report.interval}", lang()),
        measure=t(f"measure_{report.measure}", lang()),
    )


def _cell(value: float | None, change: dict[str, Any] | None, share: bool) -> str:
    if value is None:
        return "–"
    text = pct(value) if share else number(value, 0 if float(value).is_integer() else 2)
    if change and change.get("absolute") is not None:
        delta = float(change["absolute"])
        sign = "+" if delta >= 0 else "−"
        step = number(abs(delta) * 100, 1) if share else number(abs(delta), 2)
        text += f" ({sign}{step})"
    return text


def _over_time_table(report: Any, share: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.cli.console import out
    from journeyscope.i18n import t

    table = Table(title=escape(_title(report)))
    table.add_column(t("col_period", lang()), no_wrap=True)
    table.add_column(t(unit_column(report), lang()), justify="right")
    for name in report.series:
        table.add_column(escape(name), justify="right", overflow="fold")
    for p in report.periods:
        cells = [_cell(p.values.get(s), p.change.get(s), share) for s in report.series]
        table.add_row(p.period, number(p.customers), *cells)
    out.print(table)
    out.print(t("over_time_change", lang()), markup=False)
    journey_note(report)


def _session(report: Any) -> dict[str, Any] | None:
    """The session rule when each journey was a session (``--per session``), else None."""
    data = report if isinstance(report, dict) else getattr(report, "__pydantic_extra__", None)
    found = (data or {}).get("session") if (data or {}).get("per") == "session" else None
    return found if isinstance(found, dict) else None


def unit_column(report: Any) -> str:
    """The heading of a count of journeys: customers, or sessions (``--per session``)."""
    return "col_sessions" if _session(report) else "col_customers"


def journey_note(report: Any) -> None:
    """Under a table of sessions, one line saying so and by which rule."""
    from journeyscope.cli.console import out
    from journeyscope.i18n import t

    rule = _session(report)
    if rule is None:
        return
    if rule.get("rule") == "column":
        text = t("session_rule_column", lang(), column=rule.get("column"))
    else:
        text = t("session_rule_gap", lang(), gap=seconds(rule.get("gap_seconds")))
    out.print(t("per_session_line", lang(), rule=text), markup=False)
