"""The compile notice: said only when a kernel is not yet in numba's disk cache."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from journeyscope.compiled import in_cache, notice_if_compiling


def _kernel(index: Path) -> SimpleNamespace:
    return SimpleNamespace(_cache=SimpleNamespace(_cache_file=SimpleNamespace(_index_path=index)))


def test_notice_only_when_not_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "kernel.nbi"
    notice_if_compiling(_kernel(index), "path engine", "bộ dựng đường đi")
    err = capsys.readouterr().err
    assert "compiling the path engine" in err and "đang biên dịch bộ dựng đường đi" in err
    index.write_bytes(b"")
    assert in_cache(_kernel(index))
    notice_if_compiling(_kernel(index), "path engine", "bộ dựng đường đi")
    assert capsys.readouterr().err == ""


def test_every_kernel_is_warmed_by_setup() -> None:
    """scripts/setup.sh compiles every kernel, so no user waits on a first call."""
    setup = (Path(__file__).parents[1] / "scripts" / "setup.sh").read_text("utf-8")
    for module in (
        "journeyscope.analytics.funnel_kernel",
        "journeyscope.analytics.retention_kernel",
        "journeyscope.analytics.paths_kernel",
        "journeyscope.analytics.touchpoints_kernel",
        "journeyscope.analytics.attribution.path_kernel",
        "journeyscope.identity.stitch_kernel",
    ):
        assert f"python -m {module}" in setup
