"""`journeyscope map compare`: a designed map against the real journeys (docs/maps.md).

A command of the `map` group that reads the data, like `map generate`: parse → the
application layer's ``compare_map`` → a table, ``--json``, and the map drawn with the
actual numbers on it (``--svg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from journeyscope.cli.console import lang, out, wrote
from journeyscope.cli.map_drawing import RenderLangOpt, check_drawing, draw, word
from journeyscope.cli.maps import map_app
from journeyscope.cli.options import (
    ForceOpt,
    FromOpt,
    JsonOpt,
    PersonaDirs,
    ToOpt,
    WhereOpt,
)

#: the table's words: key -> (English, Vietnamese)
WORDS = {
    "title": ("Designed journey against the real one", "Hành trình thiết kế so với thực tế"),
    "stage": ("Stage", "Giai đoạn"),
    "customers": ("Customers", "Khách hàng"),
    "to_next": ("To next stage", "Sang giai đoạn sau"),
    "skipped": ("Skipped by", "Bị bỏ qua"),
    "came_back": ("Came back", "Quay lại"),
    "entered": ("customers with an event of the map", "khách hàng có sự kiện của bản đồ"),
    "followed": ("followed the designed path in order", "đi đúng thứ tự hành trình thiết kế"),
    "completed": ("…to its last stage", "…đến giai đoạn cuối"),
    "skipped_any": ("skipped a stage", "bỏ qua một giai đoạn"),
    "looped": ("went back to an earlier stage", "quay lại giai đoạn trước"),
    "loss": (
        "The designed path loses the most from {a} to {b}: {loss} do not go on",
        "Hành trình thiết kế mất nhiều khách nhất từ {a} sang {b}: {loss} không đi tiếp",
    ),
    "off_title": ("Used but not on the map", "Được dùng nhưng không có trên bản đồ"),
    "touchpoint": ("Touchpoint", "Điểm chạm"),
    "share": ("Share of customers", "Tỷ lệ khách hàng"),
    "after": ("After stage", "Sau giai đoạn"),
    "unmapped": ("Stages with no event mapped", "Giai đoạn chưa gắn sự kiện"),
}


def _w(key: str) -> str:
    return word(WORDS, key)


@map_app.command("compare")
def map_compare(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The designed map.")],
    workspace: Annotated[
        Path | None,
        typer.Option("-w", "--workspace", metavar="DIR", help="Workspace of the real journeys."),
    ] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    where: WhereOpt = None,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Also draw the map with the actual numbers on it (.svg, .png, .html, .pdf).",
        ),
    ] = None,
    render_lang: RenderLangOpt = None,
    personas: PersonaDirs = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """How real journeys follow a designed map whose touchpoints name events: who follows
    the path, skipped stages, loops, touchpoints not on the map, the biggest loss."""
    from journeyscope.app.compare import compare_map
    from journeyscope.app.operations import open_workspace
    from journeyscope.maps.validate import load_map

    checked = load_map(file, personas or [])
    assert checked.map is not None
    check_drawing(svg, force)
    with open_workspace(workspace) as ws:
        report = compare_map(ws, checked.map, since, until, where)
    data = report.for_language(lang())
    if svg is not None:
        from journeyscope.living.compare import overlay

        draw(overlay(checked.map, report.model_dump(mode="json")), checked, svg, render_lang)
    if as_json:
        from journeyscope.cli.console import emit_json

        emit_json(data)
        return
    _print(data)
    if svg is not None:
        wrote(svg)


def _pct(value: float | None) -> str:
    from journeyscope.cli.report_output import pct

    return "–" if value is None else pct(value)


def _print(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.cli.report_output import number

    entered = data["entered"]
    out.print(f"{number(entered)} / {number(data['customers'])} {_w('entered')}")
    for key in ("followed", "completed", "skipped_any", "looped"):
        out.print(f"  {_pct(data[f'{key}_share'])} ({number(data[key])}) {_w(key)}")
    table = Table(title=_w("title"))
    for key in ("stage", "customers", "to_next", "skipped", "came_back"):
        table.add_column(_w(key), justify="left" if key == "stage" else "right")
    for row in data["stages"]:
        table.add_row(
            escape(str(row["name"])),
            number(row["customers"]),
            _pct(row.get("to_next_share")),
            f"{number(row['skipped'])} ({_pct(row.get('skipped_share'))})",
            number(row["came_back"]),
        )
    out.print(table)
    loss = data.get("biggest_loss")
    if loss:
        names = {s["stage"]: str(s["name"]) for s in data["stages"]}
        text = _w("loss").format(
            a=names[loss["stage"]], b=names[loss["next_stage"]], loss=_pct(loss["loss"])
        )
        out.print(escape(text))
    if data["unmapped_stages"]:
        out.print(f"{_w('unmapped')}: {escape(', '.join(data['unmapped_stages']))}")
    _print_off_map(data["off_map"])


def _print_off_map(rows: list[dict[str, Any]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.cli.report_output import number

    if not rows:
        return
    table = Table(title=_w("off_title"))
    for key in ("touchpoint", "customers", "share", "after"):
        table.add_column(_w(key), justify="left" if key in ("touchpoint", "after") else "right")
    for row in rows:
        table.add_row(
            escape(row["touchpoint"]),
            number(row["customers"]),
            _pct(row.get("share")),
            escape(row.get("after_stage") or "–"),
        )
    out.print(table)
