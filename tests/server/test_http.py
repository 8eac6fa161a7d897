"""What every answer carries (security headers, a request id), the one error shape for
404/405/422/500 with no traceback, health, readiness and metrics."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.server.app import create_app
from tests.server.conftest import Shop, bearer

API = "/api/v1/workspaces/shop"


def assert_secure(answer: object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Request-ID"]


def test_security_headers_on_every_kind_of_answer(client: TestClient, shop: Shop) -> None:
    for answer in (
        client.get(f"{API}/stats", headers=bearer(shop.keys["read"])),
        client.get(f"{API}/stats"),
        client.get("/nowhere"),
        client.get("/healthz"),
        client.get("/metrics"),
        client.get("/docs"),
    ):
        assert_secure(answer)
    api = client.get(f"{API}/stats", headers=bearer(shop.keys["read"]))
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "script-src" not in api.headers["Content-Security-Policy"]


def test_a_request_id_is_kept_when_plain_and_replaced_when_not(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    bad = client.get("/healthz", headers={"X-Request-ID": "a b\tc<script>"}).headers["X-Request-ID"]
    assert bad != "a b\tc<script>" and bad.isalnum()
    assert (
        client.get("/healthz").headers["X-Request-ID"]
        != client.get("/healthz").headers["X-Request-ID"]
    )


def test_unknown_route_and_method_have_the_error_shape(client: TestClient) -> None:
    missing = client.get("/api/v2/whatever", headers={"Accept-Language": "vi"})
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "no_route" and "không có" in error["message"]
    assert set(error) == {"code", "message", "hint", "location", "docs"}
    wrong = client.post("/healthz")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


def test_validation_errors_are_422_in_the_same_shape(client: TestClient, shop: Shop) -> None:
    answer = client.get(f"{API}/paths", params={"depth": "deep"}, headers=bearer(shop.keys["read"]))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and "depth" in error["location"]["field"]
    assert error["problems"][0]["location"].endswith("depth")
    lang = client.get(f"{API}/stats", params={"lang": "fr"}, headers=bearer(shop.keys["read"]))
    assert lang.status_code == 422


def test_a_bug_is_a_500_without_a_traceback(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app({"shop": shop.root})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/shadow")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.INFO):
        answer = client.get("/boom", headers={"X-Request-ID": "rid-42"})
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert "rid-42" in answer.json()["error"]["hint"]
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
    assert_secure(answer)
    assert "secret internals" in caplog.text  # the operator sees it, in the log


def test_the_log_has_route_templates_never_keys_or_identifiers(
    client: TestClient, shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="journeyscope.server"):
        client.get(
            f"{API}/customers/email:lan@example.com",
            headers={**bearer(shop.keys["read"]), "X-Request-ID": "r1"},
        )
    assert "r1 GET /api/v1/workspaces/{name}/customers/{ref} 200" in caplog.text
    assert "lan@example.com" not in caplog.text
    assert shop.keys["read"] not in caplog.text and "jsk_" not in caplog.text


def ready_after_warming(client: TestClient) -> Any:
    """``/readyz`` once no workspace is still being read after the start."""
    deadline = time.monotonic() + 30
    while True:
        ready = client.get("/readyz")
        if "warming" not in ready.json()["workspaces"].values() or time.monotonic() > deadline:
            return ready
        time.sleep(0.05)


def test_health_readiness_and_metrics(client: TestClient, shop: Shop, tmp_path: object) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = ready_after_warming(client)
    assert ready.status_code == 200 and ready.json()["workspaces"] == {"shop": "ok", "other": "ok"}
    client.get(f"{API}/stats", headers=bearer(shop.keys["read"]))
    client.get(f"{API}/stats")
    text = client.get("/metrics").text
    assert (
        'journeyscope_http_requests_total{method="GET",route="/api/v1/workspaces/{name}/stats",status="200"}'
        in text
    )
    assert 'status="401"' in text
    assert "journeyscope_http_request_duration_seconds_bucket" in text


def test_readiness_fails_for_a_workspace_that_cannot_open(shop: Shop, tmp_path: object) -> None:
    from pathlib import Path

    missing = Path(str(tmp_path)) / "gone"
    with TestClient(create_app({"shop": shop.root, "gone": missing})) as client:
        ready = ready_after_warming(client)
    assert ready.status_code == 503
    assert ready.json()["workspaces"] == {"shop": "ok", "gone": "not_a_workspace"}
    assert str(missing) not in ready.text  # no paths for an unauthenticated caller


_NAMES = [
    "cache-control",
    "x-request-id",
    "content-type",
    "access-control-allow-origin",
    "x-frame-options",
    "content-security-policy",
    "X-Frame-Options",
    "set-cookie",
]


@settings(max_examples=300, deadline=None)
@given(
    raw=st.lists(
        st.tuples(st.sampled_from(_NAMES), st.sampled_from(["a", "b", "private"])), max_size=8
    ),
    path=st.sampled_from(
        [
            "/",
            "/static/app.js",
            "/v1/batch",
            "/beacon/v1/batch",
            "/docs",
            "/api/v1/workspaces/shop/stats",
        ]
    ),
)
def test_security_headers_are_starlettes_mutable_headers_rules(
    raw: list[tuple[str, str]], path: str
) -> None:
    """The raw-pair form gives what ``MutableHeaders`` setdefault/set gave (as a multiset:
    the order of headers carries no meaning)."""
    from collections import Counter

    from starlette.datastructures import MutableHeaders

    from journeyscope.server.middleware import COLLECT_PREFIXES, SECURITY_HEADERS, csp_for, secured

    pairs = [(k.lower().encode(), v.encode()) for k, v in raw]
    headers = MutableHeaders(raw=list(pairs))
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers["Content-Security-Policy"] = csp_for(path)
    if path.startswith("/static/"):
        headers["Cache-Control"] = "no-cache"
    headers["X-Request-ID"] = "rid"
    if path.startswith(COLLECT_PREFIXES):
        headers.setdefault("Access-Control-Allow-Origin", "*")
    assert Counter(secured(list(pairs), path, "rid")) == Counter(headers.raw)


def test_not_ready_while_the_events_are_read_after_the_start(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load balancer sends no dashboard to a server still reading a workspace's events
    (the first report would wait for that scan): 503 ``warming``, then 200."""
    import threading

    from journeyscope.app.operations import warm_events as real
    from journeyscope.server import warm

    release = threading.Event()

    def slow(ws: Any) -> bool:
        release.wait(20)
        return real(ws)

    monkeypatch.setattr(warm, "warm_events", slow)
    with TestClient(create_app({"shop": shop.root})) as client:
        warming = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # alive all the while
        release.set()
        ready = ready_after_warming(client)
    assert warming.status_code == 503 and warming.json()["workspaces"] == {"shop": "warming"}
    assert ready.status_code == 200 and ready.json()["workspaces"] == {"shop": "ok"}
