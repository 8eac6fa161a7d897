"""The served workspaces' events scanned before the reports that need them.

The server keeps each workspace's events once scanned (``analytics/kept_events.py``); the
first report after the data changes pays the scan (1–2 s on 10 M events). A dashboard
should not: so the events are scanned on a thread when the server starts, and again
after the loader stores collected events in a workspace whose kept events reports have
used since the last scan — at most once every ``every`` seconds per workspace, so a
steady stream of events costs one scan per interval, and a workspace nobody looks at is
not scanned again. The scans read through the workspace's gate, as requests do, so the
loader and a CLI writer get in between; what they find is the same kept store a report
would fill, keyed by the stamp of the data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from journeyscope.app.operations import kept_reads, warm_events
from journeyscope.events.workspace import Workspace
from journeyscope.server.state import ServerState

__all__ = ["Warmer"]

log = logging.getLogger("journeyscope.server")

#: the longest a start-up scan keeps the server "not ready" (seconds)
READY_WITHIN = 60.0


class Warmer:
    """Scans ahead of the reports: all workspaces at start, one after its data changed."""

    def __init__(self, state: ServerState, every: float = 30.0) -> None:
        self.state = state
        self.every = every
        self._lock = threading.Lock()
        self._timers: dict[str, threading.Timer] = {}
        self._last: dict[str, float] = {}  # when each workspace was last scanned here
        self._reads: dict[str, int] = {}  # its kept events asked for, just after that scan
        self._closed = False
        self._threads: list[threading.Thread] = []
        self.scanned = 0
        #: workspaces whose start-up scan has not ended, and until when that makes the
        #: server not ready (``/readyz``): a load balancer sends no dashboard to a server
        #: still reading its events, but never waits on it for more than ``READY_WITHIN``
        self.warming: set[str] = set()
        self.ready_by = 0.0

    def start(self, then: Callable[[], object] | None = None) -> None:
        """Scan every served workspace, one after another, on a thread; then ``then()``
        there (the server loads its compiled kernels after the scans rather than beside
        them, so the scans have both cores). Until both are done the workspaces are
        ``warming`` (``/readyz``)."""
        names = list(self.state.workspaces)
        self.warming = set(names)
        self.ready_by = time.monotonic() + READY_WITHIN

        def every_one() -> None:
            try:
                for name in names:
                    self._warm(name)
                if then is not None and not self._closed:
                    then()  # the kernels: part of warming up, before the server is ready
            finally:
                self.warming.clear()

        first = threading.Thread(target=every_one, name="journeyscope-warm", daemon=True)
        with self._lock:
            self._threads.append(first)
        first.start()

    def is_warming(self, name: str) -> bool:
        """``name``'s start-up scan is still running (and not for too long)."""
        return name in self.warming and time.monotonic() < self.ready_by

    def stored(self, root: Path) -> None:
        """The loader stored events in the workspace at ``root``: scan it again soon if
        reports used its kept events since it was last scanned here."""
        name = self._name_of(root)
        if name is None or kept_reads(self.state.path(name)) <= self._reads.get(name, 0):
            return  # no report read its events since this warmer did
        with self._lock:
            if self._closed or name in self._timers:
                return  # one scan already waits: it reads the newest data
            wait = max(0.0, self._last.get(name, -self.every) + self.every - time.monotonic())
            timer = threading.Timer(wait, self._due, (name,))
            timer.daemon = True
            self._timers[name] = timer
            self._threads = [t for t in self._threads if t.is_alive()] + [timer]
            timer.start()

    def close(self, wait: float = 30.0) -> None:
        """No more scans; the one running finishes (its workspace is closed) first, within
        ``wait`` seconds in all."""
        with self._lock:
            self._closed = True
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
            threads, self._threads = self._threads, []
        deadline = time.monotonic() + wait
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _due(self, name: str) -> None:
        with self._lock:
            self._timers.pop(name, None)
            if self._closed:
                return
        self._warm(name)

    def _warm(self, name: str) -> None:
        if self._closed:
            return
        path = self.state.path(name)
        self._last[name] = time.monotonic()
        try:
            with self.state.gates[name].reading():
                if self._closed:  # stopped while waiting for a writer
                    return
                with Workspace.open(path, read_only=True) as ws:
                    if warm_events(ws):
                        self.scanned += 1
        except Exception as exc:  # a scan ahead is a convenience: a report scans anyway
            log.warning("events of workspace %s not scanned ahead: %s", name, exc)
        finally:
            self._reads[name] = kept_reads(path)  # its own read included: not a report's

    def _name_of(self, root: Path) -> str | None:
        wanted = Path(root).resolve()
        for name, path in self.state.workspaces.items():
            if Path(path).resolve() == wanted:
                return name
        return None
