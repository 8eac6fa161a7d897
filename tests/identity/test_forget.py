"""Forget means forgotten (issue 16, item 1): nothing of the person is left anywhere in the
workspace — no table, no file, no freed block of the database — after `forget`, after a
re-import of the original exports, and after resolve; and the compaction that rewrites the
database cannot lose a waiting writer's data (item 8)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeyscope.errors import InputError, NotFound
from journeyscope.events import suppression
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import DB_NAME, Workspace
from journeyscope.identity.forget import forget, suppression_list, unsuppress
from journeyscope.identity.profiles import profile
from journeyscope.identity.resolve import resolve
from tests.conftest import Result

COLUMNS = ["event_id", "ts", "event", "channel", "anonymous_id", "email", "phone", "zalo_id"]


def _row(
    eid: str, when: str, event: str, channel: str, cookie: str = "", email: str = "",
    phone: str = "", zalo: str = "",
) -> list[str]:  # fmt: skip
    ts = when if when == "not a time" else f"2026-05-{when}:00+07:00"
    return [eid, ts, event, channel, cookie, email, phone, zalo]


#: The person: cookies, e-mail and phone in many spellings, a mistyped e-mail, and a row
#: that import quarantines (its time is unreadable).
PERSON = [
    _row("p1", "01T10:00", "product_view", "web", "ck-lan-1001"),
    _row("p2", "01T10:02", "login", "web", "ck-lan-1001", " Lan.Nguyen@Example.vn"),
    _row("p3", "02T09:00", "purchase", "shopee", "", "LAN.NGUYEN@EXAMPLE.VN", "0903 123 456"),
    _row("p4", "03T09:00", "order_delivered", "store", "", "", "84-903-123-456"),
    _row("p5", "04T09:00", "survey", "email", "", "lan.nguyen@example", "+84903123456"),
    _row("p6", "not a time", "purchase", "shopee", "", "", "(+84) 903.123.456"),
]
#: Someone else, who must keep every event.
OTHER = [
    _row("q1", "01T11:00", "product_view", "web", "ck-hoa-2002", "hoa.tran@example.vn"),
    _row("q2", "02T11:00", "purchase", "shopee", "", "hoa.tran@example.vn", "0912 345 678"),
]
#: Imported after the last resolve: the person's e-mail with a new cookie, and that cookie
#: with a new Zalo id (linked transitively).
LATER = [
    _row("p7", "05T09:00", "login", "app", "ck-lan-new-3003", "lan.nguyen@example.vn"),
    _row("p8", "06T09:00", "zns_click", "zalo", "ck-lan-new-3003", zalo="zl-lan-4004"),
    _row("q3", "06T10:00", "login", "app", "ck-hoa-2002"),
]

#: Every spelling of the person's identifiers (searched case-insensitively).
SPELLINGS = [
    "ck-lan-1001",
    "lan.nguyen@example.vn",
    "lan.nguyen@example",
    "0903 123 456",
    "84-903-123-456",
    "+84903123456",
    "(+84) 903.123.456",
    "903123456",
    "ck-lan-new-3003",
    "zl-lan-4004",
]
OTHERS = ["hoa.tran@example.vn", "ck-hoa-2002", "0912 345 678"]


def _export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def _ingest(ws: Workspace, *files: Path) -> dict[str, Any]:
    return ingest_files(ws, list(files), load_mapping(None)).to_dict()


def traces(root: Path, needles: list[str]) -> dict[str, list[str]]:
    """Where each needle is found: every table (every column as text) and every file of the
    workspace folder (bytes: the database after checkpoint, its WAL, quarantine, scratch)."""
    found: dict[str, list[str]] = {}
    con = duckdb.connect(str(root / DB_NAME), read_only=True)
    try:
        tables = [
            (s, t)
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary"
            ).fetchall()
        ]
        for schema, table in tables:
            rows = con.execute(f'SELECT CAST(COLUMNS(*) AS VARCHAR) FROM "{schema}"."{table}"')
            text = "\n".join("\x1f".join(str(c) for c in row) for row in rows.fetchall()).lower()
            for needle in needles:
                if needle.lower() in text:
                    found.setdefault(needle, []).append(f"table {table}")
    finally:
        con.close()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        for needle in needles:
            if needle.lower().encode("utf-8") in data:
                found.setdefault(needle, []).append(f"file {path.relative_to(root)}")
    return found


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path]:
    return (
        _export(tmp_path / "first.csv", PERSON + OTHER),
        _export(tmp_path / "later.csv", LATER),
    )


def _workspace(root: Path, exports: tuple[Path, Path], *, resolved: bool) -> None:
    with Workspace.init(root) as ws:
        _ingest(ws, exports[0])
        if resolved:
            resolve(ws)
        _ingest(ws, exports[1])
        ws.con.execute("CHECKPOINT")


@pytest.mark.parametrize("resolved", [True, False], ids=["after-resolve", "before-resolve"])
def test_nothing_of_the_person_is_left_anywhere(
    tmp_path: Path, exports: tuple[Path, Path], resolved: bool
) -> None:
    root = tmp_path / "ws"
    _workspace(root, exports, resolved=resolved)
    before = traces(root, SPELLINGS + OTHERS)
    # the search can find what it looks for: every spelling is stored somewhere before
    assert set(before) == set(SPELLINGS + OTHERS), set(SPELLINGS + OTHERS) - set(before)
    assert any(w.startswith("file journeyscope.duckdb") for w in before["ck-lan-1001"])
    assert any(w.startswith("file quarantine") for w in before["(+84) 903.123.456"])

    with Workspace.open(root) as ws:
        report = forget(ws, "phone:0903123456")
        assert report["deleted"]["events"] == 7  # p1-p5, p7, p8
        assert report["deleted"]["quarantine_rows"] == 1
        assert report["deleted"]["customers"] == (1 if resolved else 0)
        assert report["suppressed"] == 5  # 2 cookies, e-mail, phone, zalo id (not the typo)
    assert traces(root, SPELLINGS) == {}
    assert set(traces(root, OTHERS)) == set(OTHERS)  # nobody else was touched

    with Workspace.open(root) as ws:  # the original exports again: the person stays out
        again = _ingest(ws, *exports)
        assert again["suppressed"] == 8 and again["accepted"] == 0
        assert again["duplicates"] == 3 and again["rejected"] == 0
        ws.con.execute("CHECKPOINT")
    assert traces(root, SPELLINGS) == {}

    with Workspace.open(root) as ws:
        resolve(ws)
        with pytest.raises(NotFound):
            profile(ws, "email:lan.nguyen@example.vn")
        assert profile(ws, "email:hoa.tran@example.vn")["events"] == 3
        ws.con.execute("CHECKPOINT")
    assert traces(root, SPELLINGS) == {}


def test_the_audit_log_and_the_list_hold_counts_and_hashes_only(
    tmp_path: Path, exports: tuple[Path, Path]
) -> None:
    root = tmp_path / "ws"
    _workspace(root, exports, resolved=True)
    with Workspace.open(root) as ws:
        forget(ws, "email:Lan.Nguyen@example.vn")
        _ingest(ws, exports[0])
        listed = suppression_list(ws)
        key = suppression.secret(ws)
    text = json.dumps(listed).lower()
    assert not [s for s in SPELLINGS if s.lower() in text]
    assert {e["type"] for e in listed["suppressed"]} == {
        "anonymous_id",
        "email",
        "phone",
        "zalo_id",
    }
    assert sum(e["dropped_events"] for e in listed["suppressed"] if e["type"] == "phone") == 4
    actions = [e["action"] for e in listed["log"]]
    assert actions == ["forget", "suppressed_at_import"]
    assert listed["log"][0]["events"] == 7 and listed["log"][1]["rows"] == 6
    # keyed: the digest is HMAC under the workspace's own secret, not a bare hash
    assert key is not None and len(key) == 32
    phone = next(e["hash"] for e in listed["suppressed"] if e["type"] == "phone")
    message = b"phone\x1fidentifier\x1f+84903123456"
    assert phone == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert phone != hashlib.sha256(b"+84903123456").hexdigest()


def test_each_workspace_has_its_own_key(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        with Workspace.init(tmp_path / name) as ws:
            forget(ws, "email:an@example.vn")  # works on an empty workspace: only suppresses
            digests.append(suppression.entries(ws)[0]["hash"])
    assert digests[0] != digests[1]


def test_forget_removes_what_a_crashed_server_upload_or_export_left(tmp_path: Path) -> None:
    """`serve` keeps uploads and exports in `.upload-*`/`.export-*` while a job runs; a
    crash leaves them, and they may hold the person's rows."""
    with Workspace.init(tmp_path / "ws") as ws:
        for folder in (".upload-abc", ".export-def"):
            (ws.root / folder / "inner").mkdir(parents=True)
            (ws.root / folder / "inner" / "rows.csv").write_text("email\nan@example.vn\n")
        forget(ws, "email:an@example.vn")
        assert not list(ws.root.glob(".upload-*")) and not list(ws.root.glob(".export-*"))


def test_unsuppress_lets_one_identifier_back(tmp_path: Path, exports: tuple[Path, Path]) -> None:
    root = tmp_path / "ws"
    _workspace(root, exports, resolved=False)
    with Workspace.open(root) as ws:
        forget(ws, "email:lan.nguyen@example.vn")
        assert unsuppress(ws, "email:LAN.NGUYEN@example.vn") == {"removed": 1, "remaining": 4}
        assert unsuppress(ws, "email:lan.nguyen@example.vn")["removed"] == 0
        again = _ingest(ws, exports[0])
        # a row is stored only when none of its identifiers is still on the list
        assert again["accepted"] == 0 and again["suppressed"] == 6
        assert unsuppress(ws, "anonymous_id:ck-lan-1001")["removed"] == 1
        third = _ingest(ws, exports[0])
        assert third["accepted"] == 2  # p1 (cookie only) and p2 (cookie and e-mail)
        log = [e["action"] for e in suppression_list(ws)["log"]]
        assert log.count("unsuppress") == 3


def test_a_shared_identifier_in_new_events_pulls_in_no_one_else(tmp_path: Path) -> None:
    """Before any resolve, links are followed through new events — but not through a shop's
    tablet that dozens of customers signed up on (the guard, as resolve would apply it)."""
    rows = [
        [
            f"t{i}",
            "2026-05-01T10:00:00+07:00",
            "signup",
            "store",
            "",
            f"guest{i}@example.vn",
            "",
            "",
        ]
        for i in range(25)
    ]
    for row in rows:
        row.append("TAB-Q1-01")
    rows.append(
        [
            "lan",
            "2026-05-01T10:00:00+07:00",
            "signup",
            "store",
            "",
            "lan@example.vn",
            "",
            "",
            "TAB-Q1-01",
        ]
    )
    path = tmp_path / "store.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*COLUMNS, "device_id"])
        writer.writerows(rows)
    with Workspace.init(tmp_path / "ws") as ws:
        _ingest(ws, path)
        report = forget(ws, "email:lan@example.vn")
        assert report["deleted"]["events"] == 1 and report["deleted"]["identifiers"] == 1
        assert ws.scalar("SELECT count(*) FROM events") == 25
    assert "TAB-Q1-01" in traces(tmp_path / "ws", ["TAB-Q1-01"])


def test_forget_refuses_what_is_not_an_identifier(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws, pytest.raises(InputError):
        forget(ws, "email:not-an-address")


# ------------------------------------------------------------------ compaction vs a writer

_WRITER = """
import sys
from pathlib import Path
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace
print("waiting", flush=True)
with Workspace.open(Path(sys.argv[1])) as ws:
    print(ingest_files(ws, [Path(sys.argv[2])], load_mapping(None)).accepted, flush=True)
"""


def test_compaction_loses_no_waiting_writers_data(
    tmp_path: Path, exports: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second process waits for the workspace while `forget` rewrites the database; the
    swap is slowed down so that the writer polls during it. The writer's rows must be in
    the database afterwards — they would be lost if it could open the old file then."""
    root = tmp_path / "ws"
    _workspace(root, exports, resolved=True)
    extra = _export(
        tmp_path / "extra.csv",
        [_row("w1", "07T09:00", "login", "web", "ck-writer-5005")],
    )
    real_replace = os.replace

    def slow_replace(src: Any, dst: Any) -> None:
        time.sleep(1.5)  # the writer retries every 0.5 s at most
        real_replace(src, dst)

    monkeypatch.setenv("JOURNEYSCOPE_LOCK_WAIT", "60")  # the reopen may wait for the writer
    env = {**os.environ, "JOURNEYSCOPE_LOCK_WAIT": "60"}
    with Workspace.open(root) as ws:
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(root), str(extra)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "waiting"
        time.sleep(1.0)  # it is in its retry loop now
        monkeypatch.setattr(os, "replace", slow_replace)
        forget(ws, "phone:0903123456")
        monkeypatch.setattr(os, "replace", real_replace)
    out, errors = writer.communicate(timeout=120)
    assert writer.returncode == 0, errors
    assert out.strip() == "1"
    with Workspace.open(root, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM events WHERE anonymous_id = 'ck-writer-5005'") == 1
        assert ws.scalar("SELECT count(*) FROM events WHERE anonymous_id = 'ck-lan-1001'") == 0
    assert not list(root.glob(f".{DB_NAME}.compact*"))


def test_a_big_reimport_leaves_no_staged_copy_in_the_file(tmp_path: Path) -> None:
    """JSON Lines are staged as a table before the rows are checked; were it a table of the
    database (not TEMP), a re-import would write the forgotten person's row into the file
    even though import drops it. Big enough that DuckDB writes the staged rows to disk,
    and stored uncompressed so that the bytes can be searched."""
    path = tmp_path / "web.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(130_000):
            email = "lan.nguyen@example.vn" if i == 65_000 else f"u{i % 97}@example.vn"
            row = {"event_id": str(i), "ts": "2026-05-01T10:00:00Z", "event": "view"}
            handle.write(json.dumps({**row, "email": email}) + "\n")
    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        forget(ws, "email:lan.nguyen@example.vn")
        ws.con.execute("SET force_compression = 'uncompressed'")
        result = _ingest(ws, path)
        assert result["accepted"] == 129_999 and result["suppressed"] == 1
        ws.con.execute("CHECKPOINT")
    found = traces(root, ["lan.nguyen@example.vn", "u65@example.vn"])
    assert found == {"u65@example.vn": ["table events", "file journeyscope.duckdb"]}


def test_the_cli_forgets_lists_and_unsuppresses(
    cli: Callable[..., Result], tmp_path: Path, exports: tuple[Path, Path]
) -> None:
    ws = tmp_path / "ws"
    cli("init", "-w", ws)
    cli("ingest", exports[0], "-w", ws)
    gone = cli("--lang", "en", "forget", "--identifier", "phone:0903 123 456", "-w", ws)
    assert gone.code == 0, gone.err
    assert "Deleted 5 events" in gone.out and "1 quarantined rows" in gone.out
    again = cli("--lang", "en", "ingest", exports[0], "-w", ws)
    assert again.code == 0, again.err  # nothing rejected: the bad row was the person's
    assert "6 rows carry an identifier of a forgotten person" in again.err
    listed = cli("forget", "--list", "-w", ws, "--json")
    human = cli("--lang", "vi", "forget", "--list", "-w", ws)
    assert listed.code == 0 and human.code == 0, listed.err + human.err
    data = listed.json()
    assert isinstance(data, dict) and len(data["suppressed"]) == 3
    for shown in (listed.out, human.out):
        assert not [s for s in SPELLINGS if s.lower() in shown.lower()]
    assert "4 dòng đã bị chặn" in human.out and "rows=6" in human.out  # phone; in all
    back = cli("forget", "--unsuppress", "email:Lan.Nguyen@example.vn", "-w", ws, "--json")
    assert back.json() == {"removed": 1, "remaining": 2}
    for wrong in ([], ["--list", "--identifier", "email:a@b.vn"]):
        refused = cli("forget", *wrong, "-w", ws, "--json")
        assert refused.code == 2 and "error" in refused.json()


def test_quarantine_rows_are_matched_in_any_spelling(tmp_path: Path) -> None:
    """Rows are matched by normalised value inside the quarantined JSON record, whatever the
    spelling (full-width digits, a spreadsheet's apostrophe, a number), not only by text."""
    from journeyscope.identity.scrub import Matcher, scrub_quarantine

    folder = tmp_path / "quarantine"
    folder.mkdir()
    records = [
        {"SĐT": "０９０３ １２３ ４５６"},
        {"phone": "'+84903123456"},
        {"phone": 903123456},
        {"Email": "LAN.Nguyen@Example.VN "},
        {"phone": "0912 345 678", "email": "hoa.tran@example.vn"},
    ]
    with (folder / "ingest-1.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "field", "reason", "record"])
        for line, record in enumerate(records, start=2):
            writer.writerow(["a.csv", line, "ts", "missing time", json.dumps(record)])
    person = {("phone", "+84903123456"), ("email", "lan.nguyen@example.vn")}
    assert scrub_quarantine(tmp_path, Matcher(person, set(), "VN")) == 4
    with (folder / "ingest-1.csv").open(encoding="utf-8", newline="") as handle:
        left = list(csv.reader(handle))
    assert [row[1] for row in left] == ["line", "6"]


def test_forget_removes_the_person_from_static_segment_lists(
    tmp_path: Path, exports: tuple[Path, Path]
) -> None:
    """A list saved as a segment keeps identifiers: the person's go, everyone else's stay."""
    from journeyscope.analytics.segments import Segment, add_segment, load_segments

    root = tmp_path / "ws"
    _workspace(root, exports, resolved=True)
    with Workspace.open(root) as ws:
        members = ["phone:0903123456", "email:hoa.tran@example.vn", "email:lan.nguyen@example.vn"]
        add_segment(ws, Segment(name="vip", members=members))
        add_segment(ws, Segment(name="rule", rule="orders >= 1"))
        report = forget(ws, "phone:0903123456")
    assert report["deleted"]["segment_members"] == 2
    kept = load_segments(root)
    assert kept["vip"].members == ["email:hoa.tran@example.vn"]
    assert kept["rule"].rule == "orders >= 1"
    text = (root / "segments.yaml").read_text(encoding="utf-8")
    assert "0903123456" not in text and "lan.nguyen" not in text
    assert text.startswith("# customer segments")


def test_an_identifier_the_workspace_never_held_deletes_nothing_and_says_so(
    tmp_path: Path, exports: tuple[Path, Path], cli: Callable[..., Any]
) -> None:
    """A typo in a Decree 13 request must not read as a deletion (found by a probe: it
    said "1 identifiers" deleted, and the audit log agreed)."""
    root = tmp_path / "ws"
    _workspace(root, exports, resolved=True)
    r = cli("forget", "-w", root, "--identifier", "email:an@exmaple.vn")
    assert r.code == 0 and "nothing in this workspace matched" in r.err
    r = cli("forget", "-w", root, "--identifier", "email:other@exmaple.vn", "--json")
    data = json.loads(r.out)
    deleted = data["deleted"]
    assert deleted["identifiers"] == deleted["events"] == deleted["customers"] == 0
    assert data["suppressed"] == 1  # still kept out of later imports
    with Workspace.open(root, read_only=True) as ws:
        audit = ws.con.sql("SELECT detail FROM audit_log WHERE action = 'forget'").fetchall()
    assert all(json.loads(detail)["identifiers"] == 0 for (detail,) in audit)
