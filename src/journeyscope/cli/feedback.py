"""`journeyscope feedback import|summary|survey`: feedback in, its numbers out, the survey kit.

Libraries load inside the commands, so `journeyscope --help` stays light (no DuckDB).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from journeyscope.cli.console import check_output, emit_json, err, lang, out, workspace, wrote
from journeyscope.cli.options import ForceOpt, FromOpt, JsonOpt, ToOpt, WorkspaceOpt

if TYPE_CHECKING:
    from journeyscope.feedback.summary import Group

feedback_app = typer.Typer(
    help="Feedback in (surveys, marketplace reviews, tickets), its numbers, the survey kit.",
    no_args_is_help=True,
)


def _say(en: str, vi: str) -> str:
    return vi if lang() == "vi" else en


@feedback_app.command("import")
def import_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Survey, review or ticket files (CSV, XLSX, ...)."),
    ],
    workspace_dir: WorkspaceOpt = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            "-m",
            metavar="FILE",
            help="Mapping file with a `feedback:` section (kind, score and text columns).",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="survey|review|ticket",
            help="The kind of feedback; default: detected from the header.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import survey answers, marketplace reviews or ticket notes as feedback events. Exit 0:
    all rows stored; 1: some rows quarantined; 2: a file refused."""
    from journeyscope.events.ingest import Quarantine
    from journeyscope.feedback.importing import import_feedback

    done = []
    with workspace(workspace_dir) as ws:
        from datetime import UTC, datetime

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        quarantine = Quarantine(ws.root / "quarantine" / f"feedback-{stamp}.csv")
        for path in files:
            done.append(
                import_feedback(ws, path, kind=kind, mapping=mapping, quarantine=quarantine)
            )
    if as_json:
        emit_json({"files": [d.to_dict() for d in done]})
    else:
        for d in done:
            r = d.result
            out.print(
                _say(
                    f"{r.file} ({d.shape}): {r.accepted} stored, {r.duplicates} already there, "
                    f"{r.rejected} quarantined; {d.feedback} feedback rows scored",
                    f"{r.file} ({d.shape}): lưu {r.accepted}, đã có {r.duplicates}, "
                    f"cách ly {r.rejected}; chấm {d.feedback} dòng phản hồi",
                ),
                markup=False,
            )
            if r.quarantine:
                out.print(_say("quarantined rows: ", "các dòng bị cách ly: ") + r.quarantine)
            if r.suppressed:  # as ingest says it
                from journeyscope.i18n import t

                err.print(t("ingest_suppressed", lang(), file=r.file, n=r.suppressed), markup=False)
    if any(d.result.rejected for d in done):
        raise typer.Exit(1)


def _cell(value: float | None, n: int) -> str:
    return "—" if value is None else f"{value:g} (n={n})"


def _row(g: Group) -> list[str]:
    s = g.sentiment
    shares = "—" if s.n == 0 else f"+{s.positive:.0%} / −{s.negative:.0%} (n={s.n})"
    top = ", ".join(f"{a.aspect} {a.texts}" for a in g.aspects[:3]) or "—"
    return [
        g.key,
        str(g.responses),
        _cell(g.nps.value, g.nps.n),
        _cell(g.csat.value, g.csat.n),
        _cell(g.ces.value, g.ces.n),
        _cell(g.stars.value, g.stars.n),
        shares,
        top,
    ]


@feedback_app.command("summary")
def summary_cmd(
    workspace_dir: WorkspaceOpt = None,
    by: Annotated[
        str,
        typer.Option("--by", metavar="touchpoint|channel|kind", help="Group the numbers by this."),
    ] = "touchpoint",
    since: FromOpt = None,
    until: ToOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """NPS (promoters − detractors), average CSAT, CES and stars, sentiment shares and the
    top aspects, per touchpoint, channel or kind — each with how many answers it rests on."""
    from rich.table import Table

    from journeyscope.feedback.summary import feedback_summary

    with workspace(workspace_dir, read_only=True) as ws:
        report = feedback_summary(ws, by, since, until)
    if as_json:
        emit_json(report.to_dict())
        return
    heads = [by, _say("answers", "phản hồi"), "NPS", "CSAT", "CES", _say("stars", "sao")]
    heads += [_say("sentiment", "cảm xúc"), _say("top aspects", "khía cạnh")]
    table = Table(*heads)
    for group in [*report.groups, report.total]:
        table.add_row(*_row(group))
    out.print(table)


@feedback_app.command("survey")
def survey_cmd(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Where to write the survey.")
    ],
    text_lang: Annotated[
        str,
        typer.Option(
            "--lang", metavar="en|vi", help="Language of the questions (and of messages)."
        ),
    ] = "vi",
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="html|csv",
            help="html: a standalone form that saves answers as CSV; csv: the header set "
            "for survey tools.",
        ),
    ] = "html",
    title: Annotated[
        str | None, typer.Option("--title", metavar="WORDS", help="Title of the form.")
    ] = None,
    touchpoint: Annotated[
        str,
        typer.Option("--touchpoint", metavar="NAME", help="Touchpoint stored with each answer."),
    ] = "survey",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the survey kit: the research questions (how did you hear of us, what first
    caught your eye, ...) plus NPS, CSAT and CES, as an offline HTML form or a CSV header."""
    from journeyscope.errors import InputError
    from journeyscope.feedback.survey import LANGS, questions, survey_csv_header, survey_html
    from journeyscope.maps.io import write_atomic

    if text_lang not in LANGS or fmt not in ("html", "csv"):
        raise InputError(
            f"unknown --lang {text_lang!r} or --format {fmt!r}",
            f"--lang {text_lang!r} hoặc --format {fmt!r} không hợp lệ",
            hint_en="use --lang vi|en and --format html|csv",
            hint_vi="dùng --lang vi|en và --format html|csv",
            code="invalid_option",
        )
    check_output(output, force)
    text = (
        survey_html(text_lang, title=title, touchpoint=touchpoint)
        if fmt == "html"
        else survey_csv_header()
    )
    write_atomic(output, text)
    if as_json:
        data: dict[str, Any] = {"file": str(output), "format": fmt}
        emit_json({**data, "questions": questions(text_lang)})
    else:
        wrote(output)
