"""Bodies parsed in worker processes (``collect/parsing.py``) give the records the server's
own parse gives; anything but a clean body comes back for the server to parse; a worker
that dies or hangs costs only a fallback, and another starts."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
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
    monkeypatch.setattr(log, "MAX_RECORD", 4096)  # a legal batch's rows stay under 1 MB
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
            # bodies asked for while the worker starts are the server's to parse
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
    monkeypatch.setattr(parsing.sys, "executable", parsing.sys.executable + "-missing")

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
