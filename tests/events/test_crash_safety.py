"""Kill an import mid-file: the workspace opens cleanly and a re-run gives the same counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from journeyscope.events.workspace import Workspace

ROWS = 2_000_000


def _big_csv(path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'e' || i AS event_id, TIMESTAMP '2026-01-01' + to_seconds(i) AS ts,
                  'page_view' AS event, 'web' AS channel,
                  '09' || lpad(CAST(i % 100000 AS VARCHAR), 8, '0') AS phone
           FROM range({ROWS}) t(i)) TO '{path}' (HEADER)"""
    )
    con.close()


def _ingest(ws: Path, *files: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "journeyscope.cli",
            "ingest",
            *map(str, files),
            "-w",
            str(ws),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_import_leaves_a_clean_workspace_and_rerun_completes(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text("event_id,ts,event\na,2026-01-01T00:00:00Z,x\nb,2026-01-01T00:00:01Z,y\n")
    big = tmp_path / "big.csv"
    _big_csv(big)
    ws = tmp_path / "ws"
    Workspace.init(ws).close()

    proc = _ingest(ws, small, big)
    deadline = time.monotonic() + 60
    # wait until the small file is committed, then kill during the big one
    while time.monotonic() < deadline:
        time.sleep(0.3)
        if proc.poll() is not None:
            break
        try:
            con = duckdb.connect(str(ws / "journeyscope.duckdb"), read_only=True)
        except duckdb.IOException:
            time.sleep(0.7)  # the writer holds the file: it is at work on the big file
            break
        con.close()
    assert proc.poll() is None, (
        "the import finished before it could be killed; make the file bigger"
    )
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()

    with Workspace.open(ws) as opened:
        events = opened.scalar("SELECT count(*) FROM events")
        imports = opened.scalar("SELECT count(*) FROM imports")
    assert events in (0, 2) and imports in (0, 1)  # the big file's transaction never committed

    rerun = _ingest(ws, small, big)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    report = json.loads(out)
    assert report["accepted"] + report["duplicates"] == ROWS + 2
    with Workspace.open(ws) as opened:
        assert opened.scalar("SELECT count(*) FROM events") == ROWS + 2
        assert opened.scalar("SELECT count(DISTINCT event_id) FROM events") == ROWS + 2
