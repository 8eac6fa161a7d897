"""Collection inside the server: whose write key this is, one collector per workspace, limits.

A Segment request names no workspace: the write key does. Every served workspace's keys are
indexed by key id in memory and re-read every :data:`REFRESH` seconds (a revoked write key
stops collecting within about :data:`TRUSTED` seconds), so the hot path never opens a
database; the slow scrypt check of a key runs once per key and process
(``ServerState.checked``).

A workspace's :class:`~journeyscope.collect.Collector` starts on its first collected event,
or when the server starts and the workspace's log still holds events to replay. Its loader
stores batches under the workspace's gate (``ServerState.gates``), so the server's own
read-only requests wait for a batch rather than meet DuckDB's one-configuration rule.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from journeyscope.collect import Collector
from journeyscope.collect.loader import BUSY_PACE, PACE, AfterPass
from journeyscope.collect.parsing import ParserPool, default_workers
from journeyscope.errors import JourneyScopeError
from journeyscope.events.keys import KeyInfo, StoredKey, key_id_of, secret_matches, stored_keys
from journeyscope.events.workspace import Workspace
from journeyscope.server.errors import Forbidden, Unauthorized
from journeyscope.server.limits import RateLimiter
from journeyscope.server.state import ServerState

log = logging.getLogger("journeyscope.server")

#: Seconds the in-memory key index is trusted before it is read again.
REFRESH = 2.0
#: How old an index the event loop's fast way may use while a re-read is under way (the
#: re-read waits for the loader's pass, which holds the workspace for a second or more).
TRUSTED = 5.0
#: An unknown key id re-reads the index at most this often (junk keys cannot force reads).
MISS_REFRESH = 0.5
_PLAIN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class Collection:
    """The served workspaces' collectors and the write-key index that routes to them."""

    def __init__(
        self,
        state: ServerState,
        *,
        rate: float = 1000.0,
        after_pass: AfterPass | None = None,
        interval: float = 0.2,
        parse_workers: int | None = None,
        on_quiet: AfterPass | None = None,
    ) -> None:
        self.state = state
        self.on_quiet = on_quiet
        workers = default_workers() if parse_workers is None else parse_workers
        #: processes parsing bodies off the event loop (``collect/parsing.py``); None: none
        self.parsers = ParserPool(workers) if workers > 0 else None
        self.limiter = RateLimiter(rate)
        self.after_pass = after_pass
        self.interval = interval
        self.collectors: dict[str, Collector] = {}
        self._starting = threading.Lock()
        self._keys: dict[str, tuple[str, StoredKey]] = {}
        self._read_at = -math.inf
        self._refreshing = threading.Lock()

    # --- collectors ---------------------------------------------------------------------

    def collector(self, name: str) -> Collector:
        """The workspace's collector, started on first use."""
        found = self.collectors.get(name)
        if found is not None:
            return found
        with self._starting:
            found = self.collectors.get(name)
            if found is None:
                found = Collector(
                    self.state.path(name),
                    open_workspace=lambda: self._writer(name),
                    interval=self.interval,
                    after_pass=self.after_pass,
                    pace=PACE,
                    busy_pace=BUSY_PACE,
                    on_quiet=self.on_quiet,
                )
                found.start()
                self.collectors[name] = found
            return found

    def waiting(self, root: Path) -> int:
        """Events acknowledged but not yet stored in the workspace at ``root``."""
        where = root.resolve()
        for found in list(self.collectors.values()):
            if found.root.resolve() == where:
                return found.lag
        return 0

    @contextmanager
    def _writer(self, name: str) -> Iterator[Workspace]:
        """The workspace for one loader batch: this process's readers wait at the gate."""
        with self.state.gates[name].writing(), Workspace.open(self.state.path(name)) as ws:
            yield ws

    def start_pending(self) -> None:
        """Start the collectors whose log holds events (replayed into the store now)."""
        for name, path in self.state.workspaces.items():
            if (path / "collect" / "log").is_dir():
                try:
                    self.collector(name)
                except JourneyScopeError as exc:  # another server holds the log
                    log.warning("collection of workspace %s not started: %s", name, exc.code)

    def close(self) -> None:
        """Drain every collector into its store and close its log (a clean stop)."""
        if self.parsers is not None:
            self.parsers.close()
        with self._starting:
            for name, collector in self.collectors.items():
                collector.close()
                log.info("collection of workspace %s stopped, everything stored", name)
            self.collectors.clear()

    # --- write keys ---------------------------------------------------------------------

    def authorise(self, token: str | None, *, inline: bool = False) -> tuple[str, KeyInfo]:
        """The workspace name and key of a write key, or 401/403; spends its rate limit.

        ``inline`` (on the event loop): never read the keys nor run scrypt — raise
        :class:`NotReady` instead, before anything is done, and the caller goes to a thread."""
        key_id = key_id_of(token) if token else None
        if token is None or key_id is None:
            raise _bad_write_key()
        found = self._keys.get(key_id) if inline else self._lookup(key_id)
        if inline and found is None:
            raise NotReady
        if found is None or not found[1].info.active:
            raise _bad_write_key()
        name, stored = found
        seen = (name, key_id, ServerState.fingerprint(token))
        if inline and seen not in self.state.verified:
            raise NotReady
        if not self.state.checked(seen, lambda: secret_matches(stored, token)):
            raise _bad_write_key()
        if stored.info.role != "write":
            raise Forbidden(
                f"a key with role {stored.info.role} cannot send events (a write key can)",
                f"khoá vai trò {stored.info.role} không gửi sự kiện được (khoá write mới gửi được)",
                hint_en="journeyscope keys create -w DIR --role write",
                hint_vi="journeyscope keys create -w DIR --role write",
            )
        self.limiter.take(key_id)
        return name, stored.info

    def ready(self, token: str | None) -> bool:
        """Whether the key index is fresh enough and the key's collector runs, so the
        server may try the request on its event loop; a key not yet checked (scrypt) is
        :meth:`authorise`'s to refuse there (``NotReady``), before anything is done."""
        key_id = key_id_of(token) if token else None
        age = time.monotonic() - self._read_at
        if token is None or key_id is None or age > TRUSTED:
            return False
        if age > REFRESH:  # read the keys again, on a thread (it waits for the loader)
            self._refresh_ahead()
        found = self._keys.get(key_id)
        # whether the key was checked is authorise(inline=True)'s to say (NotReady)
        return found is not None and found[0] in self.collectors

    def _refresh_ahead(self) -> None:
        if not self._refreshing.acquire(blocking=False):
            return  # a refresh is running

        def run() -> None:
            try:
                self._refresh()
            except Exception:  # the next request refreshes in its own thread
                log.exception("the write keys were not re-read")
            finally:
                self._refreshing.release()

        try:
            threading.Thread(target=run, name="journeyscope-keys", daemon=True).start()
        except BaseException:  # no thread: never leave the lock held
            self._refreshing.release()
            raise

    def _lookup(self, key_id: str) -> tuple[str, StoredKey] | None:
        age = time.monotonic() - self._read_at
        known = key_id in self._keys
        stale = age > REFRESH or (not known and age > MISS_REFRESH)
        # a known key waits for a refresh another request is doing only once the index is
        # past TRUSTED (a revoked key stops then, however long the refresh took)
        if stale and self._refreshing.acquire(blocking=not known or age > TRUSTED):
            try:
                if time.monotonic() - self._read_at > MISS_REFRESH:
                    self._refresh()
            finally:
                self._refreshing.release()
        return self._keys.get(key_id)

    def _refresh(self) -> None:
        keys: dict[str, tuple[str, StoredKey]] = {}
        for name, path in self.state.workspaces.items():
            try:
                with (
                    self.state.gates[name].reading(),
                    Workspace.open(path, read_only=True) as ws,
                ):
                    rows = stored_keys(ws)
            except JourneyScopeError as exc:  # busy for now: keep what we knew
                log.warning("keys of workspace %s not re-read: %s", name, exc.code)
                keys.update({k: v for k, v in self._keys.items() if v[0] == name})
                continue
            keys.update({row.info.key_id: (name, row) for row in rows})
        self._keys = keys
        self._read_at = time.monotonic()


class NotReady(Exception):
    """Authorising this key needs a slow step: take the request on a thread."""


def source_name(info: KeyInfo) -> str:
    """``segment:<key name>`` when the name is a plain token, else ``segment:<key id>``."""
    name = info.name if info.name and _PLAIN.match(info.name) else info.key_id
    return f"segment:{name}"


def _bad_write_key() -> Unauthorized:
    return Unauthorized(
        "a valid write key is required (HTTP Basic user name, or writeKey in the body)",
        "cần khoá write hợp lệ (tên người dùng HTTP Basic, hoặc writeKey trong nội dung)",
        hint_en="journeyscope keys create -w DIR --role write; revoked keys stop within seconds",
        hint_vi="journeyscope keys create -w DIR --role write; khoá bị thu hồi ngừng sau vài giây",
    )
