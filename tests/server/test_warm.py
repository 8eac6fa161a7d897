"""The server scans the events ahead of the reports: at start, and after the loader stores
events in a workspace whose kept events reports used (server/warm.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from journeyscope.analytics import kept_events
from journeyscope.server.app import Limits, create_app
from tests.server.conftest import Shop, bearer
from tests.server.test_collect import basic, message

API = "/api/v1/workspaces/shop"


def _until(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the server did not scan ahead in time"
        time.sleep(0.05)


def _store() -> kept_events.Kept[object]:
    store = kept_events.kept()
    assert store is not None
    return store


def test_the_events_are_read_at_start_and_again_after_collected_events(
    fresh_shop: Shop,
) -> None:
    app = create_app(
        {"shop": fresh_shop.root, "other": fresh_shop.other}, limits=Limits(0, 0), warm_every=0
    )
    with TestClient(app) as client:
        _until(lambda: _store().scans >= 2)  # both workspaces, without a request
        read = bearer(fresh_shop.keys["read"])
        before = client.get(f"{API}/stages", headers=read).json()
        assert _store().scans == 2 and _store().hits >= 1  # the report took the kept rows
        sent = client.post(
            "/v1/track", json=message("warm-1"), headers=basic(fresh_shop.keys["write"])
        )
        assert sent.status_code == 200
        _until(lambda: _store().scans >= 3)  # stored, stitched, scanned again: no request
        hits = _store().hits
        after = client.get(f"{API}/stages", headers=read).json()
        assert _store().scans == 3 and _store().hits == hits + 1
        assert after["events"] == before["events"] + 1  # the new event is counted
    assert kept_events.kept() is None  # a stopped server lets the events go


def test_a_workspace_no_report_read_is_not_scanned_again(fresh_shop: Shop) -> None:
    app = create_app({"shop": fresh_shop.root}, limits=Limits(0, 0), warm_every=0)
    with TestClient(app) as client:
        _until(lambda: _store().scans >= 1)
        sent = client.post(
            "/v1/track", json=message("warm-2"), headers=basic(fresh_shop.keys["write"])
        )
        assert sent.status_code == 200
        time.sleep(1.5)  # the loader stores and stitches within a second
        assert _store().scans == 1


def test_no_memory_for_events_means_no_scan_ahead(fresh_shop: Shop) -> None:
    app = create_app({"shop": fresh_shop.root}, limits=Limits(0, 0), scan_memory=0)
    with TestClient(app) as client:
        assert kept_events.kept() is None
        assert (
            client.get(f"{API}/stages", headers=bearer(fresh_shop.keys["read"])).status_code == 200
        )


def test_the_kernels_load_after_the_scans_ahead(fresh_shop: Shop) -> None:
    """The compiled kernels load once every workspace is scanned, not beside the scans:
    the first dashboard waits for a scan, which then has the cores to itself."""
    from journeyscope.server.state import ServerState
    from journeyscope.server.warm import Warmer

    kept_events.keep(64)
    order: list[str] = []
    try:
        state = ServerState({"shop": fresh_shop.root, "other": fresh_shop.other})
        warmer = Warmer(state)
        warmer.start(then=lambda: order.append(f"kernels after {_store().scans} scans"))
        _until(lambda: bool(order))
        warmer.close()
    finally:
        kept_events.keep(0)
    assert order == ["kernels after 2 scans"]
