"""`journeyscope stages list|show`: the stage models (AIDA, retail 5, ...).

``stages_app`` is a group whose own callback (the stage report over a workspace) is
registered by the analytics commands; this module only adds the two catalogue commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from journeyscope.cli.console import emit_json, lang, out
from journeyscope.cli.options import JsonOpt, StageModelFiles

stages_app = typer.Typer(
    invoke_without_command=True,
    help="Stage models (AIDA, retail 5, ...), and where customers are in them (-w DIR).",
)


@stages_app.command("list")
def stages_list(models: StageModelFiles = None, as_json: JsonOpt = False) -> None:
    """List stage models, built-in and custom."""
    from journeyscope.maps.stage_models import stage_models

    found = stage_models(models or [])
    if as_json:
        emit_json([m.model_dump(mode="json", exclude_none=True) for m in found.values()])
        return
    from rich.markup import escape
    from rich.table import Table

    from journeyscope.i18n import t
    from journeyscope.maps.text import localize

    table = Table(title=t("stage_models_title", lang()))
    table.add_column(t("col_id", lang()), no_wrap=True)
    table.add_column(t("col_name", lang()), overflow="fold")
    table.add_column(t("col_stages", lang()), overflow="fold")
    for m in found.values():
        stages = " → ".join(localize(s.name, lang()) for s in m.stages)
        table.add_row(m.id, escape(localize(m.name, lang())), escape(stages))
    out.print(table)


@stages_app.command("show")
def stages_show(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Stage model id.")],
    models: StageModelFiles = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one stage model with its stage descriptions."""
    from rich.markup import escape

    from journeyscope.maps.stage_models import get_stage_model
    from journeyscope.maps.text import localize

    m = get_stage_model(model_id, models or [])
    if as_json:
        emit_json(m.model_dump(mode="json", exclude_none=True))
        return
    name, about = escape(localize(m.name, lang())), escape(localize(m.description, lang()))
    out.print(f"[bold]{name}[/bold] — {about}")
    for index, s in enumerate(m.stages, 1):
        stage, text = escape(localize(s.name, lang())), escape(localize(s.description, lang()))
        out.print(f"{index}. [bold]{stage}[/bold]: {text}")
