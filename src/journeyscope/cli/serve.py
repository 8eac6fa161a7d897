"""`journeyscope serve`: the REST API over one or more workspaces (docs/server.md).

FastAPI and uvicorn are imported inside the command, so `journeyscope --help` stays fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from journeyscope.cli.console import err, lang, out

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def served_workspaces(specs: list[str]) -> dict[str, Path]:
    """``DIR`` or ``NAME=DIR`` per ``-w`` → URL name → folder (the folder's name by default)."""
    from journeyscope.errors import InputError, Location
    from journeyscope.events.workspace import resolve_workspace

    named: dict[str, Path] = {}
    for spec in specs or [""]:
        name, sep, folder = spec.partition("=")
        if not sep:
            name, folder = "", spec
        path = resolve_workspace(Path(folder) if folder else None)
        name = name or path.name
        if not _NAME.match(name) or name in named:
            problem_en = "is already used" if name in named else "is not a plain name"
            problem_vi = "đã được dùng" if name in named else "không phải tên đơn giản"
            raise InputError(
                f"workspace name {name!r} {problem_en}",
                f"tên workspace {name!r} {problem_vi}",
                location=Location(field="--workspace"),
                hint_en="name each workspace: -w shop=DIR -w shop2=DIR2 (letters, digits, . _ -)",
                hint_vi="đặt tên cho từng workspace: -w shop=DIR -w shop2=DIR2 (chữ, số, . _ -)",
                code="invalid_name",
            )
        named[name] = path
    return named


def check_address(host: str, port: int) -> None:
    """Fail before serving, with a located bilingual error, if the address cannot be bound
    (uvicorn would log a bare OS error and exit 1)."""
    import socket

    from journeyscope.errors import InputError, Location

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(
            f"cannot listen on {host}:{port}: {reason}",
            f"không lắng nghe được trên {host}:{port}: {reason}",
            location=Location(field="--port"),
            hint_en="choose another --port (or stop what uses this one)",
            hint_vi="hãy chọn --port khác (hoặc dừng chương trình đang dùng cổng này)",
        ) from exc


def first_free_port(host: str, port: int, tries: int = 20) -> int:
    """``port`` when it can be bound, else the next one that can (the demo's choice)."""
    from journeyscope.errors import InputError

    for candidate in range(port, min(port + tries, 65536)):
        try:
            check_address(host, candidate)
            return candidate
        except InputError:
            continue
    check_address(host, port)  # none free: the located error for the asked port
    return port


def serve(
    workspaces: Annotated[
        list[str] | None,
        typer.Option(
            "-w",
            "--workspace",
            metavar="[NAME=]DIR",
            help="A workspace to serve; repeat for several (default: $JOURNEYSCOPE_WORKSPACE).",
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="Port to listen on.")] = 8000,
    collect_rate: Annotated[
        float,
        typer.Option(
            "--collect-rate",
            metavar="N",
            min=0,
            help="Collection requests a second per write key (bursts of 2N; 0: no limit).",
        ),
    ] = 1000.0,
    api_rate: Annotated[
        float,
        typer.Option(
            "--api-rate",
            metavar="N",
            min=0,
            help="API requests a second per read or admin key (bursts of 2N; 0: no limit).",
        ),
    ] = 50.0,
    live_identity: Annotated[
        bool,
        typer.Option(
            "--live-identity/--no-live-identity",
            help="Stitch collected events into customers as they are stored.",
        ),
    ] = True,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="Mark the web app's session cookie Secure even over plain HTTP "
            "(behind an HTTPS proxy).",
        ),
    ] = False,
    scan_memory: Annotated[
        int,
        typer.Option(
            "--scan-memory",
            metavar="MIB",
            min=0,
            help="Memory for events kept between reports, in MiB (each workspace's events "
            "scanned once until its data changes; about 55 MiB a million events; 0: none).",
        ),
    ] = 2048,
    parse_workers: Annotated[
        int | None,
        typer.Option(
            "--parse-workers",
            metavar="N",
            min=0,
            help="Processes that parse collected events beside the server's own (default: "
            "one per core beyond the first, at most 4; 0: the server parses them itself).",
        ),
    ] = None,
) -> None:
    """Serve the REST API and Segment-compatible collection (OpenAPI at /docs) until stopped."""
    named = served_workspaces(workspaces or [])
    check_address(host, port)
    run_server(
        named,
        host,
        port,
        collect_rate=collect_rate,
        api_rate=api_rate,
        live_identity=live_identity,
        secure_cookies=secure_cookies,
        scan_memory=scan_memory,
        parse_workers=parse_workers,
    )


def run_server(
    named: dict[str, Path],
    host: str,
    port: int,
    *,
    collect_rate: float = 1000.0,
    api_rate: float = 50.0,
    live_identity: bool = True,
    secure_cookies: bool = False,
    scan_memory: int = 2048,
    parse_workers: int | None = None,
    before: list[str] | None = None,
) -> None:
    """Serve ``named`` workspaces until SIGINT/SIGTERM; ``before`` lines are printed with
    the URLs (the demo's keys). A stop drains collected events into the stores, exit 0."""
    import logging

    import uvicorn

    from journeyscope.events.workspace import Workspace
    from journeyscope.i18n import t
    from journeyscope.longlived import long_lived_gc, quick_gil_handoff
    from journeyscope.server.app import Limits, create_app

    for path in named.values():
        Workspace.open(path).close()  # upgrade the schema once, before serving read-only
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            # a stop the user asked for is a clean stop: exit 0, not death by the signal
            self._captured_signals.clear()

    config = uvicorn.Config(
        create_app(
            named,
            limits=Limits(collect_rate, api_rate),
            live_identity=live_identity,
            secure_cookies=secure_cookies,
            scan_memory=scan_memory,
            parse_workers=parse_workers,
        ),
        host=host,
        port=port,
        access_log=False,
        log_level="info",
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    for name in named:
        api = f"{url}/api/v1/workspaces/{name}"
        out.print(t("serve_listening", lang(), name=name, url=api), markup=False, soft_wrap=True)
    out.print(t("serve_collect", lang(), url=f"{url}/v1/batch"), markup=False, soft_wrap=True)
    out.print(t("serve_docs", lang(), url=f"{url}/docs"), markup=False, soft_wrap=True)
    out.print(t("serve_web", lang(), url=f"{url}/"), markup=False, soft_wrap=True)
    for line in before or []:
        out.print(line.format(url=url), markup=False, soft_wrap=True)
    out.print(t("serve_stop", lang()), markup=False)
    long_lived_gc()
    quick_gil_handoff()
    Server(config).run()
    err.print(t("serve_stopped", lang()), markup=False)
