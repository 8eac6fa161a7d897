"""The loader: moves logged events into the workspace store, in batches, through ``ingest``.

A batch is read from the log after the checkpoint, written per source as a JSON Lines
staging file (our field names) and imported by ``events.ingest.ingest_file`` — the same
SQL that checks, quarantines, drops suppressed identifiers and stores file imports. The
checkpoint moves only after the import committed. A crash between the commit and the
checkpoint replays the batch, and ``ingest``'s idempotency key ``(source, event_id)`` —
``event_id`` is the ``messageId`` — counts the replayed rows as duplicates: nothing
acknowledged is lost, nothing is stored twice.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeyscope.collect import structs
from journeyscope.collect.log import MAX_RECORD, RecordLog
from journeyscope.collect.parsing import row_chunks
from journeyscope.collect.segment import EVENT_NAMES, ROW_TYPES
from journeyscope.errors import JourneyScopeError
from journeyscope.events.ingest import Quarantine, ingest_file
from journeyscope.events.mapping import LoadedMapping, Mapping, TimestampSpec
from journeyscope.events.workspace import Workspace

log = logging.getLogger(__name__)
OpenWorkspace = Callable[[], AbstractContextManager[Workspace]]
#: seconds without new events, after a pass that stored some, before ``on_quiet`` runs
QUIET = 10.0

#: Run with the workspace open for writing after a pass that stored events (live identity).
AfterPass = Callable[[Workspace], object]
#: The most events one pass stores: a pass costs ~0.1 s whatever its size (a connection,
#: the checks, the conflicts query), so under load the loader takes what has piled up.
BATCH = 100_000
#: The longest pause between tries when the workspace is busy (a CLI command holds it).
MAX_BACKOFF = 1.0
#: The server's shortest time between the starts of two passes while fewer than a batch of
#: events wait: every pass pays ~0.2 s whatever its size (opening the store, the commit,
#: writing the file, live identity), so under load fewer and larger passes cost less. An
#: event still reaches the store (stitched) within about two passes: ~2 s under a trickle,
#: ~4 s at 55,000 events/s with the busy pace below.
PACE = 1.0
#: Events in one pass (or waiting, ``server.app``) from which collection counts as busy.
BUSY = 20_000
#: After a round of passes that stored at least ``BUSY`` events (collection is busy), the
#: next starts ``BUSY_PACE`` after the round began: passes of ~100,000 events rather than
#: ~50,000 at 50,000 events/s. Closing the store after a pass makes DuckDB checkpoint, and each
#: checkpoint compresses the tables' last, partly filled row groups again, so half as many
#: passes cost the server a fifth less CPU an event (bench/RESULTS.md, session 32). A
#: trickle keeps ``PACE``: events are stitched within seconds either way.
BUSY_PACE = 2.0


@dataclass
class LoadResult:
    """One batch: the seqs it covered and what ``ingest`` made of its rows."""

    first_seq: int = 0
    last_seq: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0
    conflicts: int = 0
    quarantine: str | None = None


SEPARATOR = b"\x1f"


def encode_record(source: str, row: dict[str, Any]) -> bytes:
    """A log record of one event: the source (``segment:<key name>``), a unit separator,
    and the event row as one JSON line — written to the staging file as it is, never
    decoded again."""
    return encode_records(source, [row])[0][0]


def source_prefix(source: str) -> bytes:
    """What starts each record of ``source``: its name and a unit separator."""
    if "\x1f" in source or "\n" in source:
        raise ValueError("a source name cannot hold control characters")
    return source.encode() + SEPARATOR


def encode_records(source: str, rows: list[dict[str, Any]]) -> tuple[list[bytes], list[int]]:
    """The log records of one request's rows, and how many rows each holds: the source, a
    unit separator, then the rows as JSON lines (one write, CRC and read for a whole batch
    instead of one per event). A JSON line holds no raw newline nor unit separator (JSON
    escapes control characters), so splitting finds the rows again. Rows go to a new
    record before one would pass the log's record size."""
    prefix = source_prefix(source)
    chunks, counts = row_chunks([structs.row_json(row) for row in rows], MAX_RECORD - len(prefix))
    return [prefix + chunk for chunk in chunks], counts


def mapping_for(source: str) -> LoadedMapping:
    """Rows already carry our field names; times are epoch milliseconds (UTC)."""
    return LoadedMapping(
        Mapping(source=source, timestamp=TimestampSpec(format="epoch_ms"), events=EVENT_NAMES)
    )


def staging_folder(root: Path) -> Path:
    return root / "collect" / "staging"


def clear_staging(root: Path) -> None:
    """Staging copies a crash left behind hold events: the log still has them, so go."""
    shutil.rmtree(staging_folder(root), ignore_errors=True)


def load_batch(ws: Workspace, records: RecordLog, *, limit: int = BATCH) -> LoadResult | None:
    """Store the next batch after the checkpoint; None when the log holds nothing new."""
    after = records.checkpoint()
    batch = records.read(after, limit)
    if not batch:
        return None
    by_source: dict[str, list[bytes]] = {}
    events = 0
    for _, payload in batch:
        name, lines = payload.split(SEPARATOR, 1)
        by_source.setdefault(name.decode(), []).append(lines)
        events += lines.count(b"\n") + 1
    # the rows read, not ``after + 1``: an unreadable checkpoint reads from 0 on, while the
    # log's first segment may start far later
    result = LoadResult(first_seq=batch[-1][0] - events + 1, last_seq=batch[-1][0])
    folder = staging_folder(ws.root)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    quarantine = Quarantine(ws.root / "quarantine" / f"collect-load-{stamp}.csv")
    for source, rows in by_source.items():
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", source)
        path = folder / f"{safe}-{result.first_seq}-{result.last_seq}.jsonl"
        with path.open("wb") as handle:
            handle.write(b"\n".join(rows) + b"\n")
        try:
            done = ingest_file(
                ws, path, mapping_for(source), quarantine=quarantine, types=ROW_TYPES
            )
        finally:
            path.unlink(missing_ok=True)
        result.stored += done.accepted
        result.duplicates += done.duplicates
        result.rejected += done.rejected
        result.suppressed += done.suppressed
        result.conflicts += done.conflicts
        result.quarantine = done.quarantine or result.quarantine
    records.save_checkpoint(result.last_seq)
    return result


class Loader:
    """A background thread running :func:`load_batch` whenever the log grows."""

    def __init__(
        self,
        records: RecordLog,
        open_workspace: OpenWorkspace,
        *,
        batch: int = BATCH,
        interval: float = 0.2,
        after_pass: AfterPass | None = None,
        pace: float = 0.0,
        busy_pace: float | None = None,
        on_quiet: AfterPass | None = None,
        quiet: float = QUIET,
    ) -> None:
        self.records = records
        self.after_pass = after_pass
        #: run once the log has been quiet ``quiet`` seconds after a pass that stored
        #: events (live identity writes its journeys whole, in order, then)
        self.on_quiet = on_quiet
        self.quiet = quiet
        self._quiet_due: float | None = None
        self.open_workspace = open_workspace
        self.batch = batch
        self.interval = interval
        self.pace = pace
        #: the pace after a pass of at least ``BUSY`` events (default: ``pace``)
        self.busy_pace = pace if busy_pace is None else busy_pace
        self.loaded_seq = records.checkpoint()
        self.rate = 0.0  # events stored per second, smoothed: sets Retry-After
        self.last_error: Exception | None = None
        self.totals = LoadResult()
        self._hooked = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="journeyscope-loader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after storing everything durable (the drain a clean shutdown needs)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def run_once(self, *, then_hook: bool = False) -> LoadResult | None:
        """Store one batch now (in the calling thread).

        ``then_hook``: when the batch stored something and less than a batch more waits,
        the after-pass hook (live identity) runs in the same opening of the workspace —
        one connection and one checkpoint at its close instead of two; ``_hooked`` says
        whether it ran."""
        started = time.monotonic()
        self._hooked = False
        with self.open_workspace() as ws:
            result = load_batch(ws, self.records, limit=self.batch)
            if result is None:
                return None
            self._count(result, started)
            if then_hook and self.after_pass is not None and not self._backlog():
                self._hooked = True
                self._hook(ws)
        return result

    def _count(self, result: LoadResult, started: float) -> None:
        count = result.last_seq - result.first_seq + 1
        now_rate = count / max(time.monotonic() - started, 1e-3)
        self.rate = now_rate if not self.rate else 0.7 * self.rate + 0.3 * now_rate
        self.loaded_seq = result.last_seq
        for name in ("stored", "duplicates", "rejected", "suppressed", "conflicts"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(result, name))

    def drain(self) -> None:
        """Store everything durable now."""
        stored = False
        while self.run_once() is not None:
            stored = True
        if stored:
            self._after_pass()

    def _after_pass(self) -> None:
        """The hook after a pass that stored something, in its own opening of the
        workspace; its failure loses nothing (the events are stored) and is retried with
        the next pass."""
        if self.after_pass is None:
            return
        try:
            with self.open_workspace() as ws:
                self._hook(ws)
        except Exception:
            log.exception("collect loader: the after-pass step failed; the events are stored")

    def _when_quiet(self, stored: bool) -> None:
        """``on_quiet`` once the log has been quiet ``quiet`` seconds since the last pass
        that stored events; a failure is logged (the events are stored) and not retried
        until events come again."""
        now = time.monotonic()
        if stored:
            self._quiet_due = now + self.quiet
            return
        if self.on_quiet is None or self._quiet_due is None or now < self._quiet_due:
            return
        if self._stop.is_set():
            return  # stopping: never delay the shutdown by a step nothing needs now
        self._quiet_due = None
        try:
            with self.open_workspace() as ws:
                self.on_quiet(ws)
        except Exception:
            log.exception(
                "collect loader: the quiet-time step failed (tried again after more events)"
            )

    def _hook(self, ws: Workspace) -> None:
        if self.after_pass is None:
            return
        try:
            self.after_pass(ws)
        except Exception:
            log.exception("collect loader: the after-pass step failed; the events are stored")

    def _backlog(self) -> bool:
        """A batch or more waits: the next pass goes now, paced or not."""
        return self.records.durable_seq - self.loaded_seq >= self.batch

    def _run(self) -> None:
        backoff = self.interval
        while True:
            # Read before draining: a stop asked before this pass began comes after every
            # append it must store (``append`` returns once durable), so this pass sees them.
            stopping = self._stop.is_set()
            began = time.monotonic()
            stored = hooked = False
            events = 0  # stored in this round of passes
            try:
                while (
                    done := self.run_once(then_hook=bool(self.pace) and not stopping)
                ) is not None:
                    self.last_error = None
                    stored, hooked = True, self._hooked
                    events += done.last_seq - done.first_seq + 1
                    if self.pace and not stopping and not self._backlog():
                        break  # the rest waits for the next pass, ``pace`` after this one
                if stored and not hooked:
                    self._after_pass()
                backoff = self.interval
            except (JourneyScopeError, OSError) as exc:  # e.g. the workspace is busy: later
                self.last_error = exc
                log.warning("collect loader: %s", exc)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception as exc:  # never die quietly: the log keeps the events; retry
                self.last_error = exc
                log.exception("collect loader: unexpected error, retrying")
                backoff = min(backoff * 2, MAX_BACKOFF)
            if stopping and self.last_error is None:
                return
            if not stopping and self.last_error is None:
                self._when_quiet(stored)
            if stopping and backoff >= MAX_BACKOFF:
                return  # cannot store now: the log keeps the events for the next start
            if stored and self.pace and not self._backlog():
                pace = self.busy_pace if events >= BUSY else self.pace
                self._stop.wait(max(0.0, began + pace - time.monotonic()))
            # events left by a paced pass go now: their wake-up may have come before it
            left = self.last_error is None and self.records.durable_seq > self.loaded_seq
            if not left:
                self._wake.wait(backoff)
            self._wake.clear()
