"""`journeyscope demo`: a Vietnamese omnichannel retailer's data, imported, stitched, drawn.

The demo pulls in every capability (data generator, DuckDB, the reports, the renderers), so
all of it is imported inside the command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeyscope.cli.console import emit_json, err, lang, out
from journeyscope.cli.options import JsonOpt, WorkspaceOpt

if TYPE_CHECKING:
    from journeyscope.events.workspace import Workspace

# what `render.outputs.RENDERERS` knows; kept here so `--help` needs no renderer import
# (tests/test_cli_startup.py checks that the two agree)
MAP_FORMATS = ("html", "mmd", "pdf", "png", "svg", "xlsx")


def demo(
    workspace_dir: WorkspaceOpt = None,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="DIR", help="Folder for the report and maps."),
    ] = Path("demo-output"),
    customers: Annotated[
        int, typer.Option(metavar="N", help="People to simulate (about 8 events each).")
    ] = 3000,
    seed: Annotated[int, typer.Option(metavar="N", help="Same seed, same data.")] = 7,
    formats: Annotated[
        str,
        typer.Option(
            "--formats",
            metavar="LIST",
            help="Map formats, comma-separated: " + ",".join(MAP_FORMATS),
        ),
    ] = "svg,html,pdf,png,xlsx",
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Then serve the workspace (REST API, collection) until Ctrl+C; not with --json.",
        ),
    ] = True,
    port: Annotated[
        int,
        typer.Option(
            "--port", metavar="PORT", help="Port to serve on (the next free one if taken)."
        ),
    ] = 8000,
    as_json: JsonOpt = False,
) -> None:
    """Generate a Vietnamese omnichannel retailer's data, import it, stitch it, draw the maps."""
    from journeyscope.demo.run import run_demo
    from journeyscope.events.workspace import ENV_WORKSPACE
    from journeyscope.i18n import t
    from journeyscope.render.outputs import output_format

    wanted = [f.strip().lstrip(".") for f in formats.split(",") if f.strip()]
    for fmt in wanted:
        output_format(Path(f"x.{fmt}"))
    root = workspace_dir or Path(os.environ.get(ENV_WORKSPACE) or output / "workspace")
    result = run_demo(
        root,
        output,
        customers=customers,
        seed=seed,
        formats=wanted,
        say=None if as_json else (lambda m: err.print(m, markup=False, highlight=False)),
        progress=not as_json,
        lang=lang(),
    )
    if as_json:
        keys = ("workspace", "events", "customers", "identity", "report", "timings")
        emit_json({**{k: result[k] for k in keys}, "maps": len(result["maps"])})
        return
    out.print(
        t(
            "demo_data_done",
            lang(),
            events=result["events"],
            customers=result["customers"],
            ws=result["workspace"],
            report=result["report"],
        )
    )
    if serve:
        serve_demo(Path(result["workspace"]), port)


DEMO_USER = "demo@journeyscope.vn"


def demo_user(ws: Workspace) -> str:
    """The demo's web admin with a fresh random password (the previous run's stops working)."""
    import secrets

    from journeyscope.events.users import add_user, list_users, set_password

    password = secrets.token_urlsafe(9)
    if any(u.email == DEMO_USER for u in list_users(ws)):
        set_password(ws, DEMO_USER, password)
    else:
        add_user(ws, DEMO_USER, "admin", password, name="Demo")
    return password


def serve_demo(root: Path, port: int) -> None:
    """Serve the demo workspace with fresh demo keys (the previous run's are revoked)."""
    from journeyscope.cli.serve import first_free_port, run_server
    from journeyscope.events.keys import create_key, list_keys, revoke_key
    from journeyscope.events.workspace import Workspace
    from journeyscope.i18n import t

    host = "127.0.0.1"
    port = first_free_port(host, port)
    with Workspace.open(root) as ws:
        for old in list_keys(ws):
            if old.active and old.name in {"demo-read", "demo-write"}:
                revoke_key(ws, old.key_id)
        read = create_key(ws, "read", "demo-read")[1]
        write = create_key(ws, "write", "demo-write")[1]
        password = demo_user(ws)
    api = "{url}/api/v1/workspaces/" + root.name
    lines = [
        t("demo_serve_web", lang(), url="{url}", email=DEMO_USER, password=password),
        t("demo_serve_read", lang(), secret=read),
        f'  curl -H "Authorization: Bearer {read}" "{api}/funnel?steps=product_view,purchase"',
        t("demo_serve_write", lang(), secret=write),
        f"  curl -u {write}: -H 'Content-Type: application/json' {{url}}/v1/track "
        """-d '{{"userId":"kh-1","event":"Product Viewed"}}'""",
    ]
    run_server({root.name: root}, host, port, before=lines)
