"""The collection log: append-only, length-prefixed, CRC-checked records with group commit.

A request is acknowledged only after its records are on disk, so :meth:`RecordLog.append`
returns after an ``fsync`` that covers them. Many concurrent appends share one ``fsync``
(group commit): the first waiter becomes the leader and syncs everything written so far;
those who wrote meanwhile wait for the next leader. A record is::

    length (4 bytes) | crc32 of seq+payload (4) | seq (8) | payload (length bytes)

little-endian. A record may hold several entries (a request's events: one write, one CRC
and one read for all of them): seqs number the entries, and a record's seq is its last
entry's, so it holds the entries after the previous record's seq up to its own. Segments
(``collect/log/<first seq>.log``) rotate by size; ``checkpoint`` holds the last seq the
loader stored. On open, each segment is read to its last whole, correct record and cut
there: a torn or corrupt tail is dropped and reported (such a tail was never acknowledged,
since its fsync did not return).
"""

from __future__ import annotations

import errno
import fcntl
import itertools
import json
import logging
import math
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from journeyscope.collect.errors import DiskFull
from journeyscope.errors import JourneyScopeError, WorkspaceBusy, output_failure

log = logging.getLogger(__name__)
HEADER = struct.Struct("<IIQ")
MAX_RECORD = 1 << 20
#: The loader reads the log this much at a time (more than the largest record).
READ_CHUNK = 4 << 20
SEGMENT_BYTES = 64 << 20
#: Refuse new events while less than this is free: the store and the OS need room too.
RESERVE_BYTES = 64 << 20
#: A wholly loaded segment older than this is closed so the checkpoint can delete it: the
#: events of a person forgotten meanwhile do not wait for 64 MB of traffic to leave the disk.
MAX_AGE = 600.0
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
#: Seconds the free space read from the file system is trusted (less what was written).
SPACE_EVERY = 0.1


@dataclass
class Recovery:
    """What opening the log found: its last seq, and the tail it cut off (if any)."""

    last_seq: int = 0
    records: int = 0
    dropped_bytes: int = 0
    cut_segments: list[str] = field(default_factory=list)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lock(folder: Path) -> int:
    """Hold the log alone: two servers appending to one log would interleave records.
    The kernel lets the lock go when the process dies, ``kill -9`` included."""
    fd = os.open(folder / "lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise WorkspaceBusy(
            f"the collection log {folder} is in use by another server",
            f"nhật ký thu thập {folder} đang được một máy chủ khác dùng",
            hint_en="serve each workspace from one process; stop the other server first",
            hint_vi="mỗi workspace chỉ do một tiến trình phục vụ; hãy dừng máy chủ kia trước",
        ) from None
    return fd


_SEQ = struct.Struct("<Q")


def encode(seq: int, payload: bytes) -> bytes:
    """A record: length, CRC-32 of the seq's bytes then the payload, seq, payload (the
    CRC carried over the two parts: no copy of the payload to check it)."""
    crc = zlib.crc32(payload, zlib.crc32(_SEQ.pack(seq)))
    return HEADER.pack(len(payload), crc, seq) + payload


def _scan(path: Path) -> tuple[list[tuple[int, int, int]], int]:
    """(seq, offset, length) of every whole, correct record, and where they end."""
    found: list[tuple[int, int, int]] = []
    data = path.read_bytes()
    offset = 0
    while offset + HEADER.size <= len(data):
        length, crc, seq = HEADER.unpack_from(data, offset)
        end = offset + HEADER.size + length
        if length > MAX_RECORD or end > len(data):
            break
        payload = data[offset + HEADER.size : end]
        if zlib.crc32(struct.pack("<Q", seq) + payload) != crc:
            break
        found.append((seq, offset, length))
        offset = end
    return found, offset


class RecordLog:
    """The log of one workspace's collected events (``WORKSPACE/collect/``)."""

    def __init__(
        self,
        folder: Path,
        *,
        segment_bytes: int = SEGMENT_BYTES,
        reserve_bytes: int = RESERVE_BYTES,
        max_age: float = MAX_AGE,
    ) -> None:
        self.folder = folder / "log"
        self.checkpoint_file = folder / "checkpoint.json"
        self.segment_bytes = segment_bytes
        self.reserve_bytes = reserve_bytes
        self.max_age = max_age
        self._cond = threading.Condition()
        self._syncing = False
        self._failed: OSError | None = None
        self.fsyncs = 0
        # the free space last read, when, and what was written since (``_check_space``)
        self._free = 0
        self._free_at = -math.inf
        self._written_since = 0
        self._cursor: tuple[str, int, int] | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock_fd = _lock(self.folder)
            self.recovery = self._recover()
            self._written = self._durable = self.recovery.last_seq
            self._open_segment()
        except OSError as exc:
            raise output_failure(self.folder, exc) from exc

    # -- opening -------------------------------------------------------------------------

    def segments(self) -> list[Path]:
        return sorted(self.folder.glob("*.log"))

    def _recover(self) -> Recovery:
        found = Recovery(last_seq=self.checkpoint())
        for path in self.segments():
            records, end = _scan(path)
            size = path.stat().st_size
            if end < size:  # a torn or corrupt tail: never acknowledged, cut it off
                with path.open("r+b") as handle:
                    handle.truncate(end)
                    os.fsync(handle.fileno())
                found.dropped_bytes += size - end
                found.cut_segments.append(path.name)
            found.records += len(records)
            if records:
                found.last_seq = max(found.last_seq, records[-1][0])
        return found

    def _open_segment(self) -> None:
        existing = self.segments()
        if existing and existing[-1].stat().st_size < self.segment_bytes:
            path = existing[-1]
        else:
            path = self.folder / f"{self._written + 1:020d}.log"
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._size = os.fstat(self._fd).st_size
        self._opened = time.monotonic()
        _fsync_dir(self.folder)

    def close(self) -> None:
        with self._cond:
            while self._syncing:
                self._cond.wait()
            os.fsync(self._fd)
            os.close(self._fd)
            os.close(self._lock_fd)  # releases the lock

    # -- appending -----------------------------------------------------------------------

    def _check_space(self, size: int) -> None:
        """Refuse a write that would leave less than the reserve free. The free space is
        read at most every :data:`SPACE_EVERY` seconds, less what this log wrote since,
        unless that estimate is short (a ``statvfs`` per request was a twentieth of the
        event loop). What others write meanwhile (the store, other workspaces' logs) is
        not in the estimate: a disk they fill still fails the write itself, which is
        refused the same way (ENOSPC, the record cut back), on file systems that report
        a full disk at ``write``; one that reports it only at ``fsync`` stops the log."""
        now = time.monotonic()
        free = self._free - self._written_since
        if now - self._free_at > SPACE_EVERY or free < size + self.reserve_bytes:
            stats = os.statvfs(self.folder)
            free = self._free = stats.f_bavail * stats.f_frsize
            self._free_at, self._written_since = now, 0
            if free < size + self.reserve_bytes:
                raise disk_full(self.folder, free)
        self._written_since += size

    def _write(self, payloads: list[bytes], entries: list[int] | None) -> int:
        """Write records after the last one (under the lock); returns the last seq.

        Never waits for a sync nor syncs: the server calls it on its event loop. A full
        segment is rotated by :meth:`wait` once the writes in it are durable, so a segment
        may pass ``segment_bytes`` by the requests written meanwhile."""
        size = sum(HEADER.size + len(p) for p in payloads)
        self._check_space(size)
        seq = self._written  # read only now: others may have written while we waited
        if entries is None:
            data = b"".join(encode(seq + i + 1, p) for i, p in enumerate(payloads))
            last = seq + len(payloads)
        else:
            parts = []
            last = seq
            for payload, count in zip(payloads, entries, strict=True):
                last += count
                parts.append(encode(last, payload))
            data = b"".join(parts)
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            os.ftruncate(self._fd, self._size)  # no partial record stays behind
            if exc.errno in FULL:
                raise disk_full(self.folder, None) from exc
            raise output_failure(self.folder, exc) from exc
        self._size += len(data)
        self._written = last
        return last

    def _rotate(self) -> None:
        """Start the next segment, then sync and close the full one outside the lock, as
        :meth:`_lead_sync` does: a ``write`` on the event loop never waits for it. Called
        with the lock held and no sync running; the full segment's records count as
        durable once its fsync returns (no other sync runs meanwhile)."""
        old, target = self._fd, self._written
        path = self.folder / f"{self._written + 1:020d}.log"
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:  # keep writing the full segment; the next wait tries again
            raise output_failure(self.folder, exc) from exc
        self._size = 0
        self._opened = time.monotonic()

        def sync_full() -> None:
            os.fsync(old)
            os.close(old)
            _fsync_dir(self.folder)  # the new segment's name is on disk before its records

        self._sync_outside(target, sync_full)

    def append(self, payloads: list[bytes], entries: list[int] | None = None) -> int:
        """Write ``payloads`` as records and return the last one's seq once all are durable.

        Raises :class:`DiskFull` (nothing acknowledged) when the disk is full."""
        return self.wait(self.write(payloads, entries))

    def write(self, payloads: list[bytes], entries: list[int] | None = None) -> int:
        """Write ``payloads`` as records, not waiting for the disk: the last one's seq, to
        :meth:`wait` for before anything is acknowledged. (The server writes on its event
        loop and waits on a thread, so parsing never hops threads.)

        ``entries``: how many entries (seqs) each record holds; one each by default."""
        if any(len(p) > MAX_RECORD for p in payloads):
            raise ValueError("a record is over the log's maximum size")
        if entries is not None and (len(entries) != len(payloads) or min(entries, default=1) < 1):
            raise ValueError("each record holds at least one entry")
        with self._cond:
            if self._failed is not None:
                raise _failure(self.folder, self._failed)
            return self._write(payloads, entries)

    def wait(self, seq: int) -> int:
        """Return ``seq`` once every record up to it is durable: lead an fsync when none
        is running, else wait for the one that is (group commit)."""
        with self._cond:
            while self._durable < seq:
                if self._failed is not None:
                    raise _failure(self.folder, self._failed)
                if self._syncing:
                    self._cond.wait()
                    continue
                self._lead_sync()
            if self._size >= self.segment_bytes and not self._syncing:
                try:  # the next records start a segment; these are durable whatever happens
                    self._rotate()
                except JourneyScopeError as exc:  # a failed sync stops the log (_failed)
                    log.warning("collect log: the full segment was not rotated: %s", exc)
            return seq

    def _lead_sync(self) -> None:
        """Sync everything written so far, outside the lock so others can keep writing."""
        fd = self._fd
        self._sync_outside(self._written, lambda: os.fsync(fd))

    def _sync_outside(self, target: int, sync: Callable[[], None]) -> None:
        """Run ``sync`` with the lock released and no other sync running; then every record
        up to ``target`` is durable. Called with the lock held. A failed sync stops the
        log: the kernel may have dropped the pages, so nothing after it is acknowledged."""
        self._syncing = True
        self._cond.release()
        try:
            sync()
        except OSError as exc:
            self._failed = exc
            raise _failure(self.folder, exc) from exc
        finally:
            self._cond.acquire()
            self._syncing = False
            self._cond.notify_all()
        self.fsyncs += 1
        self._durable = max(self._durable, target)

    @property
    def durable_seq(self) -> int:
        """The last seq on disk. Read without the lock (an int attribute is read whole):
        every request asks it for the loader's lag, and a lock here queues them all."""
        return self._durable

    # -- reading and the checkpoint ------------------------------------------------------

    def read(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Durable records with a seq above ``after``, in order, holding about ``limit``
        entries: reading stops once that many are read (never inside a record).

        The loader reads on from where it stopped (a cursor), so a batch costs what it reads,
        not a scan of the segment."""
        upto = self.durable_seq
        cursor = self._cursor if self._cursor and self._cursor[2] == after else None
        out: list[tuple[int, bytes]] = []
        paths = self.segments()
        starts = [int(p.stem) for p in paths]
        for i, path in enumerate(paths):
            if i + 1 < len(starts) and starts[i + 1] <= after + 1:
                continue  # every record of this segment is at or below ``after``
            if cursor and path.name < cursor[0]:
                continue
            offset = cursor[1] if cursor and path.name == cursor[0] else 0
            if self._read_segment(path, offset, after, upto, limit, out):
                break
        return out

    def _read_segment(
        self,
        path: Path,
        offset: int,
        after: int,
        upto: int,
        limit: int,
        out: list[tuple[int, bytes]],
    ) -> bool:
        """Append records of one segment to ``out``; True when no more should be read.

        Read a chunk at a time (a record never exceeds one) and cut records from it: two
        reads per record cost the loader a third of its pass at 50,000 records."""
        with path.open("rb") as handle:
            while not out or out[-1][0] - after < limit:
                handle.seek(offset)
                chunk = handle.read(READ_CHUNK)
                pos, done = self._records(chunk, path.name, offset, after, upto, limit, out)
                offset += pos
                if done:
                    return True
                if len(chunk) < READ_CHUNK:  # the end of the segment (or a record being written)
                    return False
        return True

    def _records(
        self,
        chunk: bytes,
        name: str,
        start: int,
        after: int,
        upto: int,
        limit: int,
        out: list[tuple[int, bytes]],
    ) -> tuple[int, bool]:
        """Whole records of ``chunk`` (read at ``start``) into ``out``: how far they reach,
        and whether reading should stop (a record not yet durable)."""
        pos = 0
        size = HEADER.size
        while (not out or out[-1][0] - after < limit) and pos + size <= len(chunk):
            length, _, seq = HEADER.unpack_from(chunk, pos)
            end = pos + size + length
            if seq > upto:
                return pos, True
            if end > len(chunk):
                break
            if seq > after:
                out.append((seq, chunk[pos + size : end]))
                self._cursor = (name, start + end, seq)
            pos = end
        return pos, False

    def checkpoint(self) -> int:
        """The last seq the loader has stored (0 when none)."""
        try:
            return int(json.loads(self.checkpoint_file.read_text(encoding="utf-8"))["seq"])
        except FileNotFoundError:
            return 0
        except (ValueError, KeyError, TypeError):  # unreadable: replay all, ingest dedups
            return 0

    def save_checkpoint(self, seq: int) -> None:
        """Record durably that every record up to ``seq`` is stored, and drop whole segments
        the loader no longer needs."""
        tmp = self.checkpoint_file.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump({"seq": seq}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.checkpoint_file)
        _fsync_dir(self.checkpoint_file.parent)
        with self._cond:
            old = time.monotonic() - self._opened >= self.max_age
            if old and self._size and seq >= self._written:
                while self._syncing:
                    self._cond.wait()
                self._rotate()
        paths = self.segments()
        for path, following in itertools.pairwise(paths):
            if int(following.stem) <= seq + 1:
                path.unlink()


def disk_full(folder: Path, free: int | None) -> DiskFull:
    left_en = f" ({free // (1 << 20)} MB free)" if free is not None else ""
    left_vi = f" (còn {free // (1 << 20)} MB)" if free is not None else ""
    return DiskFull(
        f"the disk of {folder} is full{left_en}: events refused, nothing acknowledged",
        f"ổ đĩa của {folder} đã đầy{left_vi}: sự kiện bị từ chối, chưa có gì được nhận",
        hint_en="free some space; clients retry and nothing is lost",
        hint_vi="hãy giải phóng dung lượng; máy khách sẽ gửi lại, không mất gì",
    )


def _failure(folder: Path, exc: OSError) -> JourneyScopeError:
    return disk_full(folder, None) if exc.errno in FULL else output_failure(folder, exc)
