"""Bodies parsed in worker processes (``collect/parsing.py``) give the records the server's
own parse gives; anything but a clean body comes back for the server to parse; a worker
that dies or hangs costs only a fallback, and another starts."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvloop
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.collect import parsing
from journeyscope.collect.loader import SEPARATOR, encode_records
from journeyscope.collect.parsing import (
    PREFIX_ROOM,
    Lines,
    ParserPool,
    default_workers,
    parse_lines,
    row_chunks,
)
from journeyscope.collect.segment import parse_body
from tests.collect.test_structs import RECEIVED, batch

T = TypeVar("T")
SOURCE = "segment:web"
_RANDOM_ID = re.compile(rb"collect:[0-9a-f-]{36}")


def run(make: Callable[[], Coroutine[Any, Any, T]], loop: str = "asyncio") -> T:
    """``make()`` on a fresh event loop: asyncio's own, or uvloop (the server's)."""
    if loop == "uvloop":
        return uvloop.run(make())
    return asyncio.run(make())


def clean_body(n: int = 3, **extra: Any) -> bytes:
    messages = [
        {
            "type": "track",
            "messageId": f"m{i}",
            "anonymousId": f"anon-{i}",
            "event": "Product Viewed",
            "properties": {"sku": f"SP{i}", "price": 199000, "currency": "VND", "tên": "Áo"},
            "context": {"page": {"path": f"/p/{i}"}, "campaign": {"source": "zalo"}},
            "timestamp": "2026-04-30T10:00:00Z",
            **extra,
        }
        for i in range(n)
    ]
    return json.dumps({"batch": messages, "sentAt": "2026-04-30T10:00:01Z"}).encode()


def records(lines: Lines) -> list[bytes]:
    """What the collector writes for a worker's lines (``Collector.accept_lines``)."""
    return [SOURCE.encode() + SEPARATOR + chunk for chunk in lines.chunks]


def same_ids(payloads: list[bytes]) -> list[bytes]:
    """Records with the random ids of messages sent without a messageId made equal."""
    return [_RANDOM_ID.sub(b"collect:*", p) for p in payloads]


@given(
    lines=st.lists(st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\n", b"")),
                   max_size=30),
    room=st.integers(1, 120),
)  # fmt: skip
def test_row_chunks_keep_every_line_in_order_within_the_room(lines: list[bytes], room: int) -> None:
    lines = [line or b"x" for line in lines]
    chunks, counts = row_chunks(lines, room)
    assert sum(counts) == len(lines) and len(chunks) == len(counts)
    again = [line for chunk in chunks for line in chunk.split(b"\n")]
    assert again == lines
    for chunk, count in zip(chunks, counts, strict=True):
        assert len(chunk) + 1 <= room or count == 1  # only a lone long line passes the room


@settings(max_examples=80, deadline=None)
@given(body=batch)
def test_a_worker_parse_gives_the_records_the_server_writes(body: dict[str, Any]) -> None:
    """Equal records: generated bodies are small, so no record is cut either way."""
    raw = json.dumps(body).encode()
    parsed = parse_body("batch", raw, received_at=RECEIVED)
    found = parse_lines("batch", raw, None, RECEIVED)
    if parsed.problems:
        assert found is None  # the server parses it again, to say why
        return
    assert found is not None and found.write_key == parsed.write_key
    payloads, entries = encode_records(SOURCE, parsed.rows)
    assert same_ids(records(found)) == same_ids(payloads) and found.counts == entries


def test_rows_past_a_record_are_cut_with_room_for_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from journeyscope.collect import log

    whole = parse_lines("batch", clean_body(40), None, RECEIVED)
    monkeypatch.setattr(log, "MAX_RECORD", 4096)  # a small record: 40 rows need several
    found = parse_lines("batch", clean_body(40), None, RECEIVED)
    assert whole is not None and len(whole.chunks) == 1
    assert found is not None and found.count == 40 and len(found.chunks) > 1
    assert all(len(c) <= 4096 - PREFIX_ROOM for c in found.chunks)
    assert b"\n".join(found.chunks) == whole.chunks[0]  # the same rows, cut


def test_refused_bodies_come_back_for_the_server() -> None:
    assert parse_lines("batch", b"{not json", None, RECEIVED) is None
    assert parse_lines("track", b"[]", None, RECEIVED) is None
    assert parse_lines("batch", b"x", "gzip", RECEIVED) is None  # broken gzip
    half = json.dumps({"batch": [{"type": "track", "userId": "u"}]}).encode()  # no event
    assert parse_lines("batch", half, None, RECEIVED) is None


def test_the_default_is_a_worker_per_core_beyond_the_first() -> None:
    assert [default_workers(n) for n in (1, 2, 3, 4, 8, 64)] == [0, 1, 2, 3, 4, 4]


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_pool_parses_as_the_server_does_on_either_event_loop(loop: str) -> None:
    body = clean_body(5)
    zipped = gzip.compress(clean_body(2, userId="Lan"))

    async def go() -> tuple[list[Lines | None], int]:
        pool = ParserPool(1)
        try:
            # the first body starts the worker (and waits for it); bodies asked for while
            # a start is under way are the server's to parse
            await pool.parse("batch", body, None, RECEIVED)
            found = await asyncio.gather(
                *(pool.parse("batch", body, None, RECEIVED) for _ in range(20)),
                pool.parse("batch", zipped, "gzip", RECEIVED),
                pool.parse("batch", b"{not json", None, RECEIVED),
            )
            return list(found), pool.started
        finally:
            pool.close()

    found, started = run(go, loop)
    assert started == 1
    expected = parse_lines("batch", body, None, RECEIVED)
    assert found[:20] == [expected] * 20
    assert found[20] == parse_lines("batch", zipped, "gzip", RECEIVED)
    assert found[21] is None


def test_a_worker_that_dies_sends_its_bodies_back_and_another_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parsing, "RESTART_EVERY", 0.0)

    async def go() -> tuple[Lines | None, Lines | None, Lines | None, int]:
        pool = ParserPool(1)
        try:
            first = await pool.parse("batch", clean_body(), None, RECEIVED)
            (worker,) = pool._workers
            # stop the worker between reading a body and answering it
            worker.proc.send_signal(signal.SIGSTOP)  # the body waits, unanswered
            waiting = asyncio.ensure_future(pool.parse("batch", clean_body(), None, RECEIVED))
            await asyncio.sleep(0.2)
            worker.proc.kill()
            lost = await waiting
            again = await pool.parse("batch", clean_body(), None, RECEIVED)
            return first, lost, again, pool.started
        finally:
            pool.close()

    first, lost, again, started = run(go)
    assert first is not None and again == first
    assert lost is None  # parsed by the server instead: nothing lost, nothing twice
    assert started == 2


def test_a_worker_slower_than_the_timeout_is_replaced() -> None:
    async def go() -> tuple[Lines | None, bool]:
        pool = ParserPool(1, timeout=0.001)  # less than a worker takes to start
        try:
            found = await pool.parse("batch", clean_body(), None, RECEIVED)
            return found, any(w.alive for w in pool._workers)
        finally:
            pool.close()

    found, alive = run(go)
    assert found is None and not alive


def test_closing_the_pool_ends_its_processes() -> None:
    async def go() -> list[Any]:
        pool = ParserPool(2)
        await asyncio.gather(*(pool.parse("batch", clean_body(), None, RECEIVED) for _ in range(4)))
        procs = [w.proc for w in pool._workers]
        pool.close()
        assert await pool.parse("batch", clean_body(), None, RECEIVED) is None  # closed
        return procs

    procs = run(go)
    assert procs and all(p.poll() is not None for p in procs)


def test_a_pool_of_none_parses_nothing() -> None:
    async def go() -> Lines | None:
        return await ParserPool(0).parse("batch", clean_body(), None, RECEIVED)

    assert run(go) is None


def test_the_worker_reads_its_received_time_to_the_microsecond() -> None:
    at = datetime(2026, 4, 30, 10, 0, 1, 123456, tzinfo=UTC)
    body = json.dumps({"batch": [{"type": "track", "event": "x", "userId": "u"}]}).encode()

    async def go() -> Lines | None:
        pool = ParserPool(1)
        try:
            return await pool.parse("batch", body, None, at)
        finally:
            pool.close()

    found = run(go)
    assert found is not None
    row = json.loads(found.chunks[0])
    assert row["ts"] == int(at.timestamp() * 1000)  # no timestamp sent: received, in ms


def test_workers_that_die_before_answering_are_restarted_ever_more_slowly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broken install (a worker that cannot even start) must not fill the log with a
    restart a second: each worker that died unanswered doubles the wait for the next."""
    monkeypatch.setattr(parsing, "RESTART_EVERY", 0.05)
    monkeypatch.setattr(sys, "executable", sys.executable + "-missing")

    async def go() -> tuple[list[Lines | None], float]:
        pool = ParserPool(1)
        found = []
        try:
            for _ in range(6):
                found.append(await pool.parse("batch", clean_body(), None, RECEIVED))
                await asyncio.sleep(0.06)
            return found, pool._delay
        finally:
            pool.close()

    found, delay = run(go)
    assert found == [None] * 6  # every body parsed by the server instead
    assert delay >= 0.2  # 0.05 doubled at each failed start


HOST = """
import asyncio, json, sys
from datetime import UTC, datetime
from pathlib import Path
from journeyscope.collect.parsing import ParserPool

async def main():
    pool = ParserPool(1)
    body = json.dumps({"batch": [{"type": "track", "event": "x", "userId": "u"}]}).encode()
    assert await pool.parse("batch", body, None, datetime.now(UTC)) is not None
    print(pool._workers[0].proc.pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie: dead, its parent not yet told
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal")
def test_a_stuck_worker_dies_with_its_server() -> None:
    """Stuck (here: stopped) in a parse, a worker never reads its socket again: the kernel
    must end it when the server dies, ``kill -9`` included."""
    with subprocess.Popen([sys.executable, "-c", HOST], stdout=subprocess.PIPE, text=True) as host:
        assert host.stdout is not None
        worker = int(host.stdout.readline())
        os.kill(worker, signal.SIGSTOP)
        host.kill()
        host.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not gone(worker):
        assert time.monotonic() < deadline, "the worker outlived its server"
        time.sleep(0.05)


def test_a_pool_that_cannot_send_answers_parse_it_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """No file descriptor left for a socket pair, or a worker's queue full: never an
    error for the request, only the server's own parse."""

    def no_socket() -> object:
        raise OSError(24, "Too many open files")

    async def go() -> tuple[Lines | None, int]:
        pool = ParserPool(1)
        try:
            monkeypatch.setattr(socket, "socketpair", no_socket)
            return await pool.parse("batch", clean_body(), None, RECEIVED), pool.returned
        finally:
            pool.close()

    assert run(go) == (None, 1)
    monkeypatch.undo()
    monkeypatch.setattr(parsing, "MAX_IN_FLIGHT", 0)

    async def full() -> tuple[Lines | None, int]:
        pool = ParserPool(1)
        try:
            return await pool.parse("batch", clean_body(), None, RECEIVED), pool.started
        finally:
            pool.close()

    assert run(full) == (None, 1)  # started, but takes no more than its queue holds
