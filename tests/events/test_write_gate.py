"""A waiting writer goes before new readers; a reader never waits past its deadline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from journeyscope.events.write_gate import intent_file, writers_first


def test_a_reader_waits_while_a_writer_holds_the_intent(tmp_path: Path) -> None:
    db = tmp_path / "journeyscope.duckdb"
    held, released = threading.Event(), threading.Event()

    def writer() -> None:
        with writers_first(db, write=True, deadline=time.monotonic() + 5):
            held.set()
            time.sleep(0.3)
            released.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(5)
    with writers_first(db, write=False, deadline=time.monotonic() + 5):
        assert released.is_set()  # it got in only after the writer was done
    thread.join(5)
    assert intent_file(db).exists()


def test_a_reader_past_its_deadline_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "journeyscope.duckdb"
    with writers_first(db, write=True, deadline=time.monotonic() + 5):
        started = time.monotonic()
        with writers_first(db, write=False, deadline=time.monotonic() + 0.1):
            waited = time.monotonic() - started
    assert 0.05 <= waited < 2


def test_no_gate_in_a_folder_that_cannot_hold_one(tmp_path: Path) -> None:
    db = tmp_path / "missing-folder" / "journeyscope.duckdb"
    with writers_first(db, write=True, deadline=time.monotonic() + 1):
        pass  # no error: DuckDB's own lock is still there
