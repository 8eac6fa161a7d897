"""docs/cli.md is the commands' own help: regenerated here and compared."""

from __future__ import annotations

from pathlib import Path

from journeyscope.cli import build_command
from journeyscope.cli.docgen import help_text, render
from journeyscope.cli.help import walk

DOC = Path(__file__).parent.parent / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    expected = render()
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `python -m journeyscope.cli.docgen` from the repository root"
    )


def test_reference_has_every_command_and_its_options() -> None:
    text = DOC.read_text(encoding="utf-8")
    for path, command in walk(build_command()):
        assert f"## {' '.join(('journeyscope', *path))}\n" in text
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert opt in help_text(path), (path, opt)
