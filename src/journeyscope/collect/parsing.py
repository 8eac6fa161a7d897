"""Collection bodies parsed in worker processes: the server's event loop keeps to HTTP.

Parsing a batch on the event loop (msgspec's decode, the checks, each message's row and
its JSON) took about 10 µs an event, under the one GIL the loader's thread shares: the
loop, not the cores, capped what one server collects (bench/RESULTS.md). A
:class:`ParserPool` sends each body over a socket pair to a worker process
(``python -m journeyscope.collect.parsing FD``) that parses it with the same
:func:`~journeyscope.collect.segment.parse_body` and answers the rows as JSON lines, cut
into log records (:func:`row_chunks`): the server only adds the source and writes them.

Only clean bodies come back parsed. A body with any refused message, or one refused whole
(not JSON, too large, broken gzip), comes back as ``None``, "parse it yourself": the server
parses it the way it did before the pool, so every refusal, its 400 and its quarantine line
come from one code path. A worker that dies, or takes longer than :data:`TIMEOUT`, sends
its requests in flight the same way (none of them was written to the log), and another
starts in its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

import msgspec

from journeyscope.collect import log as record_log
from journeyscope.collect import structs
from journeyscope.collect.segment import EPOCH, decode_body, parse_body

log = logging.getLogger(__name__)

FRAME = struct.Struct("<I")
PR_SET_PDEATHSIG = 1  # prctl(2)
#: Room a record leaves for its source's prefix (``segment:<name>`` and the separator):
#: a worker cuts rows into records of at most ``MAX_RECORD - PREFIX_ROOM`` bytes.
PREFIX_ROOM = 256
#: Seconds a worker may go without answering any body while one waits: then it is taken
#: for hung, stopped, and its bodies are parsed here.
TIMEOUT = 10.0
#: Bodies one worker may hold unanswered; past that the server parses a body itself (a
#: queue of ~6,000 events, a tenth of a second's parsing: latency stays bounded).
MAX_IN_FLIGHT = 64
#: Seconds between two starts of a worker (one that dies at once does not spin); doubled
#: after each worker that died before answering a body, up to :data:`RESTART_MOST`.
RESTART_EVERY = 1.0
RESTART_MOST = 60.0
#: The most workers the default gives (more cores than this go to the loader and DuckDB).
MAX_DEFAULT = 4

#: a request: its id, the call type, the body, its Content-Encoding, received (epoch µs)
Request = tuple[int, str, bytes, str | None, int]
#: an answer: the request's id, whether it parsed cleanly, the body's writeKey, the rows'
#: JSON lines joined in records' worth, and how many rows each holds
Answer = tuple[int, bool, str | None, list[bytes], list[int]]


@dataclass
class Lines:
    """A clean body, parsed: its rows as JSON lines in records' worth (without the source)."""

    write_key: str | None
    chunks: list[bytes] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.counts)


def default_workers(cores: int | None = None) -> int:
    """One worker per core beyond the first, at most :data:`MAX_DEFAULT` (none on one
    core: a second process would only take turns with the first).

    A worker costs more CPU than parsing on the loop (the body crosses a socket; about 3 µs
    an event more in all), but it takes the parse off the GIL the event loop shares with
    the loader: on 2 cores one worker gave more events a second and a lower p99 in 5 of 6
    paired runs (bench/RESULTS.md)."""
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cores = os.cpu_count() or 1
    return max(0, min(MAX_DEFAULT, cores - 1))


def row_chunks(lines: list[bytes], room: int) -> tuple[list[bytes], list[int]]:
    """JSON lines joined by newlines, a new chunk before one would pass ``room`` bytes (a
    line longer than that gets a chunk alone), and how many lines each chunk holds."""
    if not lines:
        return [], []
    chunks: list[bytes] = []
    counts: list[int] = []
    start, size = 0, 0
    for i, line in enumerate(lines):
        if i > start and size + len(line) + 1 > room:
            chunks.append(b"\n".join(lines[start:i]))
            counts.append(i - start)
            start, size = i, 0
        size += len(line) + 1
    chunks.append(b"\n".join(lines[start:]))
    counts.append(len(lines) - start)
    return chunks, counts


def parse_lines(
    kind: str, body: bytes, encoding: str | None, received_at: datetime
) -> Lines | None:
    """A body's rows as :class:`Lines`, or None unless every message of it is valid."""
    try:
        parsed = parse_body(kind, decode_body(body, encoding, kind=kind), received_at=received_at)
    except Exception:  # refused whole (or a fault): the server's own parse says why
        return None
    if parsed.problems:
        return None
    lines = [structs.row_json(row) for row in parsed.rows]
    chunks, counts = row_chunks(lines, record_log.MAX_RECORD - PREFIX_ROOM)
    return Lines(parsed.write_key, chunks, counts)


# --- the worker process ----------------------------------------------------------------


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None  # short: the server closed its end


def _die_with(parent: int) -> None:
    """End this process when the server does, even stuck in a parse (the socket's end
    is only seen at the next read): Linux's parent-death signal, and a check that the
    server was not gone before it was set."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def serve(fd: int, parent: int | None = None) -> None:
    """A worker: answer requests from the socket ``fd`` until the server closes it (or
    dies: the kernel closes its end, and kills this process)."""
    # the server decides when its workers stop: it starts them in a session of their
    # own, so a Ctrl-C at the terminal or a SIGTERM to the group reaches only the server
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if parent is not None:
        _die_with(parent)
    from journeyscope.longlived import long_lived_gc

    long_lived_gc()
    decode = msgspec.msgpack.Decoder(tuple[int, str, bytes, str | None, int]).decode
    encode = msgspec.msgpack.Encoder().encode
    with socket.socket(fileno=fd) as sock, sock.makefile("rb") as stream:
        while True:
            header = _read_exactly(stream, FRAME.size)
            if header is None:
                return
            frame = _read_exactly(stream, FRAME.unpack(header)[0])
            if frame is None:
                return
            ident, kind, body, encoding, micros = decode(frame)
            found = parse_lines(kind, body, encoding, EPOCH + timedelta(microseconds=micros))
            answer: Answer = (
                (ident, True, found.write_key, found.chunks, found.counts)
                if found is not None
                else (ident, False, None, [], [])
            )
            payload = encode(answer)
            sock.sendall(FRAME.pack(len(payload)) + payload)


# --- the server's side -----------------------------------------------------------------


class _Worker(asyncio.Protocol):
    """One worker process and its socket, on the server's event loop."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.transport: asyncio.Transport | None = None
        self.waiting: dict[int, asyncio.Future[Lines | None]] = {}
        self.alive = True
        self.answered = 0
        self.progress = time.monotonic()  # when it last answered (or started)
        self._buffer = bytearray()
        self._decode = msgspec.msgpack.Decoder(
            tuple[int, bool, str | None, list[bytes], list[int]]
        ).decode

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream's (uvloop's too)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        start = 0
        while len(buffer) - start >= FRAME.size:
            (size,) = FRAME.unpack_from(buffer, start)
            end = start + FRAME.size + size
            if len(buffer) < end:
                break
            ident, clean, write_key, chunks, counts = self._decode(
                memoryview(buffer)[start + FRAME.size : end]
            )
            start = end
            self.answered += 1
            self.progress = time.monotonic()
            future = self.waiting.pop(ident, None)
            if future is not None and not future.done():
                future.set_result(Lines(write_key, chunks, counts) if clean else None)
        del buffer[:start]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.alive:  # not stopped by us: the process died
            log.warning(
                "a collection parser process stopped (exit code %s); its bodies are parsed "
                "by the server, and another starts",
                self.proc.poll(),
            )
        self.stop()

    def ask(self, ident: int, frame: bytes) -> asyncio.Future[Lines | None]:
        future: asyncio.Future[Lines | None] = asyncio.get_running_loop().create_future()
        self.waiting[ident] = future
        assert self.transport is not None
        self.transport.write(frame)
        return future

    def stop(self) -> None:
        """No more requests; those in flight are answered None (parsed by the server)."""
        if not self.alive:
            return
        self.alive = False
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_result(None)
        if self.transport is not None:
            self.transport.close()
        with contextlib.suppress(ProcessLookupError):
            if self.proc.poll() is None:
                self.proc.kill()
        # reaped by the pool's next request or its close() (no zombie piles up)


class ParserPool:
    """Worker processes parsing collection bodies for one server (started on first use)."""

    def __init__(self, workers: int, *, timeout: float = TIMEOUT) -> None:
        self.size = workers
        self.timeout = timeout
        #: counters for ``/metrics``: processes started, bodies parsed by them, bodies
        #: returned for the server to parse (refused messages, or no worker could answer)
        self.started = self.parsed = self.returned = 0
        self._workers: list[_Worker] = []
        self._dead: list[subprocess.Popen[bytes]] = []
        self._next_start = self._last_start = 0.0
        self._delay = RESTART_EVERY
        self._starting = False
        self._ids = 0
        self._closed = False
        self._encode = msgspec.msgpack.Encoder().encode

    @property
    def alive(self) -> int:
        return sum(worker.alive for worker in self._workers)

    async def parse(
        self, kind: str, body: bytes, encoding: str | None, received_at: datetime
    ) -> Lines | None:
        """The body's rows, parsed by a worker; None: parse it here (a body with a refused
        message, or no worker could take it)."""
        found = await self._ask(kind, body, encoding, received_at)
        if found is None:
            self.returned += 1
        else:
            self.parsed += 1
        return found

    async def _ask(
        self, kind: str, body: bytes, encoding: str | None, received_at: datetime
    ) -> Lines | None:
        """The pool's answer, which is never an error: whatever fails here (no file
        descriptor left for a socket, a broken interpreter path) is "parse it here"."""
        try:
            worker = await self._worker()
            if worker is None or len(worker.waiting) >= MAX_IN_FLIGHT:
                return None  # none, or it has enough queued: the server parses this one
            self._ids += 1
            micros = (received_at - EPOCH) // timedelta(microseconds=1)
            request: Request = (self._ids, kind, body, encoding, micros)
            payload = self._encode(request)
            future = worker.ask(self._ids, FRAME.pack(len(payload)) + payload)
        except Exception:
            log.exception("a body was not sent to a collection parser; parsed by the server")
            return None
        while True:
            try:
                async with asyncio.timeout(self.timeout):
                    return await asyncio.shield(future)
            except TimeoutError:
                # hung, unless it answered other bodies meanwhile (a queue, not a hang)
                if worker.alive and time.monotonic() - worker.progress < self.timeout:
                    continue
                log.warning(
                    "a collection parser answered nothing for %g s: stopped, another starts",
                    self.timeout,
                )
                worker.stop()
                return None

    async def _worker(self) -> _Worker | None:
        """The live worker with the fewest bodies in flight (one more started if due)."""
        if self._closed or self.size <= 0:
            return None
        self._reap()
        for gone in [w for w in self._workers if not w.alive]:
            self._dead.append(gone.proc)
            # one that never answered (a broken install, a crash at start): wait longer
            # before the next, so a log is not written full of restarts
            self._delay = RESTART_EVERY if gone.answered else min(2 * self._delay, RESTART_MOST)
            self._next_start = max(self._next_start, self._last_start + self._delay)
        self._workers = [w for w in self._workers if w.alive]
        due = not self._starting and time.monotonic() >= self._next_start
        if len(self._workers) < self.size and due:
            self._starting = True  # one start at a time, whoever else asks meanwhile
            try:
                await self._start()
            finally:
                self._starting = False
        live = [w for w in self._workers if w.alive]
        return min(live, key=lambda w: len(w.waiting)) if live else None

    async def _start(self) -> None:
        self._last_start = time.monotonic()
        self._next_start = self._last_start + self._delay
        self._reap()
        ours, theirs = socket.socketpair()
        try:
            fd = str(theirs.fileno())
            proc = subprocess.Popen(
                # -P: the server's working folder does not come first on the path
                [sys.executable, "-P", "-m", "journeyscope.collect.parsing", fd, str(os.getpid())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C at the terminal is the server's alone
            )
        except OSError as exc:
            ours.close()
            self._delay = min(2 * self._delay, RESTART_MOST)
            log.warning("no collection parser started (%s): parsing on the event loop", exc)
            return
        finally:
            theirs.close()
        worker = _Worker(proc)
        try:
            transport, _ = await asyncio.get_running_loop().connect_accepted_socket(
                lambda: worker, ours
            )
        except OSError:
            ours.close()
            worker.stop()
            self._dead.append(proc)
            return
        # uvloop may call connection_made only on its next turn: the transport is known now
        worker.transport = transport
        if self._closed:  # the server stopped while this one started
            worker.stop()
            self._dead.append(proc)
            return
        self._workers.append(worker)
        self.started += 1

    def _reap(self) -> None:
        self._dead = [proc for proc in self._dead if proc.poll() is None]

    def close(self) -> None:
        """Stop every worker (their requests in flight are parsed by the server)."""
        self._closed = True
        for worker in self._workers:
            worker.stop()
        for proc in [w.proc for w in self._workers] + self._dead:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self._workers, self._dead = [], []


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2) or not all(a.isdigit() for a in args):
        print("usage: python -m journeyscope.collect.parsing FD [SERVER_PID]", file=sys.stderr)
        return 2
    serve(int(args[0]), int(args[1]) if len(args) == 2 else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
