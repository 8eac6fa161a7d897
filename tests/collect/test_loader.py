"""The loader stores logged events through ingest: once, replayable, suppression-aware."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from journeyscope.collect import Collector, CollectorBusy
from journeyscope.collect.loader import OpenWorkspace
from journeyscope.events.workspace import Workspace
from journeyscope.identity.forget import forget


def batch(ids: list[str], **extra: Any) -> bytes:
    messages = [
        {
            "type": "track",
            "messageId": i,
            "anonymousId": f"anon-{i}",
            "event": "Product Viewed",
            "timestamp": "2026-05-01T10:00:00Z",
            **extra,
        }
        for i in ids
    ]
    return json.dumps({"batch": messages}).encode()


def stored(root: Path) -> list[tuple[str, int]]:
    with Workspace.open(root) as ws:
        return [
            (str(i), int(n))
            for i, n in ws.con.execute(
                "SELECT event_id, count(*) FROM events GROUP BY 1 ORDER BY 1"
            ).fetchall()
        ]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    Workspace.init(tmp_path / "ws").close()
    return tmp_path / "ws"


def test_stored_once_across_retries_and_replay(root: Path) -> None:
    collector = Collector(root)
    ids = [f"m{i}" for i in range(20)]
    assert collector.accept("batch", batch(ids), source="segment:web").accepted == 20
    collector.accept("batch", batch(ids[:5]), source="segment:web")  # a client retry
    collector.loader.drain()
    assert stored(root) == [(i, 1) for i in sorted(ids)]
    with Workspace.open(root) as ws:
        assert ws.scalar("SELECT DISTINCT event FROM events") == "product_view"
        assert ws.scalar("SELECT DISTINCT source FROM events") == "segment:web"
    # a crash after the store committed but before the checkpoint moved: replay it all
    collector.log.save_checkpoint(0)
    collector.log.close()
    again = Collector(root)
    assert again.lag == 25
    again.loader.drain()
    assert again.loader.totals.stored == 0 and again.loader.totals.duplicates == 25
    assert stored(root) == [(i, 1) for i in sorted(ids)]
    assert again.lag == 0


def test_forgotten_identifiers_are_dropped_from_collected_events(root: Path) -> None:
    with Workspace.open(root) as ws:
        forget(ws, "email:lan.nguyen@example.vn")
    collector = Collector(root)
    body = {
        "batch": [
            {
                "type": "identify",
                "messageId": "gone",
                "userId": "u1",
                "traits": {"email": "Lan.Nguyen@Example.vn"},  # another spelling: still her
            },
            {
                "type": "identify",
                "messageId": "kept",
                "userId": "u2",
                "traits": {"email": "an@x.vn"},
            },
        ]
    }
    collector.accept("batch", json.dumps(body).encode(), source="segment:app")
    collector.loader.drain()
    assert collector.loader.totals.suppressed == 1
    assert stored(root) == [("kept", 1)]


def test_back_pressure_refuses_before_logging(root: Path) -> None:
    collector = Collector(root, max_lag=30)
    collector.accept("batch", batch([f"a{i}" for i in range(25)]), source="segment:web")
    with pytest.raises(CollectorBusy) as caught:
        collector.accept("batch", batch([f"b{i}" for i in range(10)]), source="segment:web")
    assert caught.value.http_status == 429 and caught.value.retry_after >= 1
    assert collector.log.durable_seq == 25  # nothing of the refused request was kept
    collector.loader.drain()
    collector.accept("batch", batch([f"b{i}" for i in range(10)]), source="segment:web")
    assert collector.lag == 10


def test_refused_events_go_to_quarantine_and_the_rest_are_stored(root: Path) -> None:
    collector = Collector(root)
    body = {"batch": [{"type": "track", "userId": "u", "messageId": "no-name"}]}
    body["batch"].append({"type": "track", "userId": "u", "event": "ok", "messageId": "ok"})
    result = collector.accept("batch", json.dumps(body).encode(), source="segment:web")
    assert result.accepted == 1 and [p.message_id for p in result.problems] == ["no-name"]
    with pytest.raises(Exception, match="1 event"):
        result.raise_for_problems()
    (quarantine,) = (root / "quarantine").glob("collect-*.csv")
    text = quarantine.read_text(encoding="utf-8")
    assert "no-name" in text and "needs an event name" in text
    collector.loader.drain()
    assert stored(root) == [("ok", 1)]
    metrics = collector.metrics()
    assert (metrics["events_received"], metrics["events_refused"]) == (2, 1)
    assert (metrics["events_acknowledged"], metrics["events_loaded"]) == (1, 1)
    assert metrics["loader_lag_events"] == 0


def test_background_loader_and_clean_close(root: Path) -> None:
    collector = Collector(root, interval=0.05)
    collector.start()
    ids = [f"bg{i}" for i in range(50)]
    for start in range(0, 50, 10):
        collector.accept("batch", batch(ids[start : start + 10]), source="segment:web")
    deadline = time.monotonic() + 20
    while collector.lag and time.monotonic() < deadline:
        time.sleep(0.05)
    collector.accept("batch", batch(["last"]), source="segment:web")
    collector.close()  # drains what was acknowledged
    assert stored(root) == [(i, 1) for i in sorted([*ids, "last"])]


def _counting_opener(root: Path, opened: list[float]) -> OpenWorkspace:
    """A loader's ``open_workspace`` that notes when each opening began."""

    @contextmanager
    def counted() -> Iterator[Workspace]:
        opened.append(time.monotonic())
        with Workspace.open(root) as ws:
            yield ws

    return counted


def test_a_paced_loader_stores_in_fewer_passes_and_the_hook_shares_their_opening(
    root: Path,
) -> None:
    """Under a steady trickle a paced loader passes about once per ``pace`` (each pass
    costs the same whatever its size), and live identity runs in the pass's own opening
    of the workspace."""
    opened: list[float] = []
    hooked: list[int] = []

    counted = _counting_opener(root, opened)

    def hook(ws: Workspace) -> None:
        hooked.append(len(opened))  # the opening it ran in
        ws.scalar("SELECT count(*) FROM events")

    collector = Collector(
        root, open_workspace=counted, interval=0.01, pace=0.6, batch=1000, after_pass=hook
    )
    collector.start()
    began = time.monotonic()
    sent = 0
    while time.monotonic() - began < 2.5:  # an event every 20 ms: each one wakes the loader
        collector.accept("batch", batch([f"t{sent}"]), source="segment:web")
        sent += 1
        time.sleep(0.02)
    passes = len(opened)
    assert 2 <= passes <= 2.5 / 0.6 + 2, f"{passes} passes in 2.5 s at a pace of 0.6 s"
    assert hooked and len(set(hooked)) == len(hooked)  # never a second opening for the hook
    assert all(number in range(1, len(opened) + 1) for number in hooked)
    collector.close()
    assert len(stored(root)) == sent


def _until(done: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_the_quiet_step_runs_once_each_time_events_stop(root: Path) -> None:
    """Live identity writes its journeys whole once collection goes quiet: the step runs
    after events stop coming, once, and again only after more came and stopped."""
    quiet: list[int] = []
    collector = Collector(
        root,
        interval=0.01,
        on_quiet=lambda ws: quiet.append(ws.scalar("SELECT count(*) FROM events")),
    )
    collector.loader.quiet = 0.3
    collector.start()
    collector.accept("batch", batch(["q1", "q2"]), source="segment:web")
    _until(lambda: quiet)
    assert quiet == [2]  # after the pass that stored them
    time.sleep(0.8)
    assert quiet == [2]  # not again while nothing comes
    collector.accept("batch", batch(["q3"]), source="segment:web")
    _until(lambda: len(quiet) > 1)
    collector.close()
    assert quiet == [2, 3]


def test_after_a_busy_pass_the_next_waits_the_busy_pace(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass of ``BUSY`` events or more (collection is busy) makes the next one wait
    ``busy_pace`` rather than ``pace``, so busy passes are fewer and larger; a small pass
    keeps the short pace."""
    from journeyscope.collect import loader

    monkeypatch.setattr(loader, "BUSY", 3)
    opened: list[float] = []

    counted = _counting_opener(root, opened)

    collector = Collector(
        root, open_workspace=counted, interval=0.01, pace=0.05, busy_pace=3.0, batch=1000
    )

    def send_and_wait(ids: list[str]) -> None:
        collector.accept("batch", batch(ids), source="segment:web")
        _until(lambda: collector.lag == 0)
        assert collector.lag == 0

    # logged before the loader starts, so its first opening is the busy pass
    collector.accept("batch", batch(["p1", "p2", "p3", "p4"]), source="segment:web")
    collector.start()
    _until(lambda: collector.lag == 0)
    send_and_wait(["p5"])  # waits the busy pace
    send_and_wait(["p6"])  # after a small pass: the short pace
    collector.close()
    assert len(opened) >= 3, opened  # and the stop's look for more
    # (the pace counts from just before the first opening: a few ms of slack)
    assert opened[1] - opened[0] >= 2.9, "the pass after a busy one did not wait"
    assert opened[2] - opened[1] < 2.5, "the pass after a small one waited the busy pace"
    assert len(stored(root)) == 6


def test_a_backlog_is_not_paced_and_a_stop_does_not_wait_for_the_pace(root: Path) -> None:
    collector = Collector(root, interval=0.01, pace=30, batch=1000)
    for start in range(0, 5000, 1000):  # five batches wait: passes follow each other
        ids = [f"b{i}" for i in range(start, start + 1000)]
        collector.accept("batch", batch(ids), source="segment:web")
    collector.start()
    deadline = time.monotonic() + 20  # paced, five passes would take two minutes
    while collector.lag and time.monotonic() < deadline:
        time.sleep(0.05)
    assert collector.lag == 0, "a backlog waited for the pace"
    collector.accept("batch", batch(["late"]), source="segment:web")
    stopping = time.monotonic()
    collector.close()  # asked during the pace's wait: stores the last event at once
    assert time.monotonic() - stopping < 10
    assert len(stored(root)) == 5001


def test_close_stores_an_event_acknowledged_while_the_loader_found_nothing(root: Path) -> None:
    """The race CI once hit: the loader's pass read an empty log, then an event was
    acknowledged and the stop asked before the pass ended. The stop must still store it."""
    collector: Collector
    raced = threading.Event()

    @contextmanager
    def open_then_race() -> Iterator[Workspace]:
        with Workspace.open(root) as ws:
            yield ws
        if collector.lag == 0 and not raced.is_set():  # this pass found nothing new
            raced.set()
            collector.accept("batch", batch(["late"]), source="segment:web")
            collector.loader._stop.set()  # what close() does first, at the worst moment

    collector = Collector(root, open_workspace=open_then_race, interval=0.05)
    collector.start()
    assert raced.wait(10)
    collector.close()
    assert stored(root) == [("late", 1)]


def test_a_log_record_is_the_source_and_the_row_line() -> None:
    from journeyscope.collect.loader import encode_record

    record = encode_record("segment:web", {"event_id": "a", "event": "x\x1fy"})
    name, line = record.split(b"\x1f", 1)
    assert (name, json.loads(line)["event"]) == (b"segment:web", "x\x1fy")
    with pytest.raises(ValueError, match="control"):
        encode_record("bad\x1fname", {})


def test_a_request_is_one_record_of_its_rows_cut_at_the_record_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from journeyscope.collect import loader

    rows = [{"event_id": f"m{i}", "event": "line\nbreak\x1f"} for i in range(5)]
    payloads, entries = loader.encode_records("segment:web", rows)
    assert entries == [5] and len(payloads) == 1
    name, lines = payloads[0].split(b"\x1f", 1)
    assert name == b"segment:web"
    assert [json.loads(line) for line in lines.split(b"\n")] == rows
    # rows never share a record past the log's record size: here, two rows a record
    size = len(loader.encode_record("segment:web", rows[0]))
    monkeypatch.setattr(loader, "MAX_RECORD", 2 * size)
    payloads, entries = loader.encode_records("segment:web", rows)
    assert entries == [2, 2, 1]
    assert [json.loads(x) for p in payloads for x in p.split(b"\x1f", 1)[1].split(b"\n")] == rows


def test_records_of_many_events_and_of_one_event_load_alike(root: Path) -> None:
    """A log written before records held a request's events (one record an event) is
    stored as well as the new records after it, each event once."""
    from journeyscope.collect.loader import encode_record, encode_records
    from journeyscope.collect.log import RecordLog

    rows = [
        {"event_id": f"m{i}", "ts": 1_777_000_000_000 + i, "event": "x", "anonymous_id": "a"}
        for i in range(7)
    ]
    log = RecordLog(root / "collect")
    log.append([encode_record("segment:web", row) for row in rows[:3]])  # the old way
    log.append(*encode_records("segment:web", rows[3:]))
    log.close()
    collector = Collector(root, batch=2)  # batches of about two events: records stay whole
    assert collector.lag == 7
    collector.loader.drain()
    assert stored(root) == [(f"m{i}", 1) for i in range(7)]
    assert collector.lag == 0 and collector.loader.totals.stored == 7


HOLDER = """
import sys, time
from journeyscope.events.workspace import Workspace
with Workspace.open(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_the_loader_waits_out_a_busy_workspace(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holds the workspace (a CLI import): the events wait in the log."""
    import subprocess
    import sys

    from journeyscope.errors import WorkspaceBusy

    monkeypatch.setenv("JOURNEYSCOPE_LOCK_WAIT", "0.2")
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root), "2"], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        collector = Collector(root, interval=0.05)
        collector.start()
        collector.accept("batch", batch(["while-busy"]), source="segment:web")
        deadline = time.monotonic() + 10
        while collector.loader.last_error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert isinstance(collector.loader.last_error, WorkspaceBusy)
        assert collector.lag == 1
    deadline = time.monotonic() + 20
    while collector.lag and time.monotonic() < deadline:
        time.sleep(0.05)
    collector.close()
    assert stored(root) == [("while-busy", 1)]


def test_an_unreadable_checkpoint_replays_and_counts_the_rows_it_read(root: Path) -> None:
    """With its checkpoint unreadable the loader replays the log from its first segment
    (earlier ones were deleted once stored); a batch's seqs still cover exactly its rows."""
    from journeyscope.collect.loader import load_batch

    collector = Collector(root, segment_bytes=300)  # a few requests a segment
    for n in range(6):
        collector.accept("batch", batch([f"a{n}-{i}" for i in range(3)]), source="segment:web")
    collector.loader.drain()  # the checkpoint moves; whole segments before it go
    collector.accept("batch", batch(["z1", "z2"]), source="segment:web")
    collector.log.close()
    first_segment = int(min((root / "collect" / "log").glob("*.log")).stem)
    assert first_segment > 1  # the replay below cannot start at seq 1
    (root / "collect" / "checkpoint.json").write_text("not json", encoding="utf-8")
    again = Collector(root, segment_bytes=300)
    with Workspace.open(root) as ws:
        result = load_batch(ws, again.log, limit=1)
    assert result is not None
    read = result.stored + result.duplicates + result.conflicts + result.rejected
    assert result.first_seq == first_segment
    assert result.last_seq - result.first_seq + 1 == read
    again.loader.drain()
    assert len(stored(root)) == 20
    again.log.close()
