"""How ``journeyscope retention --model bgnbd`` prints customer value: the fitted
parameters, the spend model and the most valuable customers with who they are."""

from __future__ import annotations

from typing import Any

from journeyscope.cli.console import lang, out
from journeyscope.cli.report_output import number


def print_lifetime(value: dict[str, Any], churn: dict[str, Any]) -> None:
    """The BG/NBD block of the retention table (``value`` is the report's ``lifetime``)."""
    from journeyscope.i18n import t

    out.print(
        t(
            "bgnbd_title",
            lang(),
            end=value["calibration_end"],
            days=number(value["horizon_days"]),
            currency=value["currency"],
        ),
        markup=False,
    )
    if "r" in value:
        out.print(
            t(
                "bgnbd_params",
                lang(),
                **{k: number(value[k], 3) for k in ("r", "alpha", "a", "b")},
                ll=number(value["fit"]["log_likelihood"], 1),
                customers=number(value["customers"]),
                repeat=number(value["repeat_buyers"]),
            ),
            markup=False,
        )
    spend = value.get("spend") or {}
    if spend.get("fitted"):
        out.print(
            t(
                "bgnbd_spend",
                lang(),
                **{k: number(spend[k], 2) for k in ("p", "q", "gamma")},
                mean=f"{number(spend['mean_spend'])} {value['currency']}",
            ),
            markup=False,
        )
    elif "top" in value:
        out.print(t("bgnbd_no_spend", lang()), markup=False)
    if value.get("top"):
        out.print(_top_table(value))
    method = churn.get("method", "heuristic")
    out.print(
        t(f"churn_method_{method}", lang(), threshold=number(churn.get("threshold", 0), 2)),
        markup=False,
    )


def _top_table(value: dict[str, Any]) -> Any:
    from rich.table import Table
    from rich.text import Text

    from journeyscope.i18n import t

    table = Table()
    table.add_column(t("col_id", lang()), justify="right")
    table.add_column(t("col_contact", lang()), overflow="fold")
    table.add_column(t("col_repeat_purchases", lang()), justify="right")
    table.add_column(t("col_p_alive", lang()), justify="right")
    table.add_column(t("col_expected_purchases", lang()), justify="right")
    with_value = any("expected_value" in row for row in value["top"])
    if with_value:
        table.add_column(t("col_expected_value", lang()), justify="right")
    for row in value["top"]:
        contact = row.get("phone") or row.get("email") or row.get("user_id") or ""
        cells: list[Any] = [
            str(row["customer_id"]),
            Text(contact),  # an identifier is data, never markup
            number(row["frequency"]),
            number(row["p_alive"], 3),
            number(row["expected_purchases"], 2),
        ]
        if with_value:
            cells.append(number(row.get("expected_value")))
        table.add_row(*cells)
    return table
