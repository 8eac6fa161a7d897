"""`journeyscope users ...`: the web app's users of a workspace (docs/server.md, "Web users").

A password is read from standard input, never from an argument: arguments end up in shell
history and in every other user's ``ps``. At a terminal it is asked twice without echo;
piped, the first line is the password (``printf '%s\\n' "$PW" | journeyscope users add ...``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from journeyscope.cli.console import emit_json, lang, out, workspace
from journeyscope.cli.options import JsonOpt, WorkspaceOpt
from journeyscope.errors import InputError, Location

users_app = typer.Typer(no_args_is_help=True, help="Web users of the workspace (the web app).")

EmailArg = Annotated[str, typer.Argument(metavar="EMAIL", help="The user's e-mail address.")]


def read_password() -> str:
    """The password: asked twice at a terminal, else the first line of standard input."""
    from journeyscope.i18n import t

    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        import getpass

        first = getpass.getpass(t("password_prompt", lang()))
        if getpass.getpass(t("password_again", lang())) != first:
            raise InputError(
                "the two passwords differ",
                "hai lần nhập mật khẩu không khớp nhau",
                location=Location(field="password"),
                hint_en="run the command again and type the same password twice",
                hint_vi="hãy chạy lại lệnh và gõ cùng một mật khẩu hai lần",
                code="password_mismatch",
            )
        return first
    password = (stdin.readline() if stdin is not None else "").rstrip("\r\n")
    if not password:
        raise InputError(
            "no password on standard input",
            "không có mật khẩu ở đầu vào chuẩn",
            location=Location(field="password"),
            hint_en="run it at a terminal to be asked, or pipe it: "
            "printf '%s\\n' \"$PW\" | journeyscope users ...",
            hint_vi="hãy chạy ở cửa sổ dòng lệnh để được hỏi, hoặc truyền qua ống: "
            "printf '%s\\n' \"$PW\" | journeyscope users ...",
            code="missing_password",
        )
    return password


@users_app.command("add")
def users_add(
    email: EmailArg,
    role: Annotated[
        str,
        typer.Option(
            "--role", metavar="ROLE", help="viewer (reads), editor (also edits), or admin."
        ),
    ],
    workspace_dir: WorkspaceOpt = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="The user's name, as shown.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user; the password is read from standard input (asked twice at a terminal)."""
    from journeyscope.events.users import add_user, check_password, check_role, normalise_email
    from journeyscope.i18n import t

    normalise_email(email)
    check_role(role)
    password = check_password(read_password())
    with workspace(workspace_dir) as ws:
        info = add_user(ws, email, role, password, name)
    if as_json:
        emit_json(info.to_dict())
        return
    out.print(t("user_added", lang(), email=info.email, role=info.role), markup=False)


@users_app.command("list")
def users_list(workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The workspace's users: e-mail, name, role, dates (never the passwords)."""
    from rich.table import Table

    from journeyscope.events.users import list_users
    from journeyscope.i18n import t

    with workspace(workspace_dir, read_only=True) as ws:
        users = [u.to_dict() for u in list_users(ws)]
    if as_json:
        emit_json({"users": users})
        return
    columns = ("email", "name", "role", "created_at", "locked_until")
    table = Table()
    for col in columns:
        table.add_column(t(f"col_user_{col}", lang()))
    for u in users:
        table.add_row(*(str(u[c] or "–") for c in columns))
    out.print(table)


@users_app.command("role")
def users_role(
    email: EmailArg,
    role: Annotated[str, typer.Argument(metavar="ROLE", help="viewer, editor or admin.")],
    workspace_dir: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a user's role; it applies from their next request."""
    from journeyscope.events.users import check_role, set_role
    from journeyscope.i18n import t

    check_role(role)
    with workspace(workspace_dir) as ws:
        info = set_role(ws, email, role)
    if as_json:
        emit_json(info.to_dict())
        return
    out.print(t("user_role_set", lang(), email=info.email, role=info.role), markup=False)


@users_app.command("password")
def users_password(
    email: EmailArg, workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False
) -> None:
    """Set a new password (read from standard input); it ends the user's sessions and
    lifts a lockout."""
    from journeyscope.events.users import check_password, get_user, set_password
    from journeyscope.i18n import t

    with workspace(workspace_dir, read_only=True) as ws:
        address = get_user(ws, email).email  # before asking for a password
    password = check_password(read_password())
    with workspace(workspace_dir) as ws:
        set_password(ws, address, password)
    if as_json:
        emit_json({"email": address, "password_set": True})
        return
    out.print(t("user_password_set", lang(), email=address), markup=False)


@users_app.command("remove")
def users_remove(
    email: EmailArg, workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False
) -> None:
    """Remove a user and end their sessions."""
    from journeyscope.events.users import get_user, remove_user
    from journeyscope.i18n import t

    with workspace(workspace_dir) as ws:
        address = get_user(ws, email).email
        remove_user(ws, address)
    if as_json:
        emit_json({"email": address, "removed": True})
        return
    out.print(t("user_removed", lang(), email=address), markup=False)


@users_app.command("sign-out")
def users_sign_out(
    email: EmailArg, workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False
) -> None:
    """Sign a user out everywhere: every session they have ends at once."""
    from journeyscope.events.users import get_user, sign_out_everywhere
    from journeyscope.i18n import t

    with workspace(workspace_dir) as ws:
        address = get_user(ws, email).email
        ended = sign_out_everywhere(ws, address)
    if as_json:
        emit_json({"email": address, "sessions_ended": ended})
        return
    out.print(t("user_signed_out", lang(), email=address, n=ended), markup=False)
