"""Orders from invoice lines (``group_by``/``lines``) and refunds (``refund_when``), checked
on a small hand-written file and on a UCI Online Retail excerpt against pandas."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from journeyscope.errors import InputError
from journeyscope.events.ingest import IngestResult, ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.profiles import profile
from journeyscope.identity.resolve import resolve

NOW = datetime(2026, 11, 23, 12, 0)
TESTS = Path(__file__).parents[1]
SAMPLE = TESTS / "data" / "uci-online-retail" / "online_retail_sample.csv"
UCI_MAPPING = TESTS.parent / "examples" / "uci-online-retail.yaml"
HEADER = ["Invoice", "Item", "Qty", "Price", "When", "Customer"]
LINES = [
    ["1001", "mug", "2", "3.50", "2026-05-01 10:00", "c1"],
    ["1001", "tea", "1", "4.25", "2026-05-01 10:01", "c1"],
    ["1002", "pot", "1", "20.00", "2026-05-02 09:00", "c1"],
    ["C1002", "pot", "-1", "20.00", "2026-05-03 09:00", "c1"],
    ["1003", "mug", "3", "3.50", "2026-05-02 11:00", "c2"],
]
MAPPING: dict[str, Any] = {
    "source": "shop",
    "columns": {"ts": "When", "user_id": "Customer"},
    "constants": {"event": "purchase", "channel": "web"},
    "revenue_product": ["Qty", "Price"],
    "group_by": "Invoice",
    "lines": ["Item", "Qty", "Price"],
    "refund_when": {"column": "Invoice", "starts_with": "C"},
}


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    with Workspace.init(tmp_path / "ws", WorkspaceConfig(timezone="UTC", currency="GBP")) as w:
        yield w


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def run(ws: Workspace, path: Path, mapping: dict[str, Any]) -> IngestResult:
    file = path.with_suffix(".mapping.json")
    file.write_text(json.dumps(mapping), encoding="utf-8")
    return ingest_files(ws, [path], load_mapping(file), now=NOW)


def test_lines_become_one_order_and_a_refund_reduces_revenue(ws: Workspace, tmp_path: Path) -> None:
    result = run(ws, write(tmp_path / "lines.csv", LINES), MAPPING)
    assert (result.accepted, result.rejected) == (4, 0)
    rows = ws.con.execute(
        "SELECT event_id, event, ts, revenue, properties FROM events ORDER BY seq"
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    assert sorted(by_id) == ["1001", "1002", "1003", "C1002"]
    order = by_id["1001"]
    assert order[1] == "purchase" and order[2] == datetime(2026, 5, 1, 10, 0)  # first line's
    assert order[3] == pytest.approx(2 * 3.5 + 4.25)
    lines = json.loads(order[4])["lines"]
    assert [line["Item"] for line in lines] == ["mug", "tea"]
    assert "Item" not in json.loads(order[4])  # line columns live in the lines only
    assert by_id["C1002"][1] == "refund" and by_id["C1002"][3] == pytest.approx(-20.0)
    net = ws.scalar("SELECT sum(revenue) FROM events WHERE user_id = 'c1'")
    assert net == pytest.approx(11.25)
    again = run(ws, tmp_path / "lines.csv", MAPPING)  # ids are the invoice numbers
    assert (again.accepted, again.duplicates) == (0, 4)


def test_a_refund_with_positive_amounts_is_still_negative(ws: Workspace, tmp_path: Path) -> None:
    rows = [["R9", "mug", "1", "3.50", "2026-05-01 10:00", "c1"]]
    mapping = {**MAPPING, "refund_when": {"column": "Invoice", "equals": "R9"}}
    run(ws, write(tmp_path / "r.csv", rows), mapping)
    assert ws.one("SELECT event, revenue FROM events") == ("refund", -3.5)


def test_a_bad_line_quarantines_its_whole_order(ws: Workspace, tmp_path: Path) -> None:
    rows = [*LINES[:2], ["1001", "lid", "1", "1.00", "not a time", "c1"], *LINES[2:]]
    rows.append(["", "spoon", "1", "1.00", "2026-05-04 10:00", "c3"])
    result = run(ws, write(tmp_path / "bad.csv", rows), MAPPING)
    assert (result.accepted, result.rejected) == (3, 4)  # 3 lines of 1001, 1 without key
    assert ws.scalar("SELECT count(*) FROM events WHERE event_id = '1001'") == 0
    assert result.quarantine
    with Path(result.quarantine).open(encoding="utf-8") as fh:
        quarantined = {(r["line"], r["field"]) for r in csv.DictReader(fh)}
    assert quarantined == {("2", "group_by"), ("3", "group_by"), ("4", "ts"), ("8", "group_by")}


def test_event_when_names_events_before_the_constant(ws: Workspace, tmp_path: Path) -> None:
    mapping = {**MAPPING, "event_when": [{"column": "Item", "one_of": ["pot"], "event": "Big Buy"}]}
    run(ws, write(tmp_path / "e.csv", LINES), mapping)
    events = dict(ws.con.execute("SELECT event_id, event FROM events").fetchall())
    assert events == {"1001": "purchase", "1002": "big_buy", "C1002": "refund", "1003": "purchase"}


def test_grouping_column_missing_from_the_file_points_at_the_mapping(
    ws: Workspace, tmp_path: Path
) -> None:
    path = write(tmp_path / "m.csv", LINES)
    mapping = tmp_path / "m.yaml"
    text = "columns: {ts: When}\nconstants: {event: purchase}\ngroup_by: Order\n"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest_files(ws, [path], load_mapping(mapping), now=NOW)
    assert "Order" in err.value.message_en and "Order" in err.value.message_vi
    assert err.value.location is not None and err.value.location.line == 3


def test_a_rule_needs_one_test(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("refund_when:\n  column: Invoice\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_mapping(mapping)
    assert "starts_with" in err.value.message_en


def uci_truth(path: Path) -> pd.DataFrame:
    """Orders per the source file, computed with pandas alone (one row per invoice)."""
    lines = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    lines["amount"] = lines["Quantity"] * lines["UnitPrice"]
    return lines.groupby("InvoiceNo", sort=False).agg(
        customer=("CustomerID", "first"), revenue=("amount", "sum"), n=("amount", "size")
    )


def test_uci_excerpt_orders_refunds_and_revenue_equal_pandas(tmp_path: Path) -> None:
    truth = uci_truth(SAMPLE)
    refunds = truth.index.str.startswith("C")
    adjustments = truth.index.str.startswith("A")
    ws = Workspace.init(tmp_path / "ws", WorkspaceConfig(timezone="Europe/London", currency="GBP"))
    result = ingest_files(ws, [SAMPLE], load_mapping(UCI_MAPPING), now=NOW)
    assert result.accepted == len(truth) and result.rejected == 0
    counts = dict(ws.con.execute("SELECT event, count(*) FROM events GROUP BY 1").fetchall())
    assert counts == {
        "purchase": int((~refunds & ~adjustments).sum()),
        "refund": int(refunds.sum()),
        "bad_debt_adjustment": int(adjustments.sum()),
    }
    ours = dict(
        ws.con.execute(
            "SELECT user_id, sum(revenue) FROM events WHERE user_id IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    expected = truth.dropna(subset=["customer"]).groupby("customer")["revenue"].sum()
    assert ours.keys() == set(expected.index)
    for customer, revenue in expected.items():
        assert ours[customer] == pytest.approx(revenue, abs=1e-6)
    resolve(ws)
    card = profile(ws, "user_id:17850")
    mine = truth[truth["customer"] == "17850.0"]
    assert card["orders"] == int((~mine.index.str.startswith("C")).sum()) == 34
    assert card["refunds"] == int(mine.index.str.startswith("C").sum())
    assert card["revenue"] == pytest.approx(round(mine["revenue"].sum(), 2))
    ws.close()


def test_a_fraction_after_a_leading_zero_is_not_thousands(ws: Workspace, tmp_path: Path) -> None:
    """UCI's bank charge of 0.001 GBP is not 1 (only 1.250 style text is Vietnamese)."""
    rows = [["9", "fee", "1", "0.001", "2026-05-01 10:00", "c1"]]
    rows.append(["10", "fee", "1", "1.250", "2026-05-01 10:00", "c1"])
    run(ws, write(tmp_path / "f.csv", rows), MAPPING)
    money = dict(ws.con.execute("SELECT event_id, revenue FROM events").fetchall())
    assert money == {"9": pytest.approx(0.001), "10": 1250.0}
