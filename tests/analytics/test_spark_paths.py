"""The paths report on Spark equals the embedded engine's, field for field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.paths import LEVELS, PathSpec, paths, paths_on
from journeyscope.analytics.scope import Scope, parse_filter
from tests.analytics.spark_helpers import assert_same_on_spark, exported, on_spark
from tests.analytics.test_spark_funnels import _journeys
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark


def test_paths_equal_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    ws = make_workspace(_journeys(6))
    runner = on_spark(spark, ws, tmp_path / "lake")
    scope = Scope(where=parse_filter("channel != zalo"))
    for level in LEVELS:
        spec = PathSpec(level=level, start="product_view", depth=3)
        assert paths_on(runner, spec, Scope()) == paths(ws, spec, Scope())
    spec = PathSpec(end="purchase", depth=4, view="product_view")
    assert paths_on(runner, spec, scope) == paths(ws, spec, scope)


def test_cli_paths_on_spark(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, lake = exported(cli, make_workspace, _journeys(7), tmp_path)
    assert_same_on_spark(cli, ("paths", "-w", root, "--from", "page_view", "--json"), lake)
