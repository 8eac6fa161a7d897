"""Report answers are kept until the data under them changes (server/report_cache.py)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from journeyscope.server.report_cache import ReportCache
from tests.server.conftest import Shop, bearer

API = "/api/v1/workspaces/shop"


def _cache(client: TestClient) -> ReportCache:
    cache: ReportCache = client.app.state.journeyscope.reports  # type: ignore[attr-defined]
    return cache


def _get(client: TestClient, shop: Shop, route: str, **params: Any) -> Any:
    r = client.get(f"{API}/{route}", params=params, headers=bearer(shop.keys["read"]))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_repeated_question_is_answered_from_the_cache(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    cache = _cache(fresh_client)
    first = _get(fresh_client, fresh_shop, "stages", stall="10d")
    again = _get(fresh_client, fresh_shop, "stages", stall="10d")
    assert again == first and (cache.hits, cache.misses) == (1, 1)
    # another question, or the same in the other language: the kept report, translated
    _get(fresh_client, fresh_shop, "stages", stall="20d")
    vi = _get(fresh_client, fresh_shop, "stages", stall="10d", lang="vi")
    assert (cache.hits, cache.misses) == (2, 2)
    assert vi["stages"][0]["customers"] == first["stages"][0]["customers"]


def test_new_data_is_never_answered_from_the_cache(
    fresh_client: TestClient, fresh_shop: Shop, cli: Any
) -> None:
    """A write by another process (a CLI ingest and resolve) changes the workspace's
    files: the next call computes again and counts the new events."""
    before = _get(fresh_client, fresh_shop, "stats")
    src = fresh_shop.root.parent / "more.jsonl"
    rows = [
        {
            "event_id": f"new-{i}",
            "user_id": f"new-{i}",
            "event": "product_view",
            "ts": "2024-03-05T10:00:00Z",
            "channel": "web",
        }
        for i in range(3)
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    assert cli("ingest", src, "-w", fresh_shop.root).code == 0
    assert cli("identity", "resolve", "-w", fresh_shop.root).code == 0
    after = _get(fresh_client, fresh_shop, "stats")
    assert after["events"] == before["events"] + 3
    assert _cache(fresh_client).hits == 0


def test_settings_and_saved_segments_change_the_answer(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    _get(fresh_client, fresh_shop, "stages")
    config = fresh_shop.root / "workspace.yaml"
    config.write_text(config.read_text("utf-8") + "\n", "utf-8")
    _get(fresh_client, fresh_shop, "stages")
    assert (_cache(fresh_client).hits, _cache(fresh_client).misses) == (0, 2)


def test_errors_are_not_kept(fresh_client: TestClient, fresh_shop: Shop) -> None:
    for _ in range(2):
        r = fresh_client.get(
            f"{API}/funnel",
            params={"steps": "product_veiw,purchase"},
            headers=bearer(fresh_shop.keys["read"]),
        )
        assert r.status_code in (400, 404, 422) and "product_view" in r.text
    assert _cache(fresh_client).hits == 0


def test_the_cache_keeps_only_its_size() -> None:
    from pathlib import Path

    cache = ReportCache(size=2)
    calls: list[int] = []

    from journeyscope.events.workspace import Workspace

    class FakeWs:  # only what the key reads: the folder's stamp and the zone
        root = Path()
        stamp = Workspace.stamp

        class config:  # noqa: N801
            timezone = "UTC"

    from journeyscope.app.queries import StagesQuery, StatsQuery

    for q in (StatsQuery(), StagesQuery(), StagesQuery(stall="3d"), StatsQuery()):
        cache.answer(FakeWs(), q, lambda: calls.append(1) or object())  # type: ignore[arg-type,func-returns-value,return-value]
    assert len(calls) == 4  # the first StatsQuery was dropped when the third came
