"""Attribution paths and time decay on Spark equal the embedded engine's."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.attribution.journeys import PathSpec, build_paths, time_decay
from journeyscope.analytics.attribution.models import attribute
from journeyscope.analytics.scope import Scope, parse_filter
from journeyscope.analytics.attribution.journeys import build_paths as build_paths_spark
from journeyscope.analytics.attribution.journeys import time_decay as time_decay_spark
from tests.analytics.spark_helpers import assert_same_on_spark, exported, on_spark
from tests.analytics.test_attribution_journeys import _as_dict
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark


def _journeys(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = []
    for i in range(500):
        buy = rng.random() < 0.2
        channel = rng.choice(["web", "zalo", "facebook", "email", "store"])
        events.append(
            {
                "event_id": str(i),
                "user_id": f"c{rng.randrange(50)}",
                "event": "purchase" if buy else rng.choice(["ad_click", "message_sent", "visit"]),
                "channel": channel,
                "touchpoint": f"{channel}-{rng.randrange(3)}" if rng.random() < 0.7 else None,
                "ts": f"2026-04-{rng.randrange(1, 29):02d}T{rng.choice([8, 20]):02d}:00:00Z",
                **({"revenue": rng.choice([100_000, 250_000, 1_990_000])} if buy else {}),
            }
        )
    return events


@pytest.mark.parametrize("seed", [7, 8])
def test_paths_and_time_decay_equal_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path, seed: int
) -> None:
    ws = make_workspace(_journeys(seed))
    events = on_spark(spark, ws, tmp_path / "lake")
    scopes = [Scope(), Scope(where=parse_filter("channel != store"))]
    for level in ("channel", "touchpoint"):
        for lookback, repeats in ((timedelta(days=3), "keep"), (timedelta(days=30), "collapse")):
            spec = PathSpec(lookback=lookback, level=level, repeats=repeats)
            for scope in scopes:
                ours, info = build_paths(ws, spec, scope)
                theirs, spark_info = build_paths_spark(events, spec, scope)
                assert _as_dict(theirs) == _as_dict(ours) and spark_info == info
                markov = attribute(theirs, "markov").conversions
                assert markov == pytest.approx(attribute(ours, "markov").conversions)
    spec = PathSpec(lookback=timedelta(days=10))
    decay = time_decay_spark(events, spec, scopes[1], timedelta(days=2))
    expected = time_decay(ws, spec, scopes[1], timedelta(days=2))
    assert decay.conversions == pytest.approx(expected.conversions)
    assert decay.value == pytest.approx(expected.value)


def test_cli_attribution_on_spark(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, lake = exported(cli, make_workspace, _journeys(9), tmp_path)
    args = ("attribution", "-w", root, "--compare", "first,time_decay,markov,shapley", "--json")
    assert_same_on_spark(cli, args, lake)
