"""The touchpoints report's window frames as one compiled walk over each journey's rows.

For every row the report asks: is the next conversion within the window (converted), is
the row an open touch (no conversion at or before it within the window), does the
customer move on within the window (an action of their own, or a conversion), and is
there a rating from it on within the window (and which). In NumPy
(``touchpoints_arrays._frames``) each frame is a running minimum or maximum over row
numbers plus gathers: a third of the report's time on 10 M events. Here one backward and
one forward walk answer all of them. The NumPy form stays: a short CLI process uses it
rather than pay numba's import, and ``tests/analytics/test_touchpoints_kernel.py`` holds
the two equal.

Rows come in journey order (journey, then time, then seq), as ``Events`` holds them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def frames(owner, us, conv, active, rated, rating, win):  # type: ignore[no-untyped-def]
    """Per row: converted (the next conversion, strictly after, within ``win`` µs), open
    (no conversion at or before it within ``win``), moved (the next own action strictly
    after, or the next conversion, within ``win``), rated (a rated row from it on within
    ``win``) and that rating (0 where none)."""
    n = owner.shape[0]
    converted = np.zeros(n, np.bool_)
    opened = np.zeros(n, np.bool_)
    moved = np.zeros(n, np.bool_)
    rated_in = np.zeros(n, np.bool_)
    rating_at = np.zeros(n, np.float64)
    no = np.iinfo(np.int64).min
    next_conv = no
    next_act = no
    next_rated = -1
    for i in range(n - 1, -1, -1):
        if i == n - 1 or owner[i] != owner[i + 1]:  # the journey's last row
            next_conv = no
            next_act = no
            next_rated = -1
        if rated[i]:
            next_rated = i
        if next_rated >= 0:
            rated_in[i] = us[next_rated] - us[i] <= win
            rating_at[i] = rating[next_rated]
        converted[i] = next_conv != no and next_conv - us[i] <= win
        moved[i] = converted[i] or (next_act != no and next_act - us[i] <= win)
        if conv[i]:
            next_conv = us[i]
        if active[i]:
            next_act = us[i]
    last_conv = no
    for i in range(n):
        if i == 0 or owner[i] != owner[i - 1]:  # the journey's first row
            last_conv = no
        if conv[i]:
            last_conv = us[i]
        opened[i] = last_conv == no or us[i] - last_conv > win
    return converted, opened, moved, rated_in, rating_at


def warm() -> None:
    """Compile (or load) the kernel now, on a tiny input: ``python -m ...touchpoints_kernel``."""
    from journeyscope.compiled import frozen

    one = frozen(np.zeros(1), np.int64)
    flag = frozen(np.zeros(1), np.bool_)
    frames(one, one, flag, flag, flag, frozen(np.zeros(1), np.float64), 1)


if __name__ == "__main__":
    warm()
