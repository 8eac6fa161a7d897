"""Identity resolution on Spark gives the embedded engine's customers, identifiers and summary."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from journeyscope.events.workspace import Workspace
from journeyscope.identity.manage import block
from journeyscope.identity.resolve import resolve
from journeyscope.identity.spark_resolve import resolve_dataset
from tests.analytics.spark_helpers import assert_same_on_spark, exported
from tests.conftest import MakeWorkspace

pytestmark = pytest.mark.spark

# one person's phone as people write it, numbers phonenumbers must decide, and junk
PHONES = [
    "0903 123 456",
    "+84903123456",
    "84-903-123-456",
    "(+84) 903.123.457",
    "+1 650-253-0000",  # not Vietnamese: through phonenumbers
    "028 3822 1234",  # a Ho Chi Minh City landline: through phonenumbers
    "0000000000",  # a placeholder: not a valid number
    "0999999999",  # a placeholder that is a valid number: excluded (identity.deny)
    "N/A",
    "call me",
    " ",
]
EMAILS = [
    "An@Example.vn",
    " an@example.vn ",
    "an @example.vn",
    "binh@example",
    "",
    "x@y.vn",
    "test@test.com",
]


def _messy(seed: int) -> list[dict[str, Any]]:
    """Customers sharing noisy identifiers, a shared tablet, spreadsheet ids, ties in time."""
    rng = random.Random(seed)
    events = []
    for i in range(400):
        ids: dict[str, Any] = {}
        if rng.random() < 0.6:
            ids["user_id"] = rng.choice([f"u{rng.randrange(60)}", f"{rng.randrange(40)}.0"])
        if rng.random() < 0.4:
            ids["phone"] = rng.choice([*PHONES, f"09{rng.randrange(10**8):08d}"])
        if rng.random() < 0.3:
            ids["email"] = rng.choice([*EMAILS, f"p{rng.randrange(30)}@shop.vn"])
        if rng.random() < 0.2:
            ids["device_id"] = "TABLET-1" if rng.random() < 0.5 else f"d{rng.randrange(50)}"
        if rng.random() < 0.1:
            ids["zalo_id"] = f"z{rng.randrange(20)}"
        events.append(
            {
                "event_id": f"e{i}",
                "event": rng.choice(["visit", "add_to_cart", "purchase"]),
                "ts": f"2026-03-{rng.randrange(1, 6):02d}T{rng.choice([1, 23]):02d}:00:00Z",
                **ids,
            }
        )
    return events


def _embedded(ws: Workspace) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(event_id, customer) of every event and (type, value, customer, status, links)."""
    events = ws.con.execute(
        "SELECT event_id, customer_id FROM events_with_customers ORDER BY event_id"
    ).fetchall()
    identifiers = ws.con.execute(
        """SELECT v.id_type, v.value, c.customer_id, c.status, c.max_links
        FROM identity_customers c
        JOIN (SELECT DISTINCT id_type, value, node_id FROM identity_values) v USING (node_id)
        ORDER BY 1, 2"""
    ).fetchall()
    return events, identifiers


def _on_spark(dataset: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The same two lists read back from the dataset Spark wrote."""
    events = duckdb.sql(
        f"SELECT event_id, customer_id FROM read_parquet('{dataset}/date=*/*.parquet') "
        "ORDER BY event_id"
    ).fetchall()
    identifiers = duckdb.sql(
        f"SELECT * FROM read_parquet('{dataset}/_identity/*.parquet') ORDER BY 1, 2"
    ).fetchall()
    return events, identifiers


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """What both engines must agree on (rounds are each engine's own business)."""
    return {k: v for k, v in data.items() if k not in ("iterations", "engine", "dataset")}


@pytest.mark.parametrize("seed", [1, 2])
def test_spark_resolve_equals_the_embedded_engine(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path, seed: int
) -> None:
    ws = make_workspace(_messy(seed))
    ws.config.identity.max_links = 3  # so the shared tablet is excluded
    block(ws, "zalo_id:z1")
    block(ws, "user_id:u1", "phone:0903123456")
    embedded = resolve(ws).to_dict()
    assert embedded["invalid_identifiers"] > 0 and embedded["excluded_identifiers"]
    raw = tmp_path / "raw"
    from journeyscope.events.export import export_partitioned

    export_partitioned(ws, raw)
    result = resolve_dataset(ws, spark, str(raw), str(tmp_path / "resolved")).to_dict()
    assert _summary(result) == _summary(embedded)
    assert _on_spark(tmp_path / "resolved") == _embedded(ws)
    reasons = {x["reason"] for x in result["excluded_identifiers"]}
    assert reasons == {"excluded", "blocked"}


#: e3 carries both identifiers of a blocked pair, each linked elsewhere: two customers (the
#: phone's has the cookie, an identifier of an earlier type than u1, so no rule by smallest
#: node id gives the same answer)
SPLIT_BY_A_BLOCK = [
    {"event_id": "e1", "event": "visit", "ts": "2026-03-01T00:00:00Z", "phone": "0903000001",
     "anonymous_id": "ck1"},
    {"event_id": "e2", "event": "visit", "ts": "2026-03-02T00:00:00Z", "user_id": "u1",
     "email": "a@x.vn"},
    {"event_id": "e3", "event": "visit", "ts": "2026-03-03T00:00:00Z", "user_id": "u1",
     "phone": "0903000001"},
]  # fmt: skip


def test_an_event_split_by_a_blocked_pair_goes_with_its_first_identifier_type(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """user_id comes before phone in the identifier types: e3 is u1's, on both engines."""
    ws = make_workspace(SPLIT_BY_A_BLOCK)
    block(ws, "user_id:u1", "phone:0903000001")
    assert resolve(ws).customers == 2
    events, _ = _embedded(ws)
    assert events == [("e1", 1), ("e2", 2), ("e3", 2)]
    from journeyscope.events.export import export_partitioned

    export_partitioned(ws, tmp_path / "raw")
    resolve_dataset(ws, spark, str(tmp_path / "raw"), str(tmp_path / "resolved"))
    assert _on_spark(tmp_path / "resolved") == _embedded(ws)


def test_cli_resolve_on_spark_feeds_the_spark_reports(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, raw = exported(cli, make_workspace, _messy(3), tmp_path)
    resolved = tmp_path / "resolved"
    embedded = cli("identity", "resolve", "-w", root, "--json").json()
    args = ("identity", "resolve", "-w", root, "--engine", "spark", "--source", raw)
    on_spark = cli(*args, "--dataset", resolved, "--json").json()
    assert on_spark["engine"] == "spark" and on_spark["dataset"] == str(resolved)
    assert _summary(on_spark) == _summary(embedded)
    # a second run replaces the dataset it wrote before
    assert cli(*args, "--dataset", resolved, "--json").code == 0
    funnel = ("funnel", "-w", root, "--steps", "visit,add_to_cart,purchase", "--json")
    assert_same_on_spark(cli, funnel, resolved)
    # the dataset's own identities name the customers: by identifier, and in exports
    on_resolved = ("--engine", "spark", "--dataset", resolved)
    assert cli("identity", "export", "-w", root, "-o", tmp_path / "ids.csv").code == 0
    rows = (tmp_path / "ids.csv").read_text("utf-8").splitlines()[1:]
    phone = next(r.split(",") for r in rows if r.startswith("phone,"))
    who = ("stages", "-w", root, "--customer", f"phone:{phone[1]}", "--json")
    assert assert_same_on_spark(cli, who, resolved)["customer_id"] == int(phone[2])
    drop = (*funnel, "--dropped-at", "visit", "-o")
    assert cli(*drop, tmp_path / "duck.csv").code == 0
    assert cli(*drop, tmp_path / "spark.csv", *on_resolved).code == 0
    duck = (tmp_path / "duck.csv").read_text("utf-8")
    assert "@" in duck and (tmp_path / "spark.csv").read_text("utf-8") == duck


def test_a_lake_without_seq_or_text_ids_resolves_to_the_same_customers(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """Events written by another system: no seq, integer user ids, no customer_id."""
    rng = random.Random(5)
    rows = [
        {
            "event_id": f"e{i:03d}",
            "ts": f"2026-03-01T{i // 60:02d}:{i % 60:02d}:00Z",
            "event": "visit",
            "channel": "web",
            "user_id": rng.randrange(30),
            "phone": rng.choice([None, f"090312{rng.randrange(40):04d}"]),
        }
        for i in range(300)
    ]
    ws = make_workspace([{**r, "user_id": str(r["user_id"])} for r in rows])
    lake = tmp_path / "lake"
    lake.mkdir()
    table = pa.Table.from_pylist(rows)
    table = table.set_column(1, "ts", pc.cast(table["ts"], pa.timestamp("us", "UTC")))
    pq.write_table(table, lake / "events.parquet")
    result = resolve_dataset(ws, spark, str(lake), str(tmp_path / "out")).to_dict()
    assert result["customers"] == ws.scalar(
        "SELECT count(DISTINCT customer_id) FROM event_customers"
    )
    events, _ = _on_spark(tmp_path / "out")
    embedded, _ = _embedded(ws)
    # the rows arrived in (ts, event_id) order, so even the numbering is the same
    assert events == embedded


def test_spark_resolve_refusals(
    spark: Any, cli: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    root, raw = exported(cli, make_workspace, _messy(4), tmp_path)
    spark_args = ("identity", "resolve", "-w", root, "--engine", "spark")
    # someone's raw events are never replaced by accident
    taken = cli(*spark_args, "--source", raw, "--dataset", raw)
    assert taken.code != 0 and "not a dataset `identity resolve` wrote" in taken.err
    assert list(raw.glob("date=*/*.parquet"))
    # no source given
    missing = cli(*spark_args, "--dataset", tmp_path / "x")
    assert missing.code == 2 and "--source" in missing.err
    # Spark options without Spark
    stray = cli("identity", "resolve", "-w", root, "--dataset", tmp_path / "x")
    assert stray.code == 2 and "--engine spark" in stray.err
    # a dataset without identifier columns
    bare = tmp_path / "bare"
    bare.mkdir()
    pq.write_table(
        pa.table({"event_id": ["1"], "ts": ["2026-01-01"], "event": ["a"], "channel": ["web"]}),
        bare / "part.parquet",
    )
    no_ids = cli(*spark_args, "--source", bare, "--dataset", tmp_path / "y")
    assert no_ids.code == 2 and "no identifier column" in no_ids.err
    assert not (tmp_path / "y").exists() and not (tmp_path / "x").exists()


def test_a_forgotten_person_in_the_lake_stays_forgotten_on_spark(
    spark: Any, make_workspace: MakeWorkspace, tmp_path: Path
) -> None:
    """The lake still holds a person the workspace forgot: resolving it on Spark with the
    workspace's rules leaves out their events (any spelling) and their identifiers."""
    from journeyscope.events.export import export_partitioned
    from journeyscope.identity.forget import forget

    ws = make_workspace(
        [
            {
                "event_id": "p1",
                "event": "a",
                "ts": "2026-01-01T00:00:00Z",
                "phone": "0903 123 456",
                "email": "Lan@Example.com",
            },
            {"event_id": "p2", "event": "b", "ts": "2026-01-02T00:00:00Z", "phone": "+84903123456"},
            {"event_id": "o1", "event": "a", "ts": "2026-01-03T00:00:00Z", "phone": "0912000111"},
        ]
    )
    export_partitioned(ws, tmp_path / "raw")  # before forget: the lake keeps them
    forget(ws, "phone:0903123456")
    resolve_dataset(ws, spark, str(tmp_path / "raw"), str(tmp_path / "resolved"))
    con = duckdb.connect()
    events = con.sql(
        f"SELECT event_id FROM read_parquet('{tmp_path / 'resolved'}/date=*/*.parquet', "
        "hive_partitioning = true) ORDER BY event_id"
    ).fetchall()
    assert events == [("o1",)]
    found = con.sql(
        f"SELECT identifier_value FROM read_parquet('{tmp_path / 'resolved'}/_identity/*.parquet')"
    ).fetchall()
    assert found == [("+84912000111",)]
