"""The options many commands share, defined once so they read and behave the same everywhere.

Each carries a metavar that says what to write (``DIR``, ``DATE``, ``FILTER``), never a
Python type name. Importing this module costs only Typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeyscope.cli.console import set_lang


def _choose_lang(value: str | None) -> None:
    """``--lang`` is eager, so ``--lang vi --help`` already speaks Vietnamese; a language
    we do not speak is refused (it was read as English without a word)."""
    if value is not None:
        from journeyscope.cli.usage_vi import check_language

        check_language(value, ("en", "vi"))
        set_lang(value)


LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="en|vi",
        callback=_choose_lang,
        is_eager=True,
        expose_value=False,
        help="Language of messages, tables and help: en or vi (default: JOURNEYSCOPE_LANG, "
        "else en). Accepted before or after the command.",
    ),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "-w",
        "--workspace",
        metavar="DIR",
        help="Workspace folder (default: $JOURNEYSCOPE_WORKSPACE).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output if it exists.")]
PersonaDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--personas",
        metavar="DIR",
        help="Extra persona folder(s); `personas/` beside the map is always searched.",
    ),
]
StageModelFiles = Annotated[
    list[Path] | None,
    typer.Option("--models", metavar="FILE", help="YAML file(s) with custom stage models."),
]

# ---------------------------------------------------------------- the scope of a report

FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        "--since",
        metavar="DATE",
        help="First day (YYYY-MM-DD or ISO time, workspace time zone).",
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        "--until",
        metavar="DATE",
        help="Last day, included (YYYY-MM-DD or ISO time).",
    ),
]
# in `paths`, --from/--to name anchor events; dates use --since/--until there
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", metavar="DATE", help="First day (YYYY-MM-DD or ISO time)."),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", metavar="DATE", help="Last day, included (YYYY-MM-DD or ISO time)."),
]
WhereOpt = Annotated[
    str | None,
    typer.Option(
        "--where",
        metavar="FILTER",
        help="Event filter, e.g. \"channel in (shopee, lazada) and category = 'túi xách'\".",
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="FIELD",
        help="Break down by a field (channel, touchpoint, a property).",
    ),
]

IntervalOpt = Annotated[
    str | None,
    typer.Option(
        "--interval",
        metavar="day|week|month",
        help="One row per period (workspace time zone, ISO weeks from Monday), with the "
        "change from the previous period; -o FILE.svg draws it as lines.",
    ),
]

# ---------------------------------------------------------------- what one journey is

PerOpt = Annotated[
    str,
    typer.Option(
        "--per",
        metavar="customer|session",
        help="What one journey is: each customer's whole history, or each session.",
    ),
]
SessionGapOpt = Annotated[
    str | None,
    typer.Option(
        "--session-gap",
        metavar="DURATION",
        help="Inactivity that ends a session (default: workspace.yaml sessions.gap, 30m).",
    ),
]
SessionColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--session-column",
        metavar="FIELD",
        help="With --per session: a field holding the session id (properties.session_id), "
        "instead of the gap.",
    ),
]

LineChartOpt = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", metavar="FILE", help="With --interval: the line chart (.svg or .png)."
    ),
]

# ---------------------------------------------------------------- where a command runs

EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        metavar="duckdb|spark",
        help="duckdb (embedded, the default) or spark; else workspace.yaml.",
    ),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        metavar="URL",
        help="local[2], spark://host:7077, yarn (default local[*]).",
    ),
]
DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        metavar="FOLDER|URI",
        help="Spark: the events as an export-parquet dataset (folder/URI).",
    ),
]
