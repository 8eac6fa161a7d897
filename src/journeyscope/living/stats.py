"""Confidence for a share: the Wilson score interval.

The Wilson interval stays inside [0, 1] and behaves at 0 % and 100 % and for small
samples, where the textbook ``p ± z·sqrt(p(1-p)/n)`` gives negative shares or a zero width.
"""

from __future__ import annotations

import math

__all__ = ["Z95", "wilson"]

#: the normal quantile for a two-sided 95 % interval
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The 95 % Wilson interval of ``successes`` out of ``n`` (None when ``n`` is 0)."""
    if n <= 0:
        return None
    k = min(max(successes, 0), n)
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
