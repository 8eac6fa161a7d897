"""What one server process holds: its workspaces, who may open them, and checked keys.

The server keeps no database open between requests. Each request opens its workspace
read-only for just as long as it needs (DuckDB lets several processes read, or one write),
so a CLI ``ingest`` or ``identity resolve`` gets the write lock between requests. Inside
this process DuckDB refuses a read-write connection while a read-only one is open, so
requests that write (keys) take a per-workspace :class:`Gate` exclusively and readers
share it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from journeyscope.errors import NotFound
from journeyscope.server.limits import RateLimiter
from journeyscope.server.report_cache import ReportCache


class Gate:
    """A readers-writer gate: many readers or one writer, neither starved.

    Writers go first when they wait (a loader's batch is not held up by a stream of
    reports), but when a writer leaves, the readers waiting then go before the next writer:
    a loader storing batch after batch under sustained collection would otherwise take the
    gate back at once, every time, and a report would wait for as long as the load lasts."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0
        self._waiting_readers = 0
        self._readers_turn = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._waiting_readers += 1
            try:
                while self._writing or (self._waiting_writers and not self._readers_turn):
                    self._cond.wait()
            finally:
                self._waiting_readers -= 1
                if not self._waiting_readers and self._readers_turn:
                    self._readers_turn = False
                    self._cond.notify_all()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers or self._readers_turn:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._readers_turn = self._waiting_readers > 0
                self._cond.notify_all()


class _Check:
    """One slow key check in flight: its answer, once done."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.good = False
        self.error: Exception | None = None


@dataclass
class ServerState:
    """The served workspaces by URL name, one gate each, and keys already checked.

    ``verified`` remembers a (workspace, key id, SHA-256 of the key) whose slow scrypt check
    passed, so a client does not pay it on every request; the key's row (role, revoked) is
    still read on every request, so a revocation counts at once. Only digests are kept.
    """

    workspaces: dict[str, Path]
    gates: dict[str, Gate] = field(default_factory=dict)
    verified: set[tuple[str, str, bytes]] = field(default_factory=set)
    #: keys whose check failed (a digest of the whole key: a right secret is not in it)
    refused: set[tuple[str, str, bytes]] = field(default_factory=set)

    api_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    #: sign-in attempts per workspace and client address (each costs an argon2 check)
    signin_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    #: reports already answered, until the data under them changes
    reports: ReportCache = field(default_factory=ReportCache)

    MAX_VERIFIED: ClassVar[int] = 10_000

    def __post_init__(self) -> None:
        self.gates = {name: Gate() for name in self.workspaces}
        self._checking: dict[tuple[str, str, bytes], _Check] = {}
        self._checking_lock = threading.Lock()

    def checked(self, seen: tuple[str, str, bytes], check: Callable[[], bool]) -> bool:
        """Whether the key ``seen`` is good: remembered, else ``check()`` (the slow scrypt
        check). Requests that arrive together with the same key share one check and its
        answer (eight connections opening at once used to run eight), and a key that failed
        is remembered as failed: a wrong secret for a key id (ids are public: they sit in a
        site's JavaScript) cannot make the server run scrypt again and again."""
        if seen in self.verified:
            return True
        if seen in self.refused:
            return False
        with self._checking_lock:
            running = self._checking.get(seen)
            mine = running is None
            if running is None:
                running = self._checking[seen] = _Check()
        if not mine:
            running.done.wait()
            if running.error is not None:  # the check itself failed: not "a bad key"
                raise running.error
            return running.good
        try:
            running.good = check()
            self._remember(self.verified if running.good else self.refused, seen)
        except Exception as exc:
            running.error = exc
            raise
        finally:
            with self._checking_lock:
                self._checking.pop(seen, None)
            running.done.set()
        return running.good

    def _remember(self, into: set[tuple[str, str, bytes]], seen: tuple[str, str, bytes]) -> None:
        if len(into) >= self.MAX_VERIFIED:
            into.clear()
        into.add(seen)

    def path(self, name: str) -> Path:
        if name not in self.workspaces:
            raise NotFound(
                f"no workspace named {name!r} is served here",
                f"máy chủ này không phục vụ workspace nào tên {name!r}",
                hint_en="GET /api/v1/workspaces lists the served workspaces",
                hint_vi="GET /api/v1/workspaces liệt kê các workspace được phục vụ",
            )
        return self.workspaces[name]

    @staticmethod
    def fingerprint(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()
