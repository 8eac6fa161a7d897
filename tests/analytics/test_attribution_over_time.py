"""Attribution over time from one read of the journeys equals the model run over each
period alone (each customer's events within a period are that period's journey)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeyscope.app import operations, run
from journeyscope.app.queries import AttributionQuery


def _by_period(ws: Path, query: AttributionQuery) -> list[dict[str, Any]]:
    report = run(query, ws).model_dump(mode="json")
    return [
        {"period": p["period"], "values": p.get("values"), "customers": p.get("customers")}
        for p in report["periods"]
    ]


@pytest.mark.parametrize(
    ("model", "level", "interval"),
    [("markov", "channel", "week"), ("last", "touchpoint", "month"), ("linear", "channel", "day")],
)
def test_one_read_equals_the_model_per_period(
    demo_workspace: Path, monkeypatch: pytest.MonkeyPatch, model: str, level: str, interval: str
) -> None:
    query = AttributionQuery(model=model, level=level, interval=interval, lookback="14d")
    used = []
    grouped_pass = operations._attribution_by_period

    def counted(*args: Any) -> Any:
        found = grouped_pass(*args)
        used.append(found is not None)
        return found

    monkeypatch.setattr(operations, "_attribution_by_period", counted)
    grouped = _by_period(demo_workspace, query)
    assert used == [True]  # the one-read pass answered
    monkeypatch.setattr(operations, "_attribution_by_period", lambda *args: None)
    alone = _by_period(demo_workspace, query)
    assert grouped == alone
    assert sum(1 for p in grouped if p["values"] and any(p["values"].values())) >= 3
