"""The finishing touches on the command tree, applied once to every command (ours and any
group added later): ``--lang`` accepted after the subcommand, plain help (rich markup would
eat ``[category=bags]``), a metavar that says what to write instead of a Python type name,
and Vietnamese help texts when the chosen language is Vietnamese.

Typer vendors its own click, so commands and parameters are handled by their shape
(``commands``, ``opts``, ``param_type_name``) rather than by click's classes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from journeyscope.cli.help_vi import HELP_VI

LANG_FLAG = "--lang"
HELP_OPTION_VI = "Xem trợ giúp này rồi thoát."
_TYPE_METAVARS = {"path": "FILE", "file": "FILE", "integer": "N", "float": "NUMBER"}


def lang_in_args(args: Sequence[str]) -> str | None:
    """The language named by ``--lang en|vi`` anywhere before ``--``, so that help and the
    first messages already speak it (``map new --lang both`` names no message language)."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == LANG_FLAG and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith(LANG_FLAG + "="):
            value = arg.split("=", 1)[1]
        if value is not None and value.lower() in ("en", "vi"):
            return value.lower()
    return None


def first_command(args: Sequence[str]) -> str | None:
    """The command or group the line names (``map`` in ``--lang vi map render X``)."""
    rest = list(args)
    while rest and rest[0].startswith("-"):
        flag = rest.pop(0)
        if flag == "--help":
            return None  # `journeyscope --help map` shows the whole list
        if flag == LANG_FLAG and rest:
            rest.pop(0)  # its value
    return rest[0] if rest else None


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group under ``command`` with its words (``("map", "render")``)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def finish_command(root: Any, lang: str) -> None:
    """Give every command ``--lang``, plain help, meaningful metavars (and Vietnamese help)."""
    _click_words(lang)
    lang_option = next(p for p in root.params if LANG_FLAG in getattr(p, "opts", ()))
    _without_pydantic(lang_option)
    for path, command in walk(root):
        if hasattr(command, "rich_markup_mode"):
            command.rich_markup_mode = None
        if path and not any(LANG_FLAG in getattr(p, "opts", ()) for p in command.params):
            command.params.append(lang_option)
        help_option = command.get_help_option(command.context_class(command))
        _without_pydantic(help_option)
        if lang == "vi" and help_option is not None:
            help_option.help = HELP_OPTION_VI
        for param in command.params:
            _set_metavar(param)
        if lang == "vi":
            _translate(command)


class _PlainText:
    """Typer's coercion contract for a text option, without pydantic."""

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        return value


def _without_pydantic(param: Any) -> None:
    """Typer >= 0.29 checks every value with a pydantic TypeAdapter built on first use, even
    `--help`'s unset flag of a group; `--lang` and `--help` need no checking, and sparing the
    pydantic import keeps `journeyscope map --help` at ~0.2 s instead of ~0.35 s."""
    if getattr(param, "_runtime_param", False) is None:
        param._runtime_param = _PlainText()


def _no_type(ctx: Any) -> None:
    return None


def _set_metavar(param: Any) -> None:
    """``--chart FILE``, ``--depth N``, ``--steps STEPS``: never ``<path>`` or ``<str>``."""
    if param.param_type_name == "argument":
        param.display_type_rich = _no_type  # its metavar says it; Typer adds `<path>`
    if param.metavar is not None or getattr(param, "is_flag", False):
        return
    name = (param.name or "value").upper()
    if param.param_type_name == "option":
        longest = max(param.opts, key=len).lstrip("-")
        name = _TYPE_METAVARS.get(param.type.name, longest.upper())
    param.metavar = name if param.nargs == 1 else f"{name}..."


#: The words click and Typer write around the help texts (section titles, markers)
CLICK_WORDS_VI = {
    "Usage:": "Cách dùng:",
    "Options": "Tuỳ chọn",
    "Commands": "Lệnh",
    "Arguments": "Đối số",
    "Positional arguments": "Đối số",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tuỳ lúc)",
    "Aborted!": "Đã dừng!",
    "Missing command.": "Thiếu lệnh.",
}


_FRAME = {"lang": "en", "patched": ""}


def _click_words(lang: str) -> None:
    """Click and Typer (which carries its own copy of click) look their own words up
    through ``gettext`` (``_``) at the module level, and Typer's copy writes "Usage: " as
    it is; those look-ups answer in the language of the help being built (the CLI may run
    several times in one process, as the tests do)."""
    import importlib

    _FRAME["lang"] = lang
    if _FRAME["patched"]:
        return
    _FRAME["patched"] = "yes"

    def word(text: str) -> str:
        return CLICK_WORDS_VI.get(text, text) if _FRAME["lang"] == "vi" else text

    names = ("click.core", "click.formatting", "typer.core", "typer._click.core")
    for name in (*names, "typer._click.formatting", "typer._click.decorators"):
        try:
            module = importlib.import_module(name)
        except ImportError:  # a Typer without its own click
            continue
        if hasattr(module, "_"):
            module.__dict__["_"] = word
        formatter = getattr(module, "HelpFormatter", None)
        if formatter is not None and not getattr(formatter, "_journeyscope_frame", False):
            formatter.write_usage = _usage_in_language(formatter.write_usage)
            formatter._journeyscope_frame = True


def _usage_in_language(write_usage: Any) -> Any:
    def write(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None and _FRAME["lang"] == "vi":
            prefix = "Cách dùng: "
        write_usage(self, prog, args, prefix)

    return write


def _translate(command: Any) -> None:
    """Swap English help texts for their Vietnamese ones (kept English where none exists)."""
    if command.help:
        command.help = vietnamese(command.help)
    if command.short_help:
        command.short_help = vietnamese(command.short_help)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = vietnamese(text)


def vietnamese(text: str) -> str:
    """The Vietnamese help for an English one, matched on its words (line breaks aside)."""
    return HELP_VI.get(" ".join(text.split()), text)
