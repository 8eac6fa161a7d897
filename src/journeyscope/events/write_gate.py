"""Writers first: a waiting writer (an import) is not starved by a stream of readers (the
server answering report after report), across processes.

DuckDB lets one process write or several read. A reader that opens the file again right
after closing it leaves only a few microseconds free, and a writer retrying every 50–500 ms
would almost never find them. So beside the database there is an *intent* file: a writer
holds an exclusive ``flock`` on it while it waits for the database, and a reader takes
(and at once drops) a shared lock on it before opening the database — readers that come
while a writer waits therefore wait too, the ones already in finish, and the writer gets
in. Where ``flock`` or the file is not available (Windows, a read-only folder) the gate is
skipped and DuckDB's own lock with the retry in :func:`connect` still keeps data safe.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; DuckDB's lock alone
    fcntl = None  # type: ignore[assignment]

_POLL_SECONDS = 0.005


def intent_file(db_file: Path) -> Path:
    return db_file.with_name(f".{db_file.name}.intent")


def _try_lock(fd: int, mode: int, deadline: float) -> bool:
    assert fcntl is not None
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)


@contextmanager
def writers_first(db_file: Path, *, write: bool, deadline: float) -> Iterator[None]:
    """Hold the intent while a writer connects; let a reader pass only when none waits."""
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(intent_file(db_file), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only folder: no gate, DuckDB's lock still holds
        yield
        return
    try:
        if write:
            locked = _try_lock(fd, fcntl.LOCK_EX, deadline)
            try:
                yield  # connect while holding the intent (or, if not got, try anyway)
            finally:
                if locked:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            return
        if _try_lock(fd, fcntl.LOCK_SH, deadline):
            fcntl.flock(fd, fcntl.LOCK_UN)
        yield
    finally:
        os.close(fd)
