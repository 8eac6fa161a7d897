"""`journeyscope segment ...`: customer segments, defined once and used by every report.

A segment is a rule over customer facts (``--rule "orders >= 2 and channel = shopee"``) or
a static list (``--from-file``); reports take ``--where "segment = NAME"``. The work is in
:mod:`journeyscope.app.segments`; this module parses and prints.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import check_output, emit_json, lang, out
from journeyscope.cli.options import ForceOpt, JsonOpt, WorkspaceOpt
from journeyscope.errors import InputError, Location

segment_app = typer.Typer(no_args_is_help=True, help="Customer segments: rules and lists.")

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The segment's name.")]
#: ``--save-segment`` on the commands that write a customer list
SaveSegmentOpt = Annotated[
    str | None,
    typer.Option(
        "--save-segment",
        metavar="NAME",
        help="Also keep the listed customers as a segment (a static list) named NAME.",
    ),
]


@segment_app.command("add")
def segment_add(
    name: NameArg,
    workspace: WorkspaceOpt = None,
    rule: Annotated[
        str | None,
        typer.Option(
            "--rule",
            metavar="RULE",
            help='Customer facts, e.g. "orders >= 2 and channel in (shopee, lazada)".',
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file",
            metavar="FILE",
            help="A list: customer ids or TYPE:VALUE identifiers, one a line (or a CSV).",
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", metavar="WORDS", help="What it is for.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a segment of the same name.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Define a segment by a rule or from a list of customers."""
    from journeyscope.app import segments

    members, lines = None, []
    if from_file is not None:
        from journeyscope.analytics.segments import read_member_lines

        lines = read_member_lines(from_file)
        members = [entry for _, entry in lines]
    source = str(from_file) if from_file is not None else None
    try:
        data = segments.add(
            workspace,
            name,
            rule=rule,
            members=members,
            description=description,
            source=source,
            replace=replace,
        )
    except InputError as exc:
        _at_line(exc, from_file, lines)
        raise
    if as_json:
        emit_json(data)
        return
    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    n = format_number(data["customers"], lang())
    out.print(t("segment_added", lang(), name=name, n=n), markup=False)


def _at_line(exc: InputError, path: Path | None, lines: list[tuple[int, str]]) -> None:
    """A bad entry of ``--from-file``: said at its file and line, not as ``members.N``
    (the API's place for it, counted from 0 over the entries read)."""
    found = re.fullmatch(r"members\.(\d+)", (exc.location.field or "") if exc.location else "")
    if path is not None and found and int(found.group(1)) < len(lines):
        exc.location = Location(file=str(path), line=lines[int(found.group(1))][0])


@segment_app.command("list")
def segment_list(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The workspace's segments with their size today."""
    from journeyscope.app import segments

    data = segments.list_segments(workspace)
    if as_json:
        emit_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    table = Table(title=t("segments_title", lang()))
    for key in ("col_name", "col_customers", "col_segment_rule"):
        table.add_column(t(key, lang()), overflow="fold")
    for s in data:
        what = s["rule"] or t("segment_static", lang(), n=format_number(s["listed"], lang()))
        table.add_row(escape(s["name"]), format_number(s["customers"], lang()), escape(what))
    out.print(table)


@segment_app.command("show")
def segment_show(name: NameArg, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Size, share of customers, channel mix, typical order value, top products and events."""
    from journeyscope.app import segments

    report = segments.show(workspace, name)
    if as_json:
        emit_json(report.for_language(lang()))
        return
    print_segment(report.for_language(lang()))


@segment_app.command("remove")
def segment_remove(name: NameArg, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Delete a segment (the customers and their events stay)."""
    from journeyscope.app import segments

    data = segments.remove(workspace, name)
    if as_json:
        emit_json(data)
        return
    from journeyscope.i18n import t

    out.print(t("segment_removed", lang(), name=name), markup=False)


@segment_app.command("customers")
def segment_customers(
    name: NameArg,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="CSV or Parquet of the customers."),
    ],
    workspace: WorkspaceOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the segment's customers with their identifiers (e-mail, phone, Zalo, ...)."""
    from journeyscope.app import segments

    check_output(output, force)
    n = segments.customers(workspace, name, output)
    if as_json:
        emit_json({"segment": name, "customers": n, "output": str(output)})
        return
    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    out.print(t("wrote_customers", lang(), n=format_number(n, lang()), path=output), markup=False)


def save_segment(workspace: Path | None, name: str, file: Path, source: str, at_risk: bool) -> None:
    """After a command wrote a customer list: keep it as a static segment and say so."""
    from journeyscope.app import segments
    from journeyscope.cli.console import err
    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_number

    data = segments.save_list(workspace, name, file, source=source, at_risk_only=at_risk)
    n = format_number(len(data.get("members", [])), lang())
    err.print(t("segment_saved", lang(), n=n, name=name), markup=False)


def print_segment(data: dict[str, Any]) -> None:
    """The human ``segment show`` (also under a persona's card in ``persona show``)."""
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_money, format_number

    lg = lang()
    title = data["name"] + (f" — {data['description']}" if data.get("description") else "")
    out.print(f"[bold]{escape(title)}[/bold]")
    if data.get("rule"):
        out.print(data["rule"], markup=False)
    share = "–" if data["share"] is None else f"{format_number(data['share'] * 100, lg, 1)} %"
    size = t(
        "segment_size",
        lg,
        n=format_number(data["customers"], lg),
        share=share,
        total=format_number(data["total_customers"], lg),
    )
    out.print(size, markup=False)
    if data.get("unmatched"):
        out.print(
            t("segment_unmatched", lg, n=data["unmatched"], listed=data["listed"]), markup=False
        )
    typical = data["typical_order_value"]
    money = (
        t("segment_no_orders", lg)
        if typical is None
        else format_money(typical, data["currency"], lg)
    )
    out.print(
        t(
            "segment_orders",
            lg,
            orders=format_number(data["orders"], lg),
            revenue=format_money(data["revenue"], data["currency"], lg),
            typical=money,
        ),
        markup=False,
    )
    channels = Table(title=t("segment_channels", lg))
    for key in ("col_channel", "col_customers", "col_share_customers", "col_share_actions"):
        channels.add_column(t(key, lg))
    for c in data["channels"]:
        channels.add_row(
            escape(c["channel"]),
            format_number(c["customers"], lg),
            f"{format_number(c['share_of_customers'] * 100, lg, 1)} %",
            f"{format_number(c['share_of_actions'] * 100, lg, 1)} %",
        )
    out.print(channels)
    products = data.get("top_products")
    if products:
        table = Table(title=t("segment_products", lg, prop=products["property"]))
        for key in ("col_value", "col_customers", "col_purchases"):
            table.add_column(t(key, lg), overflow="fold")
        for v in products["values"]:
            table.add_row(
                escape(v["value"]),
                format_number(v["customers"], lg),
                format_number(v["purchases"], lg),
            )
        out.print(table)
    events = Table(title=t("segment_events", lg))
    for key in ("col_event", "col_customers", "col_events"):
        events.add_column(t(key, lg))
    for e in data["top_events"]:
        events.add_row(escape(e["event"]), format_number(e["customers"], lg), str(e["events"]))
    out.print(events)


__all__ = ["SaveSegmentOpt", "print_segment", "save_segment", "segment_app"]
