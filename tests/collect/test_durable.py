"""Requests awaiting their records' fsync share one thread and the log's group commit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from journeyscope.collect.durable import GroupWait
from journeyscope.collect.log import RecordLog


def test_many_requests_wait_on_few_fsyncs_and_only_after_theirs(tmp_path: Path) -> None:
    log = RecordLog(tmp_path / "collect")
    group = GroupWait(log.wait, lambda: log.durable_seq)

    async def request(i: int) -> tuple[int, int]:
        seq = log.write([f"event {i}".encode()])
        await group.until(seq)
        return seq, log.durable_seq  # what was on disk when it was answered

    async def all_of_them() -> list[tuple[int, int]]:
        return await asyncio.gather(*(request(i) for i in range(200)))

    try:
        answered = asyncio.run(all_of_them())
    finally:
        group.close()
        log.close()
    assert all(durable >= seq for seq, durable in answered)
    assert sorted(seq for seq, _ in answered) == list(range(1, 201))
    assert log.fsyncs < 200  # group commit: requests share fsyncs


def test_a_failed_sync_is_every_waiters_error() -> None:
    def failing(seq: int) -> int:
        raise OSError(5, "I/O error")

    group = GroupWait(failing, lambda: 0)

    async def two() -> list[BaseException | None]:
        found = await asyncio.gather(group.until(1), group.until(2), return_exceptions=True)
        return list(found)

    try:
        errors = asyncio.run(two())
    finally:
        group.close()
    assert all(isinstance(e, OSError) for e in errors)


def test_a_request_that_went_away_leaves_the_others_answered(tmp_path: Path) -> None:
    log = RecordLog(tmp_path / "collect")
    group = GroupWait(log.wait, lambda: log.durable_seq)

    async def scenario() -> None:
        gone = asyncio.ensure_future(group.until(log.write([b"a"])))
        kept = asyncio.ensure_future(group.until(log.write([b"b"])))
        await asyncio.sleep(0)
        gone.cancel()
        await kept
        with pytest.raises(asyncio.CancelledError):
            await gone
        await group.until(log.write([b"c"]))  # the thread still serves

    try:
        asyncio.run(scenario())
    finally:
        group.close()
        log.close()
    assert log.durable_seq == 3


def test_after_close_a_wait_still_waits_for_the_disk(tmp_path: Path) -> None:
    log = RecordLog(tmp_path / "collect")
    group = GroupWait(log.wait, lambda: log.durable_seq)
    group.close()

    async def late() -> int:
        seq = log.write([b"late"])
        await group.until(seq)
        return seq

    try:
        seq = asyncio.run(late())
    finally:
        log.close()
    assert log.durable_seq >= seq


def test_waiters_already_on_disk_are_answered_though_a_later_sync_fails() -> None:
    """A batch's sync covers seq 5, then fails: the request at seq 3 is on disk (200),
    only the one at seq 8 gets the failure."""
    on_disk = [0]
    counted: list[int] = []

    def wait(seq: int) -> int:
        on_disk[0] = 5
        raise OSError(5, "I/O error")

    group = GroupWait(wait, lambda: on_disk[0])

    async def both() -> list[BaseException | None]:
        found = await asyncio.gather(
            group.until(3, lambda: counted.append(3)),
            group.until(8, lambda: counted.append(8)),
            return_exceptions=True,
        )
        return list(found)

    try:
        first, second = asyncio.run(both())
    finally:
        group.close()
    assert first is None and isinstance(second, OSError)
    assert counted == [3]  # acknowledged: only what is on disk


def test_a_request_gone_before_its_fsync_is_still_counted_once_on_disk(tmp_path: Path) -> None:
    log = RecordLog(tmp_path / "collect")
    group = GroupWait(log.wait, lambda: log.durable_seq)
    counted: list[int] = []

    async def scenario() -> None:
        seq = log.write([b"x"])
        gone = asyncio.ensure_future(group.until(seq, lambda: counted.append(seq)))
        await asyncio.sleep(0)
        gone.cancel()
        await group.until(log.write([b"y"]))  # after it: the first is on disk too

    try:
        asyncio.run(scenario())
    finally:
        group.close()
        log.close()
    assert counted == [1]


def test_a_failing_callback_does_not_leave_requests_waiting(tmp_path: Path) -> None:
    log = RecordLog(tmp_path / "collect")
    group = GroupWait(log.wait, lambda: log.durable_seq)

    def broken() -> None:
        raise RuntimeError("a bug in what runs once on disk")

    async def scenario() -> list[BaseException | None]:
        found = await asyncio.gather(group.until(log.write([b"a"]), broken), return_exceptions=True)
        await group.until(log.write([b"b"]))  # the thread still serves
        return list(found)

    try:
        (error,) = asyncio.run(scenario())
    finally:
        group.close()
        log.close()
    assert isinstance(error, RuntimeError)
