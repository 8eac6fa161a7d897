"""Long work as jobs: uploads imported as ``ingest`` does, identity resolved as
``identity resolve`` does, polled to the end; reports wait (not fail) while a job holds the
workspace; a job is invisible from another workspace; bad uploads leave nothing behind."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from journeyscope.server.jobs import JobRegistry
from tests.conftest import Result
from tests.server.conftest import Shop, bearer

API = "/api/v1/workspaces/shop"

NEW_EVENTS = [
    {"user_id": "u7", "event": "page_view", "ts": "2024-03-04T10:00:00Z", "channel": "ads"},
    {"user_id": "u7", "event": "purchase", "ts": "2024-03-04T11:00:00Z", "revenue": 80},
    {"user_id": "u8", "event": "page_view", "ts": "not a time", "channel": "web"},
]


def poll(client: TestClient, url: str, key: str, timeout: float = 60.0) -> dict[str, Any]:
    """The job's status once it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(url, headers=bearer(key))
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if body["status"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def events_file(folder: Path, name: str = "new.jsonl") -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(e) for e in NEW_EVENTS) + "\n", "utf-8")
    return path


def uploads_left(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".upload-")]


def test_an_upload_is_imported_as_ingest_does(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    source = events_file(tmp_path)
    twin = Path(shutil.copytree(fresh_shop.root, tmp_path / "twin"))
    admin = fresh_shop.keys["admin"]
    with source.open("rb") as fh:
        started = fresh_client.post(
            f"{API}/imports", files={"file": ("new.jsonl", fh)}, headers=bearer(admin)
        )
    assert started.status_code == 202, started.text
    # a report asked while the import runs waits for it rather than failing
    during = fresh_client.get(f"{API}/stats", headers=bearer(fresh_shop.keys["read"]))
    assert during.status_code == 200, during.text
    body = started.json()
    assert body["status_url"] == f"{API}/jobs/{body['job']}"
    assert started.headers["Location"] == body["status_url"]
    status = poll(fresh_client, body["status_url"], admin)
    assert status["status"] == "done", status
    assert status["kind"] == "ingest" and status["progress"]["fraction"] == 1.0
    printed = cli("ingest", source, "-w", twin, "--json")
    assert printed.code == 1  # one row quarantined
    expected = printed.json()
    result = status["result"]
    # the same counts, file names as the client sent them, the quarantine inside the workspace
    for entry in expected["files"]:
        entry["file"] = Path(entry["file"]).name
        entry["quarantine"] = "quarantine/" + Path(entry["quarantine"]).name
    expected["quarantine"] = "quarantine/" + Path(expected["quarantine"]).name
    assert result["quarantine"].startswith("quarantine/ingest-")
    assert (fresh_shop.root / result["quarantine"]).is_file()
    for side in (result, expected):
        side["quarantine"] = side["quarantine"].split("/")[0]
        for entry in side["files"]:
            entry["quarantine"] = entry["quarantine"].split("/")[0]
    assert result == expected and result["accepted"] == 2 and result["rejected"] == 1
    stats = fresh_client.get(f"{API}/stats", headers=bearer(fresh_shop.keys["read"])).json()
    assert stats["events"] == cli("stats", "-w", twin, "--json").json()["events"]
    assert uploads_left(fresh_shop.root) == []
    listed = fresh_client.get(f"{API}/jobs", headers=bearer(admin)).json()["jobs"]
    assert [j["job"] for j in listed] == [body["job"]]


def test_identity_resolve_job_equals_the_cli(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    twin = Path(shutil.copytree(fresh_shop.root, tmp_path / "twin"))
    admin = fresh_shop.keys["admin"]
    started = fresh_client.post(f"{API}/identity/resolve", headers=bearer(admin))
    assert started.status_code == 202, started.text
    status = poll(fresh_client, started.json()["status_url"], admin)
    assert status["status"] == "done", status
    assert status["result"] == cli("identity", "resolve", "-w", twin, "--json").json()
    assert status["result"]["customers"] > 0
    vi = fresh_client.get(
        started.json()["status_url"], params={"lang": "vi"}, headers=bearer(admin)
    ).json()
    assert vi["progress"]["message"] == "xong" and vi["result"] == status["result"]


def test_a_bad_mapping_is_a_located_400_and_nothing_is_stored(
    fresh_client: TestClient, fresh_shop: Shop, tmp_path: Path
) -> None:
    source = events_file(tmp_path)
    admin = bearer(fresh_shop.keys["admin"])
    before = fresh_client.get(f"{API}/stats", headers=admin).json()["events"]
    mapping = "source: shop\ncolumns:\n  nosuch_field: a\n"
    with source.open("rb") as fh:
        answer = fresh_client.post(
            f"{API}/imports",
            files={"file": ("new.jsonl", fh)},
            data={"mapping": mapping},
            headers=admin,
        )
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_mapping"
    assert error["location"]["file"] == "mapping.yaml" and error["location"]["line"] == 3
    assert str(fresh_shop.root) not in answer.text  # no server path
    assert fresh_client.get(f"{API}/stats", headers=admin).json()["events"] == before
    assert uploads_left(fresh_shop.root) == []
    unknown = fresh_client.post(f"{API}/imports", files={"file": ("x.doc", b"junk")}, headers=admin)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unsupported_format"
    assert unknown.json()["error"]["location"]["file"] == "x.doc"
    empty = fresh_client.post(f"{API}/imports", files={"encoding": (None, "utf-8")}, headers=admin)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "missing_option"
    not_a_form = fresh_client.post(f"{API}/imports", data={"encoding": "utf-8"}, headers=admin)
    assert not_a_form.status_code == 400
    assert not_a_form.json()["error"]["code"] == "invalid_body"


def test_an_upload_over_the_limit_is_a_413(
    fresh_client: TestClient, fresh_shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYSCOPE_MAX_UPLOAD", "1000")
    admin = bearer(fresh_shop.keys["admin"])
    big = b'{"user_id": "u1", "event": "x", "ts": "2024-03-01T00:00:00Z"}\n' * 100
    answer = fresh_client.post(f"{API}/imports", files={"file": ("big.jsonl", big)}, headers=admin)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        boundary = b"--b\r\n"
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="b.jsonl"\r\n\r\n'
        for _ in range(10):
            yield big
        yield b"\r\n--b--\r\n"

    streamed = fresh_client.post(
        f"{API}/imports",
        content=chunks(),
        headers={**admin, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413
    assert uploads_left(fresh_shop.root) == []


def test_a_failing_job_reports_the_error_and_stores_nothing(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    admin = fresh_shop.keys["admin"]
    before = fresh_client.get(f"{API}/stats", headers=bearer(admin)).json()["events"]
    started = fresh_client.post(
        f"{API}/imports",
        files={"file": ("broken.parquet", b"this is not parquet at all")},
        headers=bearer(admin),
    )
    assert started.status_code == 202
    status = poll(fresh_client, started.json()["status_url"], admin)
    assert status["status"] == "failed"
    assert set(status["error"]) == {"code", "message", "hint", "location", "docs"}
    assert str(fresh_shop.root) not in json.dumps(status)
    assert fresh_client.get(f"{API}/stats", headers=bearer(admin)).json()["events"] == before
    assert uploads_left(fresh_shop.root) == []


def held_workspace(client: TestClient) -> tuple[JobRegistry, threading.Event, threading.Event]:
    """A job that holds workspace ``shop`` (gate and database) until released."""
    app: Any = client.app
    jobs = getattr(app.state, "jobs", None) or JobRegistry(app.state.journeyscope)
    app.state.jobs = jobs
    holding, release = threading.Event(), threading.Event()

    def work(ws: Any, report: Callable[[float, str, str], None]) -> dict[str, int]:
        report(0.5, "half way", "nửa chừng")
        holding.set()
        release.wait(30)
        return {"events": int(ws.scalar("SELECT count(*) FROM events"))}

    jobs.submit("shop", "test", work)
    assert holding.wait(30)
    return jobs, holding, release


def test_reports_wait_for_a_running_job_and_polling_does_not(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    read, admin = fresh_shop.keys["read"], fresh_shop.keys["admin"]
    jobs, _, release = held_workspace(fresh_client)
    job = jobs.jobs("shop")[-1]
    answers: list[Any] = []
    waiting = threading.Thread(
        target=lambda: answers.append(fresh_client.get(f"{API}/stats", headers=bearer(read)))
    )
    waiting.start()
    started = time.monotonic()
    status = fresh_client.get(job.status_url(), headers=bearer(admin))
    assert time.monotonic() - started < 5  # answered while the job holds the workspace
    assert status.status_code == 200
    assert status.json()["status"] == "running"
    assert status.json()["progress"] == {"fraction": 0.5, "message": "half way"}
    assert fresh_client.get(job.status_url(), headers=bearer(read)).status_code == 403
    assert fresh_client.get(job.status_url(), headers=bearer(fresh_shop.revoked)).status_code == 401
    queued = fresh_client.post(f"{API}/identity/resolve", headers=bearer(admin))
    assert queued.status_code == 202  # a second job is accepted at once ...
    assert time.monotonic() - started < 10
    time.sleep(0.3)
    # ... and waits its turn, as the report does
    assert (
        fresh_client.get(queued.json()["status_url"], headers=bearer(admin)).json()["status"]
        == "queued"
    )
    assert not answers
    release.set()
    waiting.join(30)
    assert answers and answers[0].status_code == 200  # ... and then succeeds
    done = poll(fresh_client, job.status_url(), admin)
    assert done["result"] == {"events": answers[0].json()["events"]}
    assert poll(fresh_client, queued.json()["status_url"], admin)["status"] == "done"


def test_a_job_is_invisible_from_another_workspace(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    started = fresh_client.post(f"{API}/identity/resolve", headers=bearer(fresh_shop.keys["admin"]))
    job_id = started.json()["job"]
    poll(fresh_client, started.json()["status_url"], fresh_shop.keys["admin"])
    other_admin = _admin_key(fresh_shop.other)
    hidden = fresh_client.get(
        f"/api/v1/workspaces/other/jobs/{job_id}", headers=bearer(other_admin)
    )
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "unknown_job"
    assert fresh_client.get(
        "/api/v1/workspaces/other/jobs", headers=bearer(other_admin)
    ).json() == {"jobs": []}
    foreign = fresh_client.get(f"{API}/jobs/{job_id}", headers=bearer(other_admin))
    assert foreign.status_code == 401


def _admin_key(root: Path) -> str:
    from tests.server.conftest import add_key

    return add_key(root, "admin")


def test_an_export_job_gives_the_cli_file_until_a_forget(
    fresh_client: TestClient, fresh_shop: Shop, cli: Callable[..., Result], tmp_path: Path
) -> None:
    admin = fresh_shop.keys["admin"]
    started = fresh_client.post(f"{API}/exports", json={"format": "csv"}, headers=bearer(admin))
    assert started.status_code == 202, started.text
    status = poll(fresh_client, started.json()["status_url"], admin)
    assert status["status"] == "done", status
    target = tmp_path / "events.csv"
    printed = cli("events", "export", "-o", target, "-w", fresh_shop.root, "--json").json()
    assert status["result"] == {"rows": printed["rows"], "file": "events.csv"}
    assert printed["rows"] > 0
    got = fresh_client.get(status["download_url"], headers=bearer(admin))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.content == target.read_bytes()
    refused = fresh_client.get(status["download_url"], headers=bearer(fresh_shop.keys["read"]))
    assert refused.status_code == 403
    parquet = fresh_client.post(f"{API}/exports", headers=bearer(admin))
    assert poll(fresh_client, parquet.json()["status_url"], admin)["result"]["file"] == (
        "events.parquet"
    )
    forgot = fresh_client.post(
        f"{API}/forget", json={"identifier": "user_id:u2"}, headers=bearer(admin)
    )
    assert forgot.status_code == 200
    gone = fresh_client.get(status["download_url"], headers=bearer(admin))
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "no_download"
    assert not [p for p in fresh_shop.root.iterdir() if p.name.startswith(".export-")]


def test_sessions_while_a_job_holds_the_workspace(
    fresh_client: TestClient, fresh_shop: Shop
) -> None:
    """A web admin polls a running job (checked in the session rows read when the job took
    the workspace); a session that had ended before, or a viewer's, gets nothing — even if
    it was used while live (no cache of sessions seen outlives their sign-out)."""
    from journeyscope.events.users import add_user
    from journeyscope.events.workspace import Workspace

    password = "một-mật-khẩu-dài"
    with Workspace.open(fresh_shop.root) as ws:
        add_user(ws, "boss@shop.vn", "admin", password)
        add_user(ws, "seen@shop.vn", "viewer", password)

    def signed_in(email: str) -> tuple[str, str]:
        fresh_client.cookies.clear()  # a browser's own: signing in ends the cookie it sends
        answer = fresh_client.post(f"{API}/session", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return answer.cookies["journeyscope_session"], answer.json()["csrf"]

    gone, gone_csrf = signed_in("boss@shop.vn")
    fresh_client.cookies.set("journeyscope_session", gone)
    assert fresh_client.get(f"{API}/jobs").status_code == 200  # used while live ...
    ended = fresh_client.delete("/api/v1/session", headers={"X-CSRF-Token": gone_csrf})
    assert ended.status_code == 200  # ... then signed out
    boss, _ = signed_in("boss@shop.vn")
    viewer, _ = signed_in("seen@shop.vn")
    jobs, _, release = held_workspace(fresh_client)
    try:
        job = jobs.jobs("shop")[-1]
        for cookie, status in ((boss, 200), (gone, 401), (viewer, 403)):
            fresh_client.cookies.clear()
            fresh_client.cookies.set("journeyscope_session", cookie)
            started = time.monotonic()
            answer = fresh_client.get(job.status_url())
            assert time.monotonic() - started < 5  # answered while the job holds it
            assert answer.status_code == status, (status, answer.text)
    finally:
        release.set()
        fresh_client.cookies.clear()
    assert poll(fresh_client, job.status_url(), fresh_shop.keys["admin"])["status"] == "done"
