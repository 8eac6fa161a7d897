"""Reports already answered, kept until the data under them changes.

A dashboard asks the same questions again and again (each user who opens it, each reload,
the overview card), and on millions of events a report takes seconds. The server keeps
the last answers (typed, language-neutral reports) keyed by the workspace, the query and
a *data stamp*: the size and modification time of every entry of the workspace folder
(the DuckDB file and its write-ahead log change with every committed write, whoever
writes: the server's loader, a CLI ``ingest`` or ``identity resolve``; ``workspace.yaml``
and ``segments.yaml`` change with the settings and the saved segments) and the local
date (a default period may end "today"). A changed stamp is a miss, so an answer is
never older than the data; at most ``size`` answers are kept, the least recently used
dropped first. Two requests for the same missing answer compute it once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from journeyscope.app.queries import Query
from journeyscope.app.reports import Report
from journeyscope.events.workspace import Workspace

__all__ = ["ReportCache", "data_stamp"]

Stamp = tuple[Any, ...]


def data_stamp(ws: Workspace, query: Query) -> Stamp:
    """What the answer to ``query`` depends on besides the query itself."""
    files = [(str(p), p.stat().st_mtime_ns if p.exists() else None) for p in _paths(query)]
    today = datetime.now(ZoneInfo(str(ws.config.timezone))).date().isoformat()
    return (ws.stamp(), tuple(files), today)


def _paths(query: Query) -> list[Path]:
    """Files a query names (stage rules, stage models)."""
    out: list[Path] = []
    for value in query.__dict__.values():
        if isinstance(value, Path):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(v for v in value if isinstance(v, Path))
    return out


def cacheable(query: Query) -> bool:
    """Reads only: a query that writes (or writes a file) is run every time."""
    return not getattr(query, "writes", False) and getattr(query, "output", None) is None


class ReportCache:
    """The last ``size`` answers, by (workspace, query, data stamp)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[Any, ...], Report] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[tuple[Any, ...], threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def answer(self, ws: Workspace, query: Query, run: Callable[[], Report]) -> Report:
        """The kept answer, or ``run()``'s (kept while the stamp holds)."""
        if self.size <= 0 or not cacheable(query):
            return run()
        key = (str(ws.root), type(query).__name__, query.model_dump_json(), data_stamp(ws, query))
        with self._lock:
            running = self._running.setdefault(key, threading.Lock())
        with running:  # one computation per key; the others wait for it
            with self._lock:
                if key in self._answers:
                    self._answers.move_to_end(key)
                    self.hits += 1
                    return self._answers[key]
            try:
                report = run()
            finally:
                with self._lock:
                    self._running.pop(key, None)
            with self._lock:
                self.misses += 1
                self._answers[key] = report
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
            return report
