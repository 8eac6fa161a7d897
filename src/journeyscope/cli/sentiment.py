"""`journeyscope sentiment`: label, score and aspects of feedback texts, one per line;
`journeyscope sentiment adapt`: fine-tune the model on a workspace's own rated reviews.

The model and NumPy load inside the command, so `journeyscope --help` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeyscope.cli.console import _workspace, emit_json, lang, out
from journeyscope.cli.options import JsonOpt, WorkspaceOpt
from journeyscope.i18n import t

if TYPE_CHECKING:
    from journeyscope.feedback import FeedbackScore
    from journeyscope.feedback.sentiment import SentimentModel

_SHOWN_CHARS = 60


sentiment_app = typer.Typer(
    invoke_without_command=True,
    help="Score feedback texts offline; adapt the model to a workspace's own reviews.",
)


@sentiment_app.callback()
def sentiment_cmd(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            "-f",
            metavar="FILE",
            help="UTF-8 text file, one feedback text per line (- reads standard input).",
        ),
    ] = None,
    text_lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="en|vi|auto",
            help="Language of the texts, for the aspect rules: vi, en or auto (both); vi or "
            "en also sets the language of messages.",
        ),
    ] = "auto",
    workspace: Annotated[
        Path | None,
        typer.Option(
            "-w",
            "--workspace",
            metavar="DIR",
            help="Use the model adapted to this workspace (`sentiment adapt`), if it has one.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score feedback texts: positive, neutral or negative, a score in [-1, 1], and the
    aspects each is about (delivery, packaging, product quality, price, service, payment,
    app). Offline: the model ships with JourneyScope."""
    if ctx.invoked_subcommand is not None:
        return
    if file is None:
        out.print(ctx.get_help())
        raise _missing_file()
    from journeyscope.feedback import analyse, read_texts

    texts = read_texts(file)
    results = analyse(texts, text_lang.lower(), model=_workspace_model(workspace))
    if as_json:
        emit_json([r.to_dict() for r in results])
        return
    _print_table(texts, results)


@sentiment_app.command("adapt")
def adapt_cmd(
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            "-f",
            metavar="FILE",
            help="CSV of the shop's own reviews: a text column and a stars column (1-5).",
        ),
    ],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fine-tune the sentiment model on a workspace's own star-rated reviews (1-2 stars
    negative, 4-5 positive, 3 left out); every fifth review is held out, and the adapted
    model is kept in the workspace only when it beats the shipped one there."""
    from journeyscope.errors import Location, NotFound
    from journeyscope.feedback.adapt import adapt, workspace_model_path
    from journeyscope.feedback.sentiment import load_model

    if not file.is_file():
        raise NotFound(
            f"no such file: {file}",
            f"không có tệp: {file}",
            location=Location(file=str(file)),
            hint_en="export the shop's reviews as CSV with text and stars columns",
            hint_vi="xuất đánh giá của shop ra CSV với cột text và stars",
        )
    with _workspace(workspace) as ws:
        report = adapt(file, load_model(), workspace_model_path(ws.root))
    if as_json:
        emit_json(report.to_dict())
        return
    key = "sentiment_adapt_kept" if report.kept else "sentiment_adapt_not_kept"
    out.print(
        t(
            key,
            lang(),
            trained=report.trained,
            held_out=report.held_out,
            before=report.before_macro_f1,
            after=report.after_macro_f1,
        ),
        markup=False,
    )


def _missing_file() -> Exception:
    from journeyscope.errors import InputError

    return InputError(
        "--file is required",
        "cần có --file",
        hint_en="journeyscope sentiment --file reviews.txt (one text per line)",
        hint_vi="journeyscope sentiment --file reviews.txt (mỗi dòng một văn bản)",
        code="missing_option",
    )


def _workspace_model(workspace: Path | None) -> SentimentModel | None:
    """The workspace's adapted model, or None (the shipped one) when it has none."""
    if workspace is None:
        return None
    from journeyscope.feedback.adapt import workspace_model_path
    from journeyscope.feedback.sentiment import read_model

    with _workspace(workspace, read_only=True) as ws:
        path = workspace_model_path(ws.root)
    return read_model(path) if path.is_file() else None


def _print_table(texts: list[str], results: list[FeedbackScore]) -> None:
    from rich.table import Table
    from rich.text import Text

    language = lang()
    table = Table(title=t("sentiment_title", language, n=len(texts)))
    table.add_column("#", justify="right")
    table.add_column(t("col_label", language), no_wrap=True)
    table.add_column(t("col_score", language), justify="right")
    table.add_column(t("col_aspects", language), overflow="fold")
    table.add_column(t("col_text", language), overflow="fold")
    for index, (text, result) in enumerate(zip(texts, results, strict=True), start=1):
        shown = text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
        table.add_row(
            str(index),
            t(f"sentiment_{result.label}", language),
            f"{result.score:+.2f}",
            ", ".join(t(f"aspect_{a}", language) for a in result.aspects),
            Text(shown),  # a review may hold "[...]": never read it as rich markup
        )
    out.print(table)
