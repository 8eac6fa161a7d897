"""Requests on an event loop waiting for their records' fsync, with one thread for all.

The server writes each request's records on its event loop and answers once they are on
disk (``RecordLog.wait``: a group commit). Waiting on a worker thread per request cost
the event loop a thread hop each (a tenth of its time at hundreds of batches a second)
and kept a thread blocked per request in flight. Here each request's coroutine awaits a
future; one thread waits for the highest record asked for so far — the same
``RecordLog.wait``, so the same group commit, rotation and failure rules — then settles
every future it covered in one call back onto the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
from collections.abc import Callable

__all__ = ["GroupWait"]

#: a request's wait: its last record, its future, the loop that awaits it, and what to do
#: once its records are on disk (run by the thread, even if the request went away)
Waiter = tuple[int, "asyncio.Future[None]", asyncio.AbstractEventLoop, Callable[[], None] | None]
#: a future and how it ends: None (on disk) or the error it raises
Answer = tuple["asyncio.Future[None]", BaseException | None]


class GroupWait:
    """Futures settled once the records up to theirs are durable (``wait(seq)``)."""

    def __init__(self, wait: Callable[[int], int], durable: Callable[[], int]) -> None:
        self._wait = wait
        self._durable = durable
        self._cond = threading.Condition()
        self._waiting: list[Waiter] = []
        self._closed = False
        self._thread: threading.Thread | None = None

    async def until(self, seq: int, on_durable: Callable[[], None] | None = None) -> None:
        """Back once every record up to ``seq`` is on disk (or raise the log's failure);
        ``on_durable()`` runs then, whether or not this coroutine is still waiting."""
        if self._durable() >= seq:
            if on_durable is not None:
                on_durable()
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._cond:
            closed = self._closed
            if not closed:
                self._waiting.append((seq, future, loop, on_durable))
                self._start()
                self._cond.notify()
        if closed:  # stopping: wait off the loop, as a thread would
            await asyncio.to_thread(self._wait, seq)
            if on_durable is not None:
                on_durable()
            return
        await future

    def close(self) -> None:
        """Settle what is waiting, then stop the thread."""
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _start(self) -> None:  # with the lock held
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="journeyscope-collect-sync", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closed:
                    self._cond.wait()
                batch, self._waiting = self._waiting, []
                if not batch and self._closed:
                    return
            try:
                self._settle_batch(batch)
            except BaseException as exc:  # never leave a request waiting for ever
                self._answer(batch, exc, everyone=True)
                if not isinstance(exc, Exception):
                    raise

    def _settle_batch(self, batch: list[Waiter]) -> None:
        error: BaseException | None = None
        try:
            self._wait(max(seq for seq, _, _, _ in batch))
        except Exception as exc:  # the log's failure: the waiters not yet on disk raise it
            error = exc
        self._answer(batch, error)

    def _answer(
        self, batch: list[Waiter], error: BaseException | None, everyone: bool = False
    ) -> None:
        """Settle each waiter: on disk (its records are, whatever failed after), or the
        error (a copy each: one exception raised in many tasks grows one traceback);
        ``everyone``: the error for all, no callbacks (this thread failed, not the log)."""
        durable = -1 if everyone else self._durable()
        by_loop: dict[asyncio.AbstractEventLoop, list[Answer]] = {}
        for seq, future, loop, on_durable in batch:
            failed = error if error is not None and seq > durable else None
            if failed is None and on_durable is not None:
                on_durable()
            by_loop.setdefault(loop, []).append((future, copy.copy(failed) if failed else None))
        for loop, answers in by_loop.items():
            # a loop already closed has nobody waiting on it any more
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, answers)


def _settle(answers: list[Answer]) -> None:
    for future, error in answers:
        if future.done():  # the request was cancelled (its client went away)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
