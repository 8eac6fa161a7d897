"""The HTTP face: one FastAPI app serving one or more workspaces (docs/server.md).

Routes parse, authorise, call the application layer (or the identity/maps/keys library)
and serialise; no SQL and no analytics live here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from journeyscope.app.operations import keep_scans, load_compiled, warm_compiled
from journeyscope.collect.loader import BUSY, AfterPass
from journeyscope.events.workspace import Workspace
from journeyscope.server import errors, middleware, web
from journeyscope.server.collection import Collection
from journeyscope.server.limits import RateLimiter
from journeyscope.server.metrics import Metrics
from journeyscope.server.routers import (
    collect,
    customers,
    dashboards,
    exports,
    feedback,
    forget,
    health,
    identity,
    identity_write,
    imports,
    jobs,
    keys,
    lookup,
    maps,
    maps_write,
    personas,
    reports,
    segments,
    session,
    users,
)
from journeyscope.server.state import ServerState
from journeyscope.server.warm import Warmer

API_DESCRIPTION = """\
JourneyScope's REST API: every report of the CLI with the same parameters and the same JSON
as `--json`, customer profiles, identity, maps and API keys, per workspace under
`/api/v1/workspaces/{name}`. Authenticate with `Authorization: Bearer KEY`
(`journeyscope keys create -w DIR --role read`). Events arrive by Segment's HTTP Tracking
API (`POST /v1/batch`, ...) with a write key.
"""

log = logging.getLogger("journeyscope.server")


@dataclass(frozen=True)
class Limits:
    """Requests a second per key (0: no limit): collection, and the rest of the API; and
    sign-ins a second per client address."""

    collect_rate: float = 1000.0
    api_rate: float = 50.0
    #: sign-ins a second per workspace and client address (bursts of twice as many): each
    #: is a deliberately slow argon2 check, so guessing and floods are both held back
    signin_rate: float = 2.0


#: events waiting in a workspace's log above which collection counts as busy
#: (``collect.loader.BUSY``): live identity then leaves ``journey_events`` in runs rather
#: than sort it in the pass (the sort holds the loader ~1.4 s at 3 M rows), and sorts it
#: once busy no longer or quiet
BUSY_LAG = BUSY


def stitch_new_events(ws: Workspace, *, busy: bool = False) -> None:
    """Live identity: after the loader stored events, stitch them into customers, exactly
    as `identity resolve` would (an incremental resolve; a full one when it cannot be).
    ``busy``: many events wait, so the journey copy is not sorted in this pass."""
    from journeyscope.identity.incremental import REWRITE_SHARE, resolve_incremental

    done = resolve_incremental(ws, rewrite_share=1.0 if busy else REWRITE_SHARE)
    log.info(
        "live identity: %d events, %d customers touched (%d only grew), %s in %.2f s",
        done.events,
        done.customers_touched,
        done.grown,
        f"full resolve ({done.reason})" if done.full else "incremental",
        done.seconds,
    )


def journeys_in_order(warmer: Warmer) -> AfterPass:
    """When collection goes quiet: the runs live identity appended to ``journey_events``
    sorted into one, so reports read it in order without merging (then, if it was sorted,
    the events scanned ahead again). Report readers wait for it at the gate, as for a pass.
    """
    from journeyscope.identity.incremental import write_journeys_in_order

    def quiet(ws: Workspace) -> None:
        rows = write_journeys_in_order(ws)
        if rows:
            log.info("live identity: journeys sorted into one run while quiet (%d rows)", rows)
            warmer.stored(ws.root)

    return quiet


def _then(after_pass: AfterPass, warmer: Warmer) -> AfterPass:
    """The loader's hook, then the events scanned ahead again."""

    def hook(ws: Workspace) -> None:
        after_pass(ws)
        warmer.stored(ws.root)

    return hook


def create_app(
    workspaces: dict[str, Path],
    *,
    title: str = "JourneyScope",
    limits: Limits | None = None,
    live_identity: bool = True,
    after_pass: AfterPass | None = None,
    secure_cookies: bool = False,
    scan_memory: int = 2048,
    warm_every: float = 30.0,
    parse_workers: int | None = None,
) -> FastAPI:
    """An app serving ``workspaces`` (URL name → folder). Nothing is opened until asked,
    except the collection logs that hold events to replay (at start-up); at shutdown every
    collector drains what it acknowledged into its store. ``parse_workers``: processes
    parsing collected bodies (``collect/parsing.py``; None: one per core beyond the first,
    at most 4; 0: parsed by the server's own process)."""
    from journeyscope import __version__

    limits = limits or Limits()
    state = ServerState(
        dict(workspaces),
        api_limiter=RateLimiter(limits.api_rate),
        signin_limiter=RateLimiter(limits.signin_rate),
    )
    warmer = Warmer(state, every=warm_every)
    quiet: AfterPass | None = None
    if after_pass is None and live_identity:

        def stitch(ws: Workspace) -> None:
            stitch_new_events(ws, busy=collection.waiting(ws.root) > BUSY_LAG)

        after_pass, quiet = stitch, journeys_in_order(warmer)
    # after the loader stored events: live identity, then the events scanned ahead again
    # (without live identity the loader opens nothing after a pass: reports scan then)
    hook = _then(after_pass, warmer) if after_pass is not None else None
    collection = Collection(
        state,
        rate=limits.collect_rate,
        after_pass=hook,
        parse_workers=parse_workers,
        on_quiet=quiet,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        collection.start_pending()
        keep_scans(scan_memory)  # the events scanned once per data change, not per report
        if scan_memory > 0:  # a thread: the first dashboard finds the events read, then
            warmer.start(then=load_compiled)  # the compiled kernels load (the same thread)
        else:
            warm_compiled()  # a thread: the compiled kernels, for every later request
        try:
            yield
        finally:
            warmer.close()
            keep_scans(0)
            collection.close()
            jobs = getattr(app.state, "jobs", None)
            if jobs is not None:  # running jobs finish; export files go
                jobs.shutdown()

    app = FastAPI(title=title, version=__version__, description=API_DESCRIPTION, lifespan=lifespan)
    app.state.journeyscope = state
    # behind an HTTPS proxy the request this process sees is plain HTTP
    app.state.secure_cookies = secure_cookies
    app.state.collection = collection
    app.state.warmer = warmer
    app.state.metrics = Metrics(collection)
    errors.install(app)
    # collection's POSTs skip the routing layers; inside Around (added after: outermost)
    app.add_middleware(collect.FastCollect, collection=collection, routes=collect.router.routes)
    middleware.install(app, app.state.metrics)
    app.include_router(health.router)
    app.include_router(collect.router)
    for router in (
        reports,
        dashboards,
        customers,
        lookup,
        identity,
        identity_write,
        maps,
        maps_write,
        personas,
        segments,
        imports,
        exports,
        feedback,
        jobs,
        forget,
        keys,
        users,
        session,
    ):
        app.include_router(router.router, responses=errors.ERROR_RESPONSES)
    web.install(app)
    return app
