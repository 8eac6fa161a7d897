"""The record log: durability with group commit, torn and corrupt tails, rotation, full disk."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from journeyscope.collect.errors import DiskFull
from journeyscope.collect.log import HEADER, RecordLog


def payloads(prefix: str, n: int) -> list[bytes]:
    return [f"{prefix}-{i}".encode() for i in range(n)]


def test_append_read_and_reopen(tmp_path: Path) -> None:
    log = RecordLog(tmp_path)
    assert log.append(payloads("a", 3)) == 3
    assert log.append([b"b"]) == 4
    assert [p for _, p in log.read(0, 10)] == [b"a-0", b"a-1", b"a-2", b"b"]
    assert [s for s, _ in log.read(2, 1)] == [3]
    log.close()
    again = RecordLog(tmp_path)
    assert (again.recovery.last_seq, again.recovery.records, again.recovery.dropped_bytes) == (
        4,
        4,
        0,
    )
    assert again.append([b"c"]) == 5


def test_a_record_of_several_entries_takes_their_seqs(tmp_path: Path) -> None:
    """A request's events are one record: seqs still count events, so the loader's lag and
    its batches are in events; a reopened log and an old one-entry record read alike."""
    log = RecordLog(tmp_path)
    assert log.append([b"one"]) == 1
    assert log.append([b"a\nb\nc", b"d\ne"], [3, 2]) == 6
    assert log.append([b"f"]) == 7
    assert log.read(0, 100) == [(1, b"one"), (4, b"a\nb\nc"), (6, b"d\ne"), (7, b"f")]
    # a batch stops once it holds ``limit`` entries, never inside a record
    assert [s for s, _ in log.read(0, 2)] == [1, 4]
    assert [s for s, _ in log.read(4, 2)] == [6]
    assert [s for s, _ in log.read(1, 1)] == [4]
    with pytest.raises(ValueError, match="at least one"):
        log.write([b"x"], [0])
    with pytest.raises(ValueError, match="at least one"):
        log.write([b"x", b"y"], [1])
    log.close()
    again = RecordLog(tmp_path)
    assert (again.recovery.last_seq, again.recovery.records) == (7, 4)
    assert again.append([b"g"]) == 8


def test_group_commit_shares_fsyncs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many threads append at once; every append returns durable, with fewer fsyncs."""
    log = RecordLog(tmp_path)
    real = os.fsync
    calls = 0

    def counting(fd: int) -> None:
        nonlocal calls
        calls += 1
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    threads, per_thread = 16, 25
    done: list[int] = []
    start = threading.Barrier(threads)

    def work(t: int) -> None:
        start.wait()
        for i in range(per_thread):
            seq = log.append([f"{t}-{i}".encode()])
            assert log.durable_seq >= seq  # returned only once durable
            done.append(seq)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    appends = threads * per_thread
    assert sorted(done) == list(range(1, appends + 1))
    assert 0 < calls < appends, f"{calls} fsyncs for {appends} appends"
    assert log.fsyncs == calls
    assert len(log.read(0, appends + 1)) == appends


def test_torn_tail_is_cut_to_the_last_whole_record(tmp_path: Path) -> None:
    log = RecordLog(tmp_path)
    log.append(payloads("x", 5))
    log.close()
    (segment,) = (tmp_path / "log").glob("*.log")
    whole = segment.stat().st_size
    with segment.open("r+b") as handle:
        handle.truncate(whole - 3)  # the last record loses its end
    again = RecordLog(tmp_path)
    record = HEADER.size + len(b"x-4")
    assert again.recovery.records == 4
    assert again.recovery.dropped_bytes == record - 3
    assert again.recovery.cut_segments == [segment.name]
    assert segment.stat().st_size == whole - record
    assert again.append([b"next"]) == 5  # the cut record's seq is used again: it was never acked
    assert [p for _, p in again.read(0, 10)][-2:] == [b"x-3", b"next"]


def test_corrupt_crc_drops_the_record_and_what_follows(tmp_path: Path) -> None:
    log = RecordLog(tmp_path)
    log.append(payloads("y", 4))
    log.close()
    (segment,) = (tmp_path / "log").glob("*.log")
    data = bytearray(segment.read_bytes())
    third = 2 * (HEADER.size + len(b"y-0"))
    data[third + HEADER.size] ^= 0xFF  # a bit flipped in the third record's payload
    segment.write_bytes(bytes(data))
    again = RecordLog(tmp_path)
    assert again.recovery.records == 2
    assert again.recovery.dropped_bytes == 2 * (HEADER.size + 3)
    assert [p for _, p in again.read(0, 10)] == [b"y-0", b"y-1"]


def test_segments_rotate_and_the_checkpoint_drops_old_ones(tmp_path: Path) -> None:
    log = RecordLog(tmp_path, segment_bytes=200)
    for i in range(30):
        log.append([f"record-{i:03d}".encode()])
    segments = log.segments()
    assert len(segments) > 3
    assert [p for _, p in log.read(0, 100)] == [f"record-{i:03d}".encode() for i in range(30)]
    assert [s for s, _ in log.read(17, 3)] == [18, 19, 20]
    log.save_checkpoint(20)
    assert log.checkpoint() == 20
    left = log.segments()
    assert len(left) < len(segments) and int(left[0].stem) <= 21
    assert [s for s, _ in log.read(20, 100)] == list(range(21, 31))
    log.close()
    again = RecordLog(tmp_path, segment_bytes=200)
    assert again.recovery.last_seq == 30 and again.append([b"z"]) == 31


def test_full_disk_refuses_before_writing(tmp_path: Path) -> None:
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    log = RecordLog(tmp_path, reserve_bytes=free + (1 << 30))
    with pytest.raises(DiskFull) as caught:
        log.append([b"a"])
    assert caught.value.http_status == 503 and caught.value.message("vi")
    assert log.read(0, 10) == [] and log.durable_seq == 0


def test_free_space_is_read_again_before_a_write_could_pass_the_reserve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a ``statvfs`` per request: the space read last, less what was written since,
    is trusted for a moment, but never when it would not cover the next write."""
    log = RecordLog(tmp_path, reserve_bytes=(1 << 20) - 1000)
    reads = []

    def statvfs(path: object) -> os.statvfs_result:
        reads.append(path)
        return os.statvfs_result((4096, 4096, 256, 256, 256, 0, 0, 0, 0, 255))  # 1 MiB free

    monkeypatch.setattr(os, "statvfs", statvfs)
    log.append([b"a" * 100])
    log.append([b"b" * 100])  # the estimate covers it: no read
    assert len(reads) == 1
    with pytest.raises(DiskFull):
        log.append([b"c" * 1000])  # it would not: read again, and refused
    assert len(reads) == 2 and [p for _, p in log.read(0, 10)] == [b"a" * 100, b"b" * 100]


WRITER = """
import resource, signal, sys
from pathlib import Path
from journeyscope.collect.errors import DiskFull
from journeyscope.collect.log import RecordLog
log = RecordLog(Path(sys.argv[1]), reserve_bytes=0)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (5000, 5000))  # the file cannot grow past 5000 B
acked = 0
try:
    while True:
        log.append([b"p" * 300])
        acked += 1
except DiskFull as exc:
    print(acked, exc.code)
"""


def test_a_write_that_fails_midway_leaves_no_partial_record(tmp_path: Path) -> None:
    """A real short write (the file size limit gives EFBIG, as a full disk gives ENOSPC)."""
    run = subprocess.run(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    acked, code = run.stdout.split()
    assert code == "disk_full", run.stderr
    again = RecordLog(tmp_path)
    assert again.recovery.dropped_bytes == 0  # the half-written record was taken back
    assert again.recovery.records == int(acked) > 0


def test_concurrent_appends_across_rotations_keep_every_record_once(tmp_path: Path) -> None:
    log = RecordLog(tmp_path, segment_bytes=300)
    pool = [
        threading.Thread(target=lambda t=t: [log.append([f"{t}:{i}".encode()]) for i in range(30)])
        for t in range(8)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    records = log.read(0, 1000)
    assert [s for s, _ in records] == list(range(1, 241))
    assert sorted(p for _, p in records) == sorted(
        f"{t}:{i}".encode() for t in range(8) for i in range(30)
    )
    assert len(log.segments()) > 5
    log.close()
    assert RecordLog(tmp_path, segment_bytes=300).recovery.records == 240


def test_an_unreadable_checkpoint_replays_everything(tmp_path: Path) -> None:
    log = RecordLog(tmp_path)
    log.append(payloads("c", 3))
    log.save_checkpoint(2)
    log.checkpoint_file.write_text("{not json", encoding="utf-8")
    assert log.checkpoint() == 0  # replay is safe: the store drops what it already has


def test_a_loaded_old_segment_leaves_the_disk(tmp_path: Path) -> None:
    """Events of a person forgotten after loading do not stay in the active segment."""
    log = RecordLog(tmp_path, max_age=0)
    log.append([b"lan@example.vn"])
    (first,) = log.segments()
    log.save_checkpoint(1)
    assert not first.exists()
    assert [p.stat().st_size for p in log.segments()] == [0]
    assert log.append([b"next"]) == 2
    log.close()
    assert RecordLog(tmp_path).recovery.last_seq == 2


def test_the_collector_reports_a_cut_tail(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from journeyscope.collect import Collector

    body = b'{"batch": [{"type": "track", "userId": "u", "event": "x", "messageId": "1"}]}'
    first = Collector(tmp_path)
    first.accept("batch", body, source="segment:web")
    first.log.close()
    (segment,) = (tmp_path / "collect" / "log").glob("*.log")
    with segment.open("ab") as handle:
        handle.write(b"\x10\x00")  # a record header cut short by a crash
    with caplog.at_level("WARNING"):
        again = Collector(tmp_path)
    assert again.metrics()["log_bytes_cut_at_open"] == 2
    assert "cut 2 bytes" in caplog.text
    assert again.lag == 1  # the acknowledged event is still there to load


def test_one_process_at_a_time_holds_the_log(tmp_path: Path) -> None:
    from journeyscope.errors import WorkspaceBusy

    first = RecordLog(tmp_path)
    with pytest.raises(WorkspaceBusy, match="another server"):
        RecordLog(tmp_path)
    first.close()
    RecordLog(tmp_path).close()  # free again once closed


def test_write_never_syncs_or_rotates_wait_does(tmp_path: Path) -> None:
    """The server writes on its event loop: ``write`` must not wait for a disk. A full
    segment is rotated by the ``wait`` that makes its records durable."""
    log = RecordLog(tmp_path, segment_bytes=100)
    log.append([b"x" * 120])  # past the segment size: rotated after it is durable
    assert len(log.segments()) == 2
    before = log.fsyncs
    seq = log.write([b"y" * 120])
    assert log.fsyncs == before and log.durable_seq < seq and len(log.segments()) == 2
    assert log.read(0, 10) == [(1, b"x" * 120)]  # not durable: not read yet
    log.wait(seq)
    assert log.durable_seq == seq and len(log.segments()) == 3
    assert [p for _, p in log.read(0, 10)] == [b"x" * 120, b"y" * 120]
    log.close()


def test_a_rotation_does_not_hold_the_lock_while_it_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rotation's fsync of the full segment runs outside the lock: a write (the
    server's event loop) meanwhile goes through at once, into the next segment."""
    log = RecordLog(tmp_path, segment_bytes=100)
    first = log.write([b"x" * 120])
    syncing = threading.Event()
    release = threading.Event()
    real_fsync = os.fsync

    log.wait(first)  # durable, and the full segment rotated
    second = log.write([b"y" * 120])  # fills the next one too

    def slow_fsync(fd: int) -> None:
        if log.durable_seq >= second:  # past the group commit: the rotation's own sync
            syncing.set()
            release.wait(30)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    rotating = threading.Thread(target=log.wait, args=(second,))
    rotating.start()
    assert syncing.wait(10)  # the rotation is inside its fsync now
    written: list[int] = []
    writer = threading.Thread(target=lambda: written.append(log.write([b"z"])))
    writer.start()
    writer.join(5)
    blocked = writer.is_alive()
    release.set()
    writer.join(10)
    rotating.join(10)
    assert not blocked, "a write waited for the rotation's fsync"
    third = written[0]
    monkeypatch.setattr(os, "fsync", real_fsync)
    log.wait(third)
    assert [p for _, p in log.read(0, 10)] == [b"x" * 120, b"y" * 120, b"z"]
    log.close()
    assert RecordLog(tmp_path, segment_bytes=100).recovery.records == 3
