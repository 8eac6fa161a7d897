"""Whole-workspace scans kept between the reports of a long-lived process (the server).

A CLI process runs one report and exits, so it scans what it reads. The server answers
report after report on the same data: on 10 M events the scan of ``journey_events`` into
arrays is about 1.2 s on two cores, more than most reports' own pass. With keeping on
(:func:`keep`, which ``journeyscope serve`` calls with its ``--scan-memory`` budget), the
first report that reads a workspace's events as arrays scans the whole workspace once and
keeps the arrays; every report after it — any period, any stage model, any language —
takes its rows from them (:func:`journeyscope.analytics.events_arrays.read_events`), until
the data changes.

The arrays are kept with the workspace's stamp (:meth:`Workspace.stamp`: the size and
modification time of every entry of its folder, which any committed write changes). The
stamp is taken before the scan, so what is kept is never older than its stamp says, and a
request that sees another stamp scans again. One scan per workspace is kept (a new one
replaces the old) and all together stay within the budget: the least recently used
workspace goes first. A workspace whose events would not fit the whole budget (counted
before scanning), or whose names the scan cannot code, is refused at that stamp: its
reports read just their own period, as in a CLI process, and do not ask again until the
data changes.
Kept arrays are read-only, so no report can change what the next one reads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Kept", "keep", "kept"]

T = TypeVar("T")

#: the budget ``journeyscope serve`` keeps scans within unless told (MiB)
DEFAULT_MIB = 2048
#: what a kept event takes, about (the arrays of one row and its share of the names)
ROW_BYTES = 60
#: columns derived from one workspace's kept scan (stage models' stages) kept at most
MAX_DERIVED = 4
_NONE = object()


class Kept(Generic[T]):
    """Per workspace, the last whole scan and the stamp it was taken at."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self._held: OrderedDict[str, tuple[Any, T, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        #: workspaces whose data, at the stamp noted, is not kept (too large, or the scan
        #: could not code it): their reports read their own events without asking again
        self._refused: dict[str, Any] = {}
        #: per workspace, columns computed from its kept scan (a stage model's stages):
        #: the last few, counted in the budget, let go with the scan
        self._derived: dict[str, OrderedDict[Any, tuple[Any, int]]] = {}
        #: per workspace, how many times its kept events were asked for (hit or scan)
        self._reads_of: dict[str, int] = {}
        self.hits = 0
        self.scans = 0

    def get(
        self, root: str, stamp: Any, scan: Callable[[], T], size: Callable[[T], int]
    ) -> T | None:
        """The kept scan of ``root`` at ``stamp``, or ``scan()``'s (kept if it fits; used
        once if not); None when this data was refused before. Two requests for the same
        missing scan run it once."""
        with self._lock:
            building = self._building.setdefault(root, threading.Lock())
        with building:
            with self._lock:
                if self._refused.get(root, _NONE) == stamp:
                    return None
                held = self._held.get(root)
                if held is not None and held[0] == stamp:
                    self._held.move_to_end(root)
                    self.hits += 1
                    self._reads_of[root] = self._reads_of.get(root, 0) + 1
                    return held[1]
                self._held.pop(root, None)  # older data: let it go before scanning anew
                self._derived.pop(root, None)
                self._refused.pop(root, None)
            value = scan()
            nbytes = size(value)
            with self._lock:
                self.scans += 1
                self._reads_of[root] = self._reads_of.get(root, 0) + 1
                if nbytes > self.budget:
                    self._refused[root] = stamp
                else:
                    self._held[root] = (stamp, value, nbytes)
                    self._fit()
            return value

    def derived(self, root: str, stamp: Any, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``'s value, kept beside the scan of ``root`` while that scan is kept
        at ``stamp`` (so the same rows give the same column without computing it again);
        computed and not kept otherwise. ``compute`` returns an array."""
        with self._lock:
            held = self._held.get(root)
            mine = self._derived.get(root) if held is not None and held[0] == stamp else None
            if mine is not None and key in mine:
                mine.move_to_end(key)
                return mine[key][0]
        value = compute()
        with self._lock:
            held = self._held.get(root)
            if held is not None and held[0] == stamp:
                value.flags.writeable = False
                mine = self._derived.setdefault(root, OrderedDict())
                mine[key] = (value, int(value.nbytes))
                while len(mine) > MAX_DERIVED:
                    mine.popitem(last=False)
                self._fit()
        return value

    def _fit(self) -> None:
        """Within the budget: columns derived from scans go first, then whole scans, the
        least recently used first (called with the lock held)."""

        def used() -> int:
            derived = sum(n for d in self._derived.values() for _, n in d.values())
            return sum(h[2] for h in self._held.values()) + derived

        while used() > self.budget and any(self._derived.values()):
            for columns in self._derived.values():
                if columns:
                    columns.popitem(last=False)
                    break
        while used() > self.budget:
            root, _ = self._held.popitem(last=False)
            self._derived.pop(root, None)

    def refuse(self, root: str, stamp: Any) -> None:
        """Keep nothing of ``root`` while its data is at ``stamp`` (and stop asking)."""
        with self._lock:
            self._held.pop(root, None)
            self._derived.pop(root, None)
            self._refused[root] = stamp

    def peek(self, root: str, stamp: Any, wait: bool = False) -> T | None:
        """The kept scan of ``root`` at ``stamp`` if there is one; never scans. ``wait``:
        first let a scan of ``root`` that is running now finish (a server scans each
        workspace as it starts; a request then takes that scan rather than count in SQL
        beside it, twice the time)."""
        if wait:
            with self._lock:
                building = self._building.get(root)
            if building is not None:
                with building:
                    pass
        with self._lock:
            held = self._held.get(root)
            return held[1] if held is not None and held[0] == stamp else None

    def reads_of(self, root: str) -> int:
        """How many times ``root``'s kept events were asked for so far (a hit or a scan)."""
        with self._lock:
            return self._reads_of.get(root, 0)

    def held_bytes(self) -> int:
        with self._lock:
            derived = sum(n for d in self._derived.values() for _, n in d.values())
            return sum(h[2] for h in self._held.values()) + derived


#: this process's store, if it keeps scans (at most one)
_PROCESS: list[Kept[Any]] = []


def keep(mebibytes: int) -> None:
    """Keep whole scans in this process within ``mebibytes`` (0: keep none)."""
    _PROCESS.clear()
    if mebibytes > 0:
        _PROCESS.append(Kept(mebibytes << 20))


def kept() -> Kept[Any] | None:
    """The process's kept scans, or None when this process keeps none (the CLI)."""
    return _PROCESS[0] if _PROCESS else None
