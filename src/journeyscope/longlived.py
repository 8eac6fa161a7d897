"""Settings for a long-lived process: the server, and its parser processes."""

from __future__ import annotations

import gc
import sys


def long_lived_gc() -> None:
    """The cyclic collector tuned for a server: what is loaded by now (modules, the app)
    is frozen out of every later collection, and the youngest generation is collected
    after 20,000 allocations rather than 700 — a batch of 100 events makes a few thousand
    short-lived objects, and collecting every few hundred was a twentieth of the event
    loop (py-spy), a tenth of a parser process's time. The objects are freed by reference
    counting as before; only cycles wait a little longer."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(20_000, older, oldest)


#: seconds a thread holding the GIL runs before one waiting for it may take it
SWITCH_INTERVAL = 0.0005


def quick_gil_handoff() -> None:
    """The server's event loop shares the GIL with the collection loader's thread (live
    identity's Python between its DuckDB queries). Each step of a request that needs the
    GIL back waited up to Python's default 5 ms behind it; at 0.5 ms the p99 of
    ``/v1/batch`` under load fell by ~5 ms at the same events a second (bench/RESULTS.md,
    session 32). Only for the server: a parser process runs one thread."""
    sys.setswitchinterval(SWITCH_INTERVAL)
