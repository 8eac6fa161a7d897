"""Rate limits per key: a token bucket each, in memory (docs/server.md, "Limits")."""

from __future__ import annotations

import math
import threading
import time
from typing import ClassVar

from journeyscope.errors import JourneyScopeError


class RateLimited(JourneyScopeError, RuntimeError):
    """A key sent more requests than its limit allows: retry after ``retry_after`` s."""

    code = "rate_limited"
    http_status: ClassVar[int] = 429

    def __init__(self, retry_after: int, rate: float) -> None:
        super().__init__(
            f"too many requests for this key (limit {rate:g} a second); retry in {retry_after} s",
            f"khoá này gửi quá nhiều yêu cầu (giới hạn {rate:g} mỗi giây); "
            f"hãy thử lại sau {retry_after} giây",
            hint_en="wait for Retry-After, or send more events per batch",
            hint_vi="chờ theo Retry-After, hoặc gửi nhiều sự kiện hơn mỗi lô",
        )
        self.retry_after = retry_after


class RateLimiter:
    """A token bucket per key: ``rate`` requests a second, bursts of ``2 × rate``.

    ``rate`` 0 turns the limit off. Buckets live in memory only; an over-full table is
    cleared (a flood of distinct keys cannot grow it without bound)."""

    MAX_KEYS = 100_000

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, 2 * rate)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one request of ``key``'s bucket, or raise :class:`RateLimited`."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited(max(1, math.ceil((1.0 - tokens) / self.rate)), self.rate)
            if len(self._buckets) >= self.MAX_KEYS:
                self._buckets.clear()
            self._buckets[key] = (tokens - 1.0, now)
