"""Settings for a long-lived process: the server, and its parser processes."""

from __future__ import annotations

import gc


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
