"""Collection: Segment/RudderStack-compatible events, logged durably, loaded into the store.

``segment`` validates and maps request bodies, ``parsing`` does so in worker processes for
the server, ``log`` is the fsync'ed record log with group commit, ``loader`` stores logged
events through ``ingest``, and ``collector`` ties them together for the server
(docs/collection.md).

The names below are imported when first asked for: a parser process imports
``collect.segment`` without the loader's engine (DuckDB) behind it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journeyscope.collect.collector import Accepted, Collector
    from journeyscope.collect.errors import (
        CollectorBusy,
        DiskFull,
        EventProblem,
        InvalidEvents,
        PayloadTooLarge,
    )
    from journeyscope.collect.segment import PATHS, decode_body, parse_body

_HOMES = {
    "Accepted": "collector",
    "Collector": "collector",
    "CollectorBusy": "errors",
    "DiskFull": "errors",
    "EventProblem": "errors",
    "InvalidEvents": "errors",
    "PayloadTooLarge": "errors",
    "PATHS": "segment",
    "decode_body": "segment",
    "parse_body": "segment",
}

__all__ = [
    "PATHS",
    "Accepted",
    "Collector",
    "CollectorBusy",
    "DiskFull",
    "EventProblem",
    "InvalidEvents",
    "PayloadTooLarge",
    "decode_body",
    "parse_body",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
