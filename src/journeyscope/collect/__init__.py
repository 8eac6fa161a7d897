"""Collection: Segment/RudderStack-compatible events, logged durably, loaded into the store.

``segment`` validates and maps request bodies, ``log`` is the fsync'ed record log with
group commit, ``loader`` stores logged events through ``ingest``, and ``collector`` ties
them together for the server (docs/collection.md).
"""

from journeyscope.collect.collector import Accepted, Collector
from journeyscope.collect.errors import (
    CollectorBusy,
    DiskFull,
    EventProblem,
    InvalidEvents,
    PayloadTooLarge,
)
from journeyscope.collect.segment import PATHS, decode_body, parse_body

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
