"""Mode flags of the funnel kernel, kept apart so reading them does not load the compiler."""

from __future__ import annotations

ORDER, DEDUP, INCREASE, REENTRY, ONCE, EXCLUDE = 1, 2, 4, 8, 16, 32
