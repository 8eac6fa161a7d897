"""`journeyscope keys ...`: the API keys of a workspace (docs/server.md).

A key is printed once, when it is made; the workspace keeps only its scrypt hash.
"""

from __future__ import annotations

from typing import Annotated

import typer

from journeyscope.cli.console import emit_json, lang, out, workspace
from journeyscope.cli.options import JsonOpt, WorkspaceOpt

keys_app = typer.Typer(no_args_is_help=True, help="API keys of the server (journeyscope serve).")


@keys_app.command("create")
def keys_create(
    role: Annotated[
        str, typer.Option("--role", metavar="ROLE", help="write (collect), read, or admin.")
    ],
    workspace_dir: WorkspaceOpt = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="A label to recognise the key.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a key; it is shown only now, so store it safely."""
    from journeyscope.events.keys import check_role, create_key
    from journeyscope.i18n import t

    check_role(role)
    with workspace(workspace_dir) as ws:
        info, key = create_key(ws, role, name)
    if as_json:
        emit_json({"key": key, **info.to_dict()})
        return
    out.print(key, markup=False, highlight=False)
    out.print(t("key_created", lang(), id=info.key_id, role=info.role), markup=False)


@keys_app.command("list")
def keys_list(workspace_dir: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The workspace's keys: id, name, role, dates (never the secrets)."""
    from rich.table import Table

    from journeyscope.events.keys import list_keys
    from journeyscope.i18n import t

    with workspace(workspace_dir, read_only=True) as ws:
        keys = [k.to_dict() for k in list_keys(ws)]
    if as_json:
        emit_json({"keys": keys})
        return
    columns = ("id", "name", "role", "created_at", "revoked_at")
    table = Table()
    for col in columns:
        table.add_column(t(f"col_key_{col}", lang()))
    for k in keys:
        table.add_row(*(str(k[c] or "–") for c in columns))
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id (see keys list).")],
    workspace_dir: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key for good: the server refuses it from its next request."""
    from journeyscope.events.keys import revoke_key
    from journeyscope.i18n import t

    with workspace(workspace_dir) as ws:
        info = revoke_key(ws, key_id)
    if as_json:
        emit_json(info.to_dict())
        return
    out.print(t("key_revoked", lang(), id=info.key_id), markup=False)
