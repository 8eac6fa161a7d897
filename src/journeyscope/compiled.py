"""Helpers shared by the compiled (numba) passes: is a kernel in the on-disk cache yet?

The first call of a kernel after installing compiles it (seconds); ``scripts/setup.sh``
warms every kernel so users never wait, and code that calls one says so on stderr when it
would compile.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def in_cache(kernel: Any) -> bool:
    """Whether ``kernel`` (an ``@njit(cache=True)`` function) is in numba's disk cache."""
    try:
        index = kernel._cache._cache_file._index_path
    except AttributeError:  # pragma: no cover - a numba without these internals
        return True
    return Path(index).exists()


def loaded_kernel(module: str, name: str) -> Any:
    """The kernel ``name`` of ``module`` when this process has it loaded (its machine code
    read, not only the module imported), else None: a process that has not paid numba's
    import and the cache read takes the NumPy form instead. A module another thread is
    still importing has no kernel yet."""
    found = sys.modules.get(module)
    kernel = getattr(found, name, None) if found is not None else None
    return kernel if kernel is not None and getattr(kernel, "signatures", None) else None


def notice_if_compiling(kernel: Any, what_en: str, what_vi: str) -> None:
    """Tell the user (stderr) that the next call compiles ``kernel``."""
    if not in_cache(kernel):
        sys.stderr.write(
            f"compiling the {what_en} (first use after install, some seconds) / "
            f"đang biên dịch {what_vi} (lần đầu sau khi cài, vài giây)\n"
        )


def frozen(values: np.ndarray, dtype: type) -> np.ndarray:
    """``values`` as ``dtype``, read-only (a view when it already is that type). numba
    types a read-only array apart from a writable one, and compiles again for each mix:
    every kernel gets read-only arrays only, the one signature its ``warm`` compiles (the
    server's kept arrays are read-only, a period's copies are not)."""
    import numpy as np

    view: np.ndarray = np.asarray(values, dtype).view()
    view.setflags(write=False)
    return view
