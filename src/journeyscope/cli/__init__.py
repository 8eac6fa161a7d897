"""The ``journeyscope`` command: the table of contents of every command group.

Each group lives in its own module (``maps``, ``personas``, ``stage_models``,
``workspace_cmds``, ``identity``, ``customers``, ``demo``, and the analytics commands);
each command parses its options, calls the library and prints. Libraries are imported
inside the commands, so `journeyscope --help` imports no database engine, no kernels and
no renderer. Errors print as ``LOCATION: error[code]: message`` plus a hint, in the chosen
language (``--lang`` anywhere on the line, or ``JOURNEYSCOPE_LANG``), without a traceback.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence

import typer
from typer.core import TyperGroup
from typer.main import get_command

from journeyscope.cli import customers, demo, identity, maps, personas, workspace_cmds
from journeyscope.cli import map_compare as _map_compare  # noqa: F401  (registers `map compare`)
from journeyscope.cli import map_generate as _map_generate  # noqa: F401  (registers `map generate`)
from journeyscope.cli import map_review as _map_review  # noqa: F401  (registers `map review`)
from journeyscope.cli.console import (
    STATE,
    _workspace,
    emit_json,
    err,
    lang,
    out,
    print_error,
    set_lang,
)
from journeyscope.cli.help import finish_command, first_command, lang_in_args
from journeyscope.cli.options import JsonOpt, LangOpt, WorkspaceOpt
from journeyscope.cli.stage_models import stages_app
from journeyscope.cli.usage_vi import show_usage_error
from journeyscope.errors import JourneyScopeError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: fast, and `[category=bags]` is shown as written
    help="JourneyScope: customer-journey maps and journey data.",
)


@app.callback()
def _root(language: LangOpt = None) -> None:
    """JourneyScope: customer-journey maps and journey data."""


# the data: a workspace, its events and its customers
app.command("init")(workspace_cmds.init)
app.command("ingest")(workspace_cmds.ingest)
app.command("stats")(workspace_cmds.stats_cmd)
app.command("export-parquet")(workspace_cmds.export_parquet_cmd)
app.command("forget")(workspace_cmds.forget_cmd)
app.command("demo")(demo.demo)
# feedback: offline sentiment and aspects (docs/feedback.md); NumPy loads inside the command
from journeyscope.cli import sentiment as _sentiment  # noqa: E402

app.add_typer(_sentiment.sentiment_app, name="sentiment")
# feedback in (surveys, reviews, tickets), its numbers and the survey kit (docs/feedback.md)
from journeyscope.cli import feedback as _feedback  # noqa: E402

app.add_typer(_feedback.feedback_app, name="feedback")
# the groups
app.add_typer(maps.map_app, name="map")
app.add_typer(stages_app, name="stages")
app.add_typer(personas.persona_app, name="persona")
app.add_typer(identity.identity_app, name="identity")
app.add_typer(customers.customers_app, name="customers")
app.add_typer(workspace_cmds.events_app, name="events")
# customer segments (docs/analytics.md "Segments"); DuckDB loads inside the commands
from journeyscope.cli import segments as _segments  # noqa: E402

app.add_typer(_segments.segment_app, name="segment")
# the server and its keys (docs/server.md); FastAPI/uvicorn load inside `serve` only
from journeyscope.cli import keys as _keys  # noqa: E402
from journeyscope.cli import serve as _serve  # noqa: E402

app.add_typer(_keys.keys_app, name="keys")
# the web app's users (docs/server.md); argon2 and DuckDB load inside the commands
from journeyscope.cli import users as _users  # noqa: E402

app.add_typer(_users.users_app, name="users")
app.command("serve")(_serve.serve)

# the analytics commands register themselves on ``app`` and ``stages_app``
from journeyscope.cli import analytics as _analytics  # noqa: E402, F401


def build_command(args: Sequence[str] = ()) -> TyperGroup:
    """The click command tree users meet: ``--lang`` on every command, plain help with
    metavars, in the language already chosen. Shared by `main` and the docs generator.

    When ``args`` name a command, only that branch is built: Typer reads every command's
    signature to build it, ~60 ms for all of them on 2 cores, wasted on the ones not run."""
    wanted = first_command(args)
    only = copy.copy(app)
    only.registered_commands = [c for c in app.registered_commands if c.name == wanted]
    only.registered_groups = [g for g in app.registered_groups if g.name == wanted]
    if not (only.registered_commands or only.registered_groups):
        only = app  # no command named (root help, a typo): the whole tree
    command = get_command(only)
    assert isinstance(command, TyperGroup)
    finish_command(command, lang())
    return command


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; expected errors become a message and an exit code, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    set_lang(lang_in_args(args))
    try:
        result = build_command(args).main(
            args=args, standalone_mode=False, prog_name="journeyscope"
        )
    except JourneyScopeError as exc:
        print_error(exc, "--json" in args)
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Typer vendors its own copy of click, so match click's exceptions by shape.
        name = type(exc).__name__
        if name == "Exit":
            sys.exit(getattr(exc, "exit_code", 0))
        if name == "Abort":
            err.print("Aborted / Đã huỷ")
            sys.exit(130)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            if lang() == "vi" and hasattr(exc, "format_message"):
                show_usage_error(exc, lambda line: print(line, file=sys.stderr))
            else:
                exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(result if isinstance(result, int) else 0)


__all__ = [
    "STATE",
    "JsonOpt",
    "WorkspaceOpt",
    "_workspace",
    "app",
    "build_command",
    "emit_json",
    "err",
    "lang",
    "main",
    "out",
    "stages_app",
]

if __name__ == "__main__":
    main()
