"""`journeyscope customers show`: one customer's identifiers, numbers and timeline."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from journeyscope.cli.console import emit_json, lang, out, workspace
from journeyscope.cli.options import JsonOpt, WorkspaceOpt

customers_app = typer.Typer(no_args_is_help=True, help="Customer profiles and journeys.")


@customers_app.command("show")
def customers_show(
    ref: Annotated[
        str,
        typer.Argument(metavar="ID|TYPE:VALUE", help="Customer id, or any identifier TYPE:VALUE."),
    ],
    workspace_dir: WorkspaceOpt = None,
    limit: Annotated[int, typer.Option(metavar="N", help="Most timeline events to show.")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """A customer's identifiers, first/last seen, channels, orders, revenue and journey."""
    from journeyscope.app.operations import at_least
    from journeyscope.identity.profiles import profile

    at_least(limit, 0, "--limit")
    with workspace(workspace_dir, read_only=True) as ws:
        data = profile(ws, ref, limit)
    if as_json:
        emit_json(data)
        return
    _print_profile(data)


def _print_profile(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.i18n.formatting import format_money

    out.print(f"[bold]{t('customer', lang())} {data['customer_id']}[/bold]")
    out.print(", ".join(f"{i['type']}:{i['value']}" for i in data["identifiers"]), markup=False)
    out.print(
        t(
            "profile_line",
            lang(),
            first=data["first_seen"],
            last=data["last_seen"],
            events=data["events"],
            orders=data["orders"],
            refunds=data["refunds"],
            revenue=format_money(data["revenue"], data["currency"], lang()),
        )
    )
    table = Table()
    for col in ("time", "event", "channel", "touchpoint"):
        table.add_column(t(f"col_{col}", lang()), overflow="fold")
    table.add_column(t("col_revenue", lang()), justify="right")
    for e in data["timeline"]:
        table.add_row(
            str(e["ts"]),
            escape(e["event"]),
            escape(e["channel"]),
            escape(e["touchpoint"] or ""),
            format_money(e["revenue"], e["currency"], lang()) if e["revenue"] else "",
        )
    out.print(table)
