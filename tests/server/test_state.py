"""The per-workspace gate: readers and a writer that stores batch after batch share it."""

from __future__ import annotations

import threading
import time

from journeyscope.server.state import Gate, ServerState


def test_a_reader_gets_in_between_the_batches_of_a_busy_writer() -> None:
    """The collection loader takes the gate for one batch after another under sustained
    load; a report (a reader) must get in between two batches, not wait for the load to
    end. The writer below stops only when the reader got in, or after 10 s."""
    gate = Gate()
    reader_in = threading.Event()
    batches = 0

    def loader() -> None:
        nonlocal batches
        deadline = time.monotonic() + 10
        while not reader_in.is_set() and time.monotonic() < deadline:
            with gate.writing():
                batches += 1
                time.sleep(0.005)

    writer = threading.Thread(target=loader)
    writer.start()
    while batches < 3:  # the writer is looping
        time.sleep(0.001)
    with gate.reading():
        reader_in.set()
        during = writer.is_alive()
    writer.join()
    assert during, "the reader got in only after the writer stopped"


def test_a_waiting_writer_goes_before_readers_that_come_later() -> None:
    gate = Gate()
    order: list[str] = []
    first_reader_in = threading.Event()
    release = threading.Event()

    def reader(name: str, hold: bool) -> None:
        with gate.reading():
            order.append(name)
            if hold:
                first_reader_in.set()
                release.wait(5)

    def writer() -> None:
        with gate.writing():
            order.append("writer")

    first = threading.Thread(target=reader, args=("reader-1", True))
    first.start()
    first_reader_in.wait(5)
    waiting_writer = threading.Thread(target=writer)
    waiting_writer.start()
    while gate._waiting_writers == 0:
        time.sleep(0.001)
    later = threading.Thread(target=reader, args=("reader-2", False))
    later.start()
    time.sleep(0.05)
    release.set()
    for thread in (first, waiting_writer, later):
        thread.join(5)
    assert order == ["reader-1", "writer", "reader-2"]


def _eight_requests(state: ServerState, seen: tuple[str, str, bytes], good: bool) -> list[int]:
    """Eight requests with one key at the same moment; the checks that ran (each 50 ms)."""
    checks: list[int] = []
    start = threading.Barrier(8)
    answers: list[bool] = []

    def check() -> bool:
        checks.append(1)
        time.sleep(0.05)
        return good

    def request() -> None:
        start.wait()
        answers.append(state.checked(seen, check))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [good] * 8
    return checks


def test_a_key_is_checked_once_for_requests_that_arrive_together() -> None:
    state = ServerState(workspaces={})
    assert len(_eight_requests(state, ("ws", "key", b"digest"), good=True)) == 1
    assert state.checked(("ws", "key", b"digest"), lambda: False)  # remembered as good


def test_a_wrong_secret_is_checked_once_and_remembered() -> None:
    """Key ids are public (they sit in a site's JavaScript): requests with a wrong secret,
    together or one after another, cost one slow check."""
    state = ServerState(workspaces={})
    assert len(_eight_requests(state, ("ws", "key", b"bad"), good=False)) == 1
    assert not state.checked(("ws", "key", b"bad"), lambda: True)  # remembered as failed
