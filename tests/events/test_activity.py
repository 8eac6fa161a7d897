"""Arrivals per source count by when the rows were imported, not by the events' own times;
a quarantine file is read back only from the workspace's quarantine folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeyscope.errors import InputError, NotFound
from journeyscope.events.activity import arrivals, read_quarantine
from tests.conftest import MakeWorkspace


def test_windows_count_imports_by_their_arrival(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace(
        [
            {"user_id": "a", "event": "view", "ts": "2020-01-01T00:00:00Z"},
            {"user_id": "b", "event": "buy", "ts": "2020-01-02T00:00:00Z"},
        ]
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    (fresh,) = arrivals(ws, now)["sources"]
    assert (fresh["last_hour"], fresh["last_day"], fresh["total"]) == (2, 2, 2)  # events of 2020
    (later,) = arrivals(ws, now + timedelta(hours=2))["sources"]
    assert (later["last_hour"], later["last_day"], later["total"]) == (0, 2, 2)
    (old,) = arrivals(ws, now + timedelta(days=2))["sources"]
    assert (old["last_hour"], old["last_day"], old["total"]) == (0, 0, 2)
    recent = arrivals(ws, now)["imports"]
    assert [(i["file"], i["accepted"], i["rejected"]) for i in recent] == [("events.jsonl", 2, 0)]


def test_quarantine_names_outside_the_folder_are_refused(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace([{"user_id": "a", "event": "view", "ts": "2020-01-01T00:00:00Z"}])
    for name in ("../workspace.yaml", "/etc/passwd", "quarantine/../x.csv", "ingest-.csv"):
        with pytest.raises(InputError):
            read_quarantine(ws, name)
    with pytest.raises(NotFound):
        read_quarantine(ws, "quarantine/ingest-20200101T000000000000.csv")
