"""Workspaces: creation, migrations, config errors, and a second writer told clearly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from journeyscope.errors import InputError, WorkspaceBusy, WorkspaceError
from journeyscope.events.schema import SCHEMA_VERSION
from journeyscope.events.workspace import Workspace, read_config


def test_init_creates_database_config_and_maps(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        assert ws.scalar("SELECT max(version) FROM schema_migrations") == SCHEMA_VERSION
        assert ws.scalar("SELECT count(*) FROM events") == 0
    assert (tmp_path / "ws" / "workspace.yaml").exists()
    assert (tmp_path / "ws" / "maps").is_dir()
    config = read_config(tmp_path / "ws")
    assert (config.timezone, config.currency, config.language) == ("Asia/Ho_Chi_Minh", "VND", "vi")


def test_init_twice_keeps_data_and_applies_no_migration_again(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.con.execute("INSERT INTO audit_log VALUES (now()::TIMESTAMP, 'x', '{}')")
    with Workspace.init(tmp_path / "ws") as ws:
        assert ws.scalar("SELECT count(*) FROM audit_log") == 1
        assert ws.scalar("SELECT count(*) FROM schema_migrations") == SCHEMA_VERSION


def test_opening_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a JourneyScope workspace") as info:
        Workspace.open(tmp_path)
    assert "journeyscope init" in (info.value.hint_en or "")


def test_workspace_from_newer_version_is_refused(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    con = duckdb.connect(str(tmp_path / "ws" / "journeyscope.duckdb"))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(WorkspaceError, match="schema version 999"):
        Workspace.open(tmp_path / "ws")


def test_bad_config_names_file_and_field(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    (tmp_path / "ws" / "workspace.yaml").write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        Workspace.open(tmp_path / "ws")
    assert info.value.location is not None and info.value.location.field == "timezone"
    assert "unknown time zone" in info.value.message_en


def test_second_process_gets_a_clear_busy_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYSCOPE_LOCK_WAIT", "0.5")  # the wait is not what is tested here
    Workspace.init(tmp_path / "ws").close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from journeyscope.events.workspace import Workspace
                ws = Workspace.open({str(tmp_path / "ws")!r})
                print("ready", flush=True)
                time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceBusy) as info:
            Workspace.open(tmp_path / "ws")
        assert f"PID {holder.pid}" in info.value.message_en
        proc = subprocess.run(
            [sys.executable, "-m", "journeyscope.cli", "stats", "-w", str(tmp_path / "ws")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 5
        assert "in use by another process" in proc.stderr and "Traceback" not in proc.stderr
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def _old_workspace(root: Path, version: int, *rows: str) -> None:
    """A workspace database at schema ``version``, holding ``rows`` (INSERT statements)."""
    from journeyscope.events.schema import MIGRATIONS

    root.mkdir()
    con = duckdb.connect(str(root / "journeyscope.duckdb"))
    con.execute(
        "CREATE TABLE schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    for number, name, sql in MIGRATIONS[:version]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [number, name])
    for row in rows:
        con.execute(row)
    con.close()


def test_old_workspace_is_upgraded_by_a_writer_and_refused_by_a_reader(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _old_workspace(
        root,
        1,
        "INSERT INTO identity_values VALUES ('phone', '0903 123 456', '+84903123456', NULL)",
    )
    with pytest.raises(WorkspaceError, match="schema version 1") as info:
        Workspace.open(root, read_only=True)
    assert "journeyscope init" in (info.value.hint_en or "")
    with Workspace.open(root) as ws:  # a writer applies migrations 2… and keeps the data
        assert ws.scalar("SELECT max(version) FROM schema_migrations") == SCHEMA_VERSION
        assert ws.scalar("SELECT node_id FROM identity_values") == 0
    with Workspace.open(root, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM identity_values") == 1


def test_hashed_node_ids_are_renumbered_densely_in_order(tmp_path: Path) -> None:
    """Migration 4: identifiers, customers and links keep who is linked to whom."""
    root = tmp_path / "ws"
    _old_workspace(
        root,
        3,
        "INSERT INTO identity_values VALUES ('phone', '0903 123 456', '+84903123456', NULL, 9000), "
        "('phone', '+84903123456', '+84903123456', NULL, 9000), "
        "('email', 'a@x.vn', 'a@x.vn', NULL, 77), ('email', 'bad', NULL, 'not an e-mail', NULL)",
        "INSERT INTO identity_customers VALUES (77, 1, 'linked', 1), (9000, 1, 'linked', 1), "
        "(5, 2, 'linked', 0)",  # a customer row whose identifier is gone
        "INSERT INTO identity_links VALUES (77, 9000, 3, 10, true), (5, 77, 1, 1, true)",
    )
    with Workspace.open(root) as ws:
        values = dict(ws.con.execute("SELECT raw, node_id FROM identity_values").fetchall())
        customers = ws.con.execute("SELECT * FROM identity_customers ORDER BY 1").fetchall()
        links = ws.con.execute("SELECT * FROM identity_links").fetchall()
    assert values == {"a@x.vn": 0, "0903 123 456": 1, "+84903123456": 1, "bad": None}
    assert customers == [(0, 1, "linked", 1), (1, 1, "linked", 1)]
    assert links == [(0, 1, 3, 10, True)]


def test_a_writer_waits_for_this_process_own_reader_to_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB refuses a read-write connection while this process has the file open
    read-only (a server's scan ahead on its thread): the writer waits for it, as for
    another process's lock, and says the workspace is busy only past the wait."""
    import os
    import threading

    Workspace.init(tmp_path / "ws").close()
    reader = Workspace.open(tmp_path / "ws", read_only=True)
    closer = threading.Timer(0.3, reader.close)
    closer.start()
    with Workspace.open(tmp_path / "ws") as ws:  # waited for the reader
        assert ws.scalar("SELECT 1") == 1
    closer.join()
    monkeypatch.setenv("JOURNEYSCOPE_LOCK_WAIT", "0.3")
    held = Workspace.open(tmp_path / "ws", read_only=True)
    try:
        with pytest.raises(WorkspaceBusy) as info:
            Workspace.open(tmp_path / "ws")
        assert f"PID {os.getpid()}" in info.value.message_en
    finally:
        held.close()
