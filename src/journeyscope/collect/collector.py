"""One workspace's collector: validate a request, log it durably, let the loader store it.

The order of :meth:`Collector.accept` is the contract the server's answers rest on:

1. parse and validate (a body over its limit -> 413, not JSON -> 400: nothing kept);
2. back-pressure: when the loader is ``max_lag`` events behind -> 429 with Retry-After,
   nothing kept (the client sends the same events again);
3. append the valid events to the log and wait for their fsync (a full disk -> 503,
   nothing acknowledged);
4. quarantine the invalid ones (``quarantine/collect-DATE.csv``) and report them: the
   server answers 400 listing them — the valid ones of the batch are stored.
"""

from __future__ import annotations

import csv
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from journeyscope.collect.durable import GroupWait
from journeyscope.collect.errors import CollectorBusy, EventProblem, InvalidEvents
from journeyscope.collect.loader import (
    BATCH,
    AfterPass,
    Loader,
    OpenWorkspace,
    clear_staging,
    encode_records,
    source_prefix,
)
from journeyscope.collect.log import RESERVE_BYTES, SEGMENT_BYTES, RecordLog
from journeyscope.collect.parsing import PREFIX_ROOM, Lines
from journeyscope.collect.segment import Parsed, parse_body
from journeyscope.errors import output_failure
from journeyscope.events.workspace import Workspace
from journeyscope.maps.spreadsheet import safe_csv_rows

#: events acknowledged but not yet stored past which collection answers 429: a bound on the
#: log's backlog (on disk, never in memory), above the ~100,000-event passes of a busy
#: loader and what arrives while one runs
MAX_LAG = 400_000
log = logging.getLogger(__name__)


@dataclass
class Accepted:
    """What one request left: events acknowledged (durable) and events refused.

    Made with ``wait=False``, the events are written but not yet durable: :meth:`wait`
    before answering."""

    accepted: int
    last_seq: int
    problems: list[EventProblem] = field(default_factory=list)
    durable: Callable[[], object] | None = field(default=None, repr=False, compare=False)
    #: the collector's coroutine that waits as ``durable`` does, with no thread of its own
    settle: Callable[[Accepted], Awaitable[Accepted]] | None = field(
        default=None, repr=False, compare=False
    )

    def wait(self) -> Accepted:
        """Block until the events are on disk (then they are acknowledged)."""
        if self.durable is not None:
            self.durable()
            self.durable = None
        return self

    async def settled(self) -> Accepted:
        """:meth:`wait` for a coroutine on the server's event loop."""
        if self.durable is not None and self.settle is not None:
            return await self.settle(self)
        return self.wait()

    def raise_for_problems(self) -> None:
        """The 400 the server answers when some events were refused."""
        if self.problems:
            raise InvalidEvents(self.problems, self.accepted)


class Collector:
    """The log, the loader and the limits of one workspace (``WORKSPACE/collect/``)."""

    def __init__(
        self,
        root: Path,
        *,
        open_workspace: OpenWorkspace | None = None,
        max_lag: int = MAX_LAG,
        batch: int = BATCH,
        interval: float = 0.2,
        segment_bytes: int = SEGMENT_BYTES,
        reserve_bytes: int = RESERVE_BYTES,
        after_pass: AfterPass | None = None,
        pace: float = 0.0,
        busy_pace: float | None = None,
        on_quiet: AfterPass | None = None,
    ) -> None:
        self.root = root
        self.max_lag = max_lag
        self.log = RecordLog(
            root / "collect", segment_bytes=segment_bytes, reserve_bytes=reserve_bytes
        )
        recovery = self.log.recovery
        if recovery.dropped_bytes:  # a torn or corrupt tail: never acknowledged, but say so
            log.warning(
                "collect log: cut %d bytes of torn or corrupt records from %s",
                recovery.dropped_bytes,
                ", ".join(recovery.cut_segments),
            )
        clear_staging(root)
        self.received = self.acknowledged = self.refused = 0
        self._counting = threading.Lock()
        self._group = GroupWait(self.log.wait, lambda: self.log.durable_seq)
        self.loader = Loader(
            self.log,
            open_workspace or self._open,
            batch=batch,
            interval=interval,
            after_pass=after_pass,
            pace=pace,
            busy_pace=busy_pace,
            on_quiet=on_quiet,
        )

    @contextmanager
    def _open(self) -> Iterator[Workspace]:
        """A connection for one batch: the workspace is held only while a batch is stored."""
        with Workspace.open(self.root) as ws:
            yield ws

    @property
    def lag(self) -> int:
        """Events acknowledged but not yet stored."""
        return self.log.durable_seq - self.loader.loaded_seq

    def retry_after(self) -> int:
        """Seconds until the loader has caught up by half the queue, at its recent rate."""
        rate = self.loader.rate or 1000.0
        return max(1, min(60, math.ceil((self.lag - self.max_lag / 2) / rate)))

    def accept(
        self, kind: str, body: bytes, *, source: str, received_at: datetime | None = None
    ) -> Accepted:
        """Validate, log and acknowledge one request body (already un-gzipped) of ``kind``
        (``segment.PATHS``' values); ``source`` is ``segment:<write key name>``."""
        return self.accept_parsed(parse_body(kind, body, received_at=received_at), source=source)

    def accept_parsed(self, parsed: Parsed, *, source: str, wait: bool = True) -> Accepted:
        """:meth:`accept` for a body the server already parsed (to read its ``writeKey``);
        ``wait=False`` returns once the events are written, to :meth:`Accepted.wait` for."""
        accepted = self._write(
            len(parsed.rows) + len(parsed.problems),
            len(parsed.rows),
            lambda: encode_records(source, parsed.rows),
        )
        accepted.problems = parsed.problems
        if parsed.problems:
            with self._counting:
                self.refused += len(parsed.problems)
            self._quarantine(source, parsed)
        return accepted.wait() if wait else accepted

    def accept_lines(self, lines: Lines, *, source: str, wait: bool = True) -> Accepted:
        """:meth:`accept_parsed` for a clean body a parser process turned into rows' JSON
        lines (``collect/parsing.py``): only the source is added to each record."""
        prefix = source_prefix(source)
        if len(prefix) > PREFIX_ROOM:  # source_name() keeps names far shorter
            raise ValueError("a source name is over the room records leave for it")
        count = lines.count
        accepted = self._write(
            count, count, lambda: ([prefix + chunk for chunk in lines.chunks], lines.counts)
        )
        return accepted.wait() if wait else accepted

    def _write(
        self, received: int, count: int, records: Callable[[], tuple[list[bytes], list[int]]]
    ) -> Accepted:
        """Count, refuse when the loader is too far behind (429), write ``count`` events'
        ``records()`` to the log; the answer waits for their fsync."""
        with self._counting:
            self.received += received
        if count and self.lag + count > self.max_lag:
            raise CollectorBusy(self.retry_after(), self.lag)
        accepted = Accepted(count, self.log.durable_seq)
        if count:
            accepted.last_seq = self.log.write(*records())
            accepted.durable = lambda: self._durable(accepted.last_seq, count)
            accepted.settle = self.settled
        return accepted

    def _durable(self, seq: int, count: int) -> None:
        self.log.wait(seq)
        self._acknowledge(count)

    def _acknowledge(self, count: int) -> None:
        with self._counting:
            self.acknowledged += count
        self.loader.wake()

    async def settled(self, accepted: Accepted) -> Accepted:
        """:meth:`Accepted.wait` for a coroutine: back once its events are on disk, with
        no thread of its own (one thread waits for every request: ``collect/durable.py``)."""
        if accepted.durable is not None:
            accepted.durable = None  # counted once on disk, even if the request is gone
            await self._group.until(accepted.last_seq, lambda: self._acknowledge(accepted.accepted))
        return accepted

    def _quarantine(self, source: str, parsed: Parsed) -> None:
        """Refused messages, as sent, in the workspace's quarantine (one file a day)."""
        target = self.root / "quarantine" / f"collect-{datetime.now(UTC):%Y%m%d}.csv"
        raw = dict(parsed.raw)
        rows = [[source, p.index, p.field, p.reason, raw.get(p.index, "")] for p in parsed.problems]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            new = not target.exists()
            with target.open("a", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                if new:
                    writer.writerow(["file", "line", "field", "reason", "record"])
                writer.writerows(safe_csv_rows(rows))
        except OSError as exc:
            raise output_failure(target, exc) from exc

    def metrics(self) -> dict[str, int | float]:
        """Counters for ``/metrics``: received, acknowledged, refused (quarantined at the
        request), loaded and what the loader made of them, and the lag."""
        totals = self.loader.totals
        return {
            "events_received": self.received,
            "events_acknowledged": self.acknowledged,
            "events_refused": self.refused,
            "events_loaded": totals.stored,
            "events_duplicate": totals.duplicates,
            "events_quarantined_at_load": totals.rejected,
            "events_suppressed": totals.suppressed,
            "loader_lag_events": self.lag,
            "loader_rate_per_s": round(self.loader.rate, 1),
            "log_fsyncs": self.log.fsyncs,
            "log_bytes_cut_at_open": self.log.recovery.dropped_bytes,
        }

    def start(self) -> None:
        self.loader.start()

    def close(self) -> None:
        """Stop the background loader once it drained what was acknowledged into the store,
        then close the log (SIGTERM). Without a started loader, call ``loader.drain()``."""
        self._group.close()
        self.loader.stop()
        self.log.close()
