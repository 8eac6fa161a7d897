"""`journeyscope map review`: what moved on a map since the last review (docs/maps.md).

A command of the `map` group that reads the data, like `map compare`: parse → the
application layer's ``review_map`` → a table, ``--json``, and the map drawn with the
after-period's numbers and a ▲/▼ marker on each cell that moved (``--svg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import lang, out, wrote
from journeyscope.cli.map_drawing import RenderLangOpt, check_drawing, draw, word
from journeyscope.cli.maps import map_app
from journeyscope.cli.options import ForceOpt, JsonOpt, PersonaDirs

#: the table's words: key -> (English, Vietnamese)
WORDS = {
    "title": ("What changed on the map", "Những gì thay đổi trên bản đồ"),
    "periods": (
        "{a} … {b} against the {days} days before ({c} … {d}, {zone})",
        "{a} … {b} so với {days} ngày trước đó ({c} … {d}, {zone})",
    ),
    "what": ("Item", "Mục"),
    "stage": ("Stage", "Giai đoạn"),
    "before": ("Before", "Trước"),
    "after": ("After", "Sau"),
    "change": ("Change", "Thay đổi"),
    "p": ("p-value", "p-value"),
    "verdict": ("Verdict", "Kết luận"),
    "moved": ("moved", "thay đổi"),
    "steady": ("steady", "ổn định"),
    "not_tested": ("not tested", "chưa kiểm định"),
    "no_data": ("no data", "không có dữ liệu"),
    "better": ("better", "tốt hơn"),
    "worse": ("worse", "xấu hơn"),
    "nothing": (
        "Nothing moved significantly ({tested} items tested, sensitivity {s}).",
        "Không có gì thay đổi đáng kể ({tested} mục đã kiểm định, độ nhạy {s}).",
    ),
    "count": (
        "{moved} of {tested} tested items moved significantly (sensitivity {s}).",
        "{moved} trong {tested} mục đã kiểm định thay đổi đáng kể (độ nhạy {s}).",
    ),
    "new_pains": ("New or worse pains", "Điểm đau mới hoặc nặng hơn"),
    "eased_pains": ("Eased pains", "Điểm đau đã giảm"),
    "dropoff": ("drop-off after {s}", "rời bỏ sau {s}"),
    "conversion": ("converted after {s}", "chuyển đổi sau {s}"),
    "repeat_contact": ("repeat contacts at {s}", "liên hệ lại ở {s}"),
    "negative_aspect": ("negative feedback on {s}", "phản hồi tiêu cực về {s}"),
    "emotion": ("emotion (−2…+2)", "cảm xúc (−2…+2)"),
    "untested": ("Not tested", "Chưa kiểm định"),
}


def _w(key: str) -> str:
    return word(WORDS, key)


@map_app.command("review")
def map_review(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A map with bound cells.")],
    workspace: Annotated[
        Path | None,
        typer.Option("-w", "--workspace", metavar="DIR", help="Workspace of the data."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            "--from",
            metavar="DATE",
            help="First day of the period under review (the day of the last review); it is "
            "held against as many days just before it.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--to",
            "--until",
            metavar="DATE",
            help="Last day under review, included (default: the data's last day).",
        ),
    ] = None,
    sensitivity: Annotated[
        str,
        typer.Option(
            "--sensitivity", metavar="LEVEL", help="low, medium or high (as for insights)."
        ),
    ] = "medium",
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Also draw the map with the period's numbers, moved cells marked ▲/▼ "
            "(.svg, .png, .html, .pdf).",
        ),
    ] = None,
    render_lang: RenderLangOpt = None,
    personas: PersonaDirs = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What moved on a map since the last review: its numbers, pains and emotions, each
    tested against the same length of time before, noise left out."""
    from journeyscope.app.operations import open_workspace
    from journeyscope.app.review import moved_items, review_map, review_title
    from journeyscope.maps.validate import load_map

    checked = load_map(file, personas or [])
    assert checked.map is not None
    check_drawing(svg, force)
    with open_workspace(workspace) as ws:
        report, after = review_map(ws, checked.map, since, until, sensitivity)
    if svg is not None:
        from journeyscope.living.review import mark

        drawn = mark(checked.map, after, moved_items(report), review_title(report))
        draw(drawn, checked, svg, render_lang)
    data = report.for_language(lang())
    if as_json:
        from journeyscope.cli.console import emit_json

        emit_json(data)
        return
    _print(data)
    if svg is not None:
        wrote(svg)


def _value(value: float | None, unit: str) -> str:
    from journeyscope.cli.report_output import number
    from journeyscope.living.format import number_text

    if value is None:
        return _w("no_data")
    if unit == "emotion":
        return number(value, 2)
    return number_text(value, unit, lang())


def _change(row: dict[str, Any]) -> str:
    from journeyscope.cli.report_output import number
    from journeyscope.living.review import change_text

    change = row.get("change")
    if change is None:
        return "–"
    if row["unit"] == "emotion":
        return ("▲ +" if change > 0 else "▼ −") + number(abs(change), 2)
    return change_text(change, row["unit"], lang()) if change else "0"


def _what(row: dict[str, Any]) -> str:
    if row["kind"] == "cell":
        return f"{row.get('label') or row['metric']} {row['subject']}"
    return _w(row["kind"]).format(s=row.get("subject") or "")


def _verdict(row: dict[str, Any]) -> str:
    text = _w(row["status"])
    if row.get("direction"):
        text += f" ({_w(row['direction'])})"
    return f"[bold]{text}[/]" if row["status"] == "moved" else text


def _table(title: str, rows: list[dict[str, Any]]) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for key in ("what", "stage", "before", "after", "change", "p", "verdict"):
        table.add_column(
            _w(key), justify="left" if key in ("what", "stage", "verdict") else "right"
        )
    for row in rows:
        p = row.get("p_value")
        table.add_row(
            escape(_what(row)),
            escape(row["stage"]),
            _value(row["before"]["value"], row["unit"]),
            _value(row["after"]["value"], row["unit"]),
            _change(row),
            "–" if p is None else f"{p:.2g}",
            _verdict(row),
        )
    return table


def _print(data: dict[str, Any]) -> None:
    from rich.markup import escape

    b, a = data["before"], data["after"]
    out.print(
        _w("periods").format(
            a=a["from"], b=a["to"], days=a["days"], c=b["from"], d=b["to"], zone=data["timezone"]
        )
    )
    rows = [*data["cells"], *data["pains"], *data["emotions"]]
    out.print(_table(_w("title"), rows))
    for key in ("new_pains", "eased_pains"):
        if data[key]:
            out.print(f"{_w(key)}: " + escape("; ".join(_what(r) for r in data[key])))
    untested = [r for r in rows if r["status"] == "not_tested" and r.get("reason")]
    for reason in dict.fromkeys(str(r["reason"]) for r in untested):
        names = ", ".join(
            dict.fromkeys(
                str(r.get("metric") or r["kind"]) for r in untested if r["reason"] == reason
            )
        )
        out.print(escape(f"{_w('untested')} ({names}): {reason}"))
    key = "nothing" if data["nothing_moved"] else "count"
    out.print(_w(key).format(moved=data["moved"], tested=data["tested"], s=data["sensitivity"]))
