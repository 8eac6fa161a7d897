"""Prometheus metrics of one app: requests by route and status, and their latency.

Each app has its own registry (two apps in one process — tests, or several servers —
never share or double-register counters). Labels are route templates, never raw paths,
so a scan of random URLs cannot grow the series without bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest

if TYPE_CHECKING:
    from journeyscope.server.collection import Collection

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


#: Collector counters (``Collector.metrics()``) -> (metric name, help); the rest are gauges.
COLLECT_COUNTERS = {
    "events_received": "Events received by the collection routes.",
    "events_acknowledged": "Events acknowledged (fsynced in the log) with a 2xx.",
    "events_refused": "Events refused at the request (answered 400, quarantined).",
    "events_loaded": "Events the loader stored in the workspace.",
    "events_duplicate": "Events the loader found already stored (client retries, replays).",
    "events_quarantined_at_load": "Events the loader's import checks put in quarantine.",
    "events_suppressed": "Events dropped at load because they name a forgotten person.",
    "log_fsyncs": "fsync calls of the collection log (group commit shares them).",
}
COLLECT_GAUGES = {
    "loader_lag_events": "Events acknowledged but not yet stored.",
    "loader_rate_per_s": "The loader's recent rate, events a second.",
    "log_bytes_cut_at_open": "Bytes of torn or corrupt log tail cut when the log opened.",
}


class CollectionMetrics:
    """Reads every started collector's counters when Prometheus scrapes."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    def collect(self) -> Iterator[Metric]:
        families: dict[str, CounterMetricFamily | GaugeMetricFamily] = {}
        for key, text in COLLECT_COUNTERS.items():
            families[key] = CounterMetricFamily(
                f"journeyscope_collect_{key}", text, labels=["workspace"]
            )
        for key, text in COLLECT_GAUGES.items():
            families[key] = GaugeMetricFamily(
                f"journeyscope_collect_{key}", text, labels=["workspace"]
            )
        for name, collector in list(self.collection.collectors.items()):
            for key, value in collector.metrics().items():
                if key in families:
                    families[key].add_metric([name], float(value))
        yield from families.values()
        yield from self._parsers()

    def _parsers(self) -> Iterator[Metric]:
        """The parser processes' counters (``collect/parsing.py``), when the server has any."""
        pool = self.collection.parsers
        if pool is None:
            return
        for key, (text, value) in {
            "parser_bodies_parsed": ("Bodies parsed by parser processes.", pool.parsed),
            "parser_bodies_returned": (
                "Bodies parsed by the server itself: a message was refused, or no parser "
                "process could take the body.",
                pool.returned,
            ),
            "parser_starts": ("Parser processes started.", pool.started),
        }.items():
            yield CounterMetricFamily(f"journeyscope_collect_{key}", text, value=value)
        yield GaugeMetricFamily(
            "journeyscope_collect_parser_processes", "Parser processes running.", value=pool.alive
        )


class Metrics:
    def __init__(self, collection: Collection | None = None) -> None:
        self.registry = CollectorRegistry()
        if collection is not None:
            self.registry.register(CollectionMetrics(collection))
        self.requests = Counter(
            "journeyscope_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "journeyscope_http_request_duration_seconds",
            "Time from request to response, by method and route template.",
            ("method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)
