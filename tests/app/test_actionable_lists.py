"""Lists people act on carry who the customers are: the churn list (`retention -o` and the
report's top list) and the drop-off list (`funnel --dropped-at`)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from tests.conftest import MakeWorkspace

EVENTS: list[dict[str, Any]] = [
    {
        "event_id": "1",
        "ts": "2025-01-01T09:00:00Z",
        "event": "purchase",
        "revenue": 100,
        "phone": "0903123456",
        "email": "lan@example.com",
    },
    {
        "event_id": "2",
        "ts": "2025-01-20T09:00:00Z",
        "event": "purchase",
        "revenue": 100,
        "phone": "0903123456",
    },
    {
        "event_id": "3",
        "ts": "2025-02-10T09:00:00Z",
        "event": "purchase",
        "revenue": 100,
        "email": "lan@example.com",
    },
    {"event_id": "4", "ts": "2025-06-01T09:00:00Z", "event": "product_view", "phone": "0912000111"},
]


def test_churn_and_drop_off_lists_carry_phone_and_email(
    cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    ws = make_workspace(EVENTS)
    root = ws.root
    ws.close()
    churn = tmp_path / "churn.csv"
    report = cli("retention", "-w", root, "-o", churn, "--threshold", "0.1", "--json").json()
    with churn.open(encoding="utf-8") as f:
        rows = {r["customer_id"]: r for r in csv.DictReader(f)}
    lan = next(r for r in rows.values() if r["email"] == "lan@example.com")
    # a cell starting with "+" is written inert for spreadsheets (docs/security.md)
    assert lan["phone"] == "'+84903123456"
    assert "email:lan@example.com" in lan["identifiers"]
    top = {r["email"] or r["phone"] for r in report["churn"]["top"]}
    assert top <= {"lan@example.com", "+84912000111"} and top
    dropped = tmp_path / "dropped.csv"
    result = cli(
        "funnel",
        "-w",
        root,
        "--steps",
        "product_view,purchase",
        "--dropped-at",
        "product_view",
        "-o",
        dropped,
    )
    assert result.code == 0, result.err
    with dropped.open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["phone"] == "'+84912000111"
    assert list(row)[:6] == [
        "customer_id",
        "reached_at",
        "email",
        "phone",
        "user_id",
        "identifiers",
    ]
