"""Where the CLI speaks: the two consoles, the chosen language, JSON output, errors.

Every command module imports its output helpers from here. The rich consoles are made on
first use, so `journeyscope --help` never imports rich at all (it costs ~50 ms on 2 cores).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from journeyscope.i18n import resolve_language

if TYPE_CHECKING:
    from rich.console import Console

    from journeyscope.errors import JourneyScopeError
    from journeyscope.events.workspace import Workspace

STATE: dict[str, str] = {"lang": "en"}


class _LazyConsole:
    """A rich ``Console`` made on first use: rich is imported only by commands that print."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        """The console itself, for rich objects that need a true ``Console`` (Progress)."""
        if self._console is None:
            from rich.console import Console

            # no automatic highlighting: our messages are sentences, and its regexes cost
            # ~40 ms to compile on the first print of every command
            self._console = Console(stderr=self._stderr, soft_wrap=True, highlight=False)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


out = cast("Console", _LazyConsole(stderr=False))
err = cast("Console", _LazyConsole(stderr=True))


def real_console(console: Console) -> Console:
    """The rich ``Console`` behind ``out`` or ``err`` (rich's Progress checks its type)."""
    return cast("_LazyConsole", console).real if isinstance(console, _LazyConsole) else console


def lang() -> str:
    """The language of messages: ``--lang`` (anywhere on the line), else JOURNEYSCOPE_LANG."""
    return STATE["lang"]


def set_lang(value: str | None) -> str:
    """Choose the language of messages (``None``: JOURNEYSCOPE_LANG, else English)."""
    STATE["lang"] = resolve_language(value)
    return STATE["lang"]


def emit_json(data: Any) -> None:
    """Print data as JSON on stdout (dates and paths as text, Vietnamese unescaped)."""
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))


def print_error(exc: JourneyScopeError, as_json: bool) -> None:
    """An expected error: its JSON shape on stdout with ``--json``, its text on stderr."""
    if as_json:
        sys.stdout.write(json.dumps(exc.to_dict(lang()), ensure_ascii=False) + "\n")
    err.print(exc.render(lang()), markup=False, highlight=False)


@contextmanager
def _workspace(path: Path | None, *, read_only: bool = False) -> Iterator[Workspace]:
    """The workspace, opened for this command and closed (lock released) whatever happens."""
    from journeyscope.events.workspace import Workspace

    ws = Workspace.open(path, read_only=read_only)
    try:
        yield ws
    finally:
        ws.close()


def check_output(path: Path, force: bool) -> None:
    """Refuse to overwrite a file the user already has, unless they said ``--force``."""
    if path.exists() and not force:
        from journeyscope.errors import InputError, Location

        raise InputError(
            f"{path} already exists",
            f"{path} đã tồn tại",
            location=Location(file=str(path)),
            hint_en="choose another name or pass --force to overwrite",
            hint_vi="chọn tên khác hoặc thêm --force để ghi đè",
            code="file_exists",
        )


def wrote(path: Path | str) -> None:
    """Say on stderr that a file was written (stdout stays for data)."""
    from journeyscope.i18n import t

    err.print(t("wrote", lang(), path=path), markup=False)


def exported(rows: int, output: Path, as_json: bool) -> None:
    """The one answer of every export command: rows written and where."""
    if as_json:
        emit_json({"rows": rows, "file": str(output)})
    else:
        from journeyscope.i18n import t

        out.print(t("exported", lang(), n=rows, path=output), markup=False)


workspace = _workspace  # the public name; ``_workspace`` stays for existing importers
