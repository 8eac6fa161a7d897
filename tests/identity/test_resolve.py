"""Identity resolution on the demo (known truth) and on random graphs (networkx)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.errors import NotFound, WorkspaceError
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace
from journeyscope.identity.explain import explain
from journeyscope.identity.forget import forget
from journeyscope.identity.manage import block, export_identities, unblock
from journeyscope.identity.profiles import profile
from journeyscope.identity.resolve import resolve
from journeyscope.identity.stitch_kernel import label_components

PAIR_SCORE = """
WITH j AS (
    SELECT e.customer_id AS c, t.{truth} AS p
    FROM events_with_customers e JOIN read_parquet($truth) t USING (source, event_id)
    WHERE e.customer_id IS NOT NULL OR t.linkable IS NOT NULL
), cp AS (SELECT c, p, count(*) AS n FROM j GROUP BY ALL),
tp AS (SELECT sum(n * (n - 1) / 2) AS v FROM cp WHERE c IS NOT NULL AND p IS NOT NULL),
pred AS (SELECT sum(n * (n - 1) / 2) AS v
         FROM (SELECT c, sum(n) AS n FROM cp WHERE c IS NOT NULL GROUP BY c)),
act AS (SELECT sum(n * (n - 1) / 2) AS v
        FROM (SELECT p, sum(n) AS n FROM cp WHERE p IS NOT NULL GROUP BY p))
SELECT tp.v / pred.v, tp.v / act.v FROM tp, pred, act
"""


def score(ws: Workspace, truth_file: Path, truth: str) -> tuple[float, float]:
    row = ws.con.execute(PAIR_SCORE.format(truth=truth), {"truth": str(truth_file)}).fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


def test_precision_and_recall_are_one_for_deterministic_links(
    demo_sources: Path, demo_workspace: Path
) -> None:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        assert score(ws, demo_sources / "truth.parquet", "linkable") == (1.0, 1.0)
        precision, recall = score(ws, demo_sources / "truth.parquet", "person")
        assert precision == 1.0  # never two people in one customer
        assert 0.5 < recall < 1.0  # anonymous visits that never link stay apart, as they must


def test_shared_tablet_and_placeholder_phone_are_excluded(demo_workspace: Path) -> None:
    with Workspace.open(demo_workspace) as ws:
        result = resolve(ws)
    excluded = {x["identifier"]: x for x in result.excluded_identifiers}
    assert set(excluded) == {"device_id:TAB-CH-Q1-01", "phone:+84999999999"}
    assert all(x["reason"] == "excluded" and x["links"] > 20 for x in excluded.values())
    assert result.invalid_identifiers == 0
    assert result.events + result.unattributed_events > result.events > 0


def test_resolve_is_repeatable(demo_workspace: Path) -> None:
    with Workspace.open(demo_workspace) as ws:
        before = ws.con.execute(
            "SELECT seq, customer_id FROM event_customers ORDER BY seq"
        ).fetchall()
        resolve(ws)
        after = ws.con.execute(
            "SELECT seq, customer_id FROM event_customers ORDER BY seq"
        ).fetchall()
    assert before == after


def _busiest_customer_phone(ws: Workspace) -> str:
    row = ws.con.execute(
        """SELECT n.value FROM identity_nodes n JOIN (
               SELECT customer_id, count(*) AS k FROM identity_nodes
               GROUP BY 1 ORDER BY k DESC, 1 LIMIT 1
           ) USING (customer_id) WHERE n.id_type = 'phone'"""
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_explain_shows_the_chain_with_evidence(demo_workspace: Path) -> None:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        phone = _busiest_customer_phone(ws)
        data = explain(ws, f"phone:{phone}")
        members = ws.scalar(
            "SELECT count(*) FROM identity_nodes WHERE customer_id = ?", [data["customer_id"]]
        )
        trap = explain(ws, "device_id:TAB-CH-Q1-01")
    assert data["status"] == "linked" and len(data["links"]) == members - 1
    assert data["links"][0]["from"] == f"phone:{phone}"
    assert all(link["first_evidence"]["event_id"] for link in data["links"])
    assert trap["status"] == "excluded" and "max_links" in trap["why"]


def test_block_splits_everywhere_and_unblock_merges_back(demo_workspace: Path) -> None:
    with Workspace.open(demo_workspace) as ws:
        phone = _busiest_customer_phone(ws)
        customer = profile(ws, f"phone:{phone}")
        events = customer["events"]
        block(ws, f"phone:{phone}")
        resolve(ws)
        with pytest.raises(NotFound):
            profile(ws, f"phone:{phone}")
        pieces = ws.con.execute(
            "SELECT count(DISTINCT customer_id) FROM identity_nodes "
            "WHERE id_type || ':' || value IN (SELECT unnest($ids))",
            {
                "ids": [
                    f"{i['type']}:{i['value']}"
                    for i in customer["identifiers"]
                    if i["type"] != "phone"
                ]
            },
        ).fetchone()
        assert pieces is not None and pieces[0] > 1
        unblock(ws, f"phone:{phone}")
        resolve(ws)
        assert profile(ws, f"phone:{phone}")["events"] == events


def test_block_one_pair(demo_workspace: Path) -> None:
    with Workspace.open(demo_workspace) as ws:
        phone = _busiest_customer_phone(ws)
        data = explain(ws, f"phone:{phone}")
        first = next(link for link in data["links"] if link["to"].startswith("loyalty_id:"))
        block(ws, first["from"], first["to"])
        resolve(ws)
        after = explain(ws, f"phone:{phone}")
    assert first["to"] not in {link["to"] for link in after["links"]}


def test_export_csv(demo_workspace: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        n = export_identities(ws, tmp_path / "ids.csv")
        linked = ws.scalar("SELECT count(*) FROM identity_nodes WHERE customer_id IS NOT NULL")
    with (tmp_path / "ids.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert n == linked == len(rows)
    assert list(rows[0]) == ["identifier_type", "identifier_value", "customer_id"]
    assert not any(r["identifier_value"] == "TAB-CH-Q1-01" for r in rows)


def test_forget_removes_every_trace_and_audits_counts_only(demo_workspace: Path) -> None:
    db = demo_workspace / "journeyscope.duckdb"
    with Workspace.open(demo_workspace) as ws:
        phone = _busiest_customer_phone(ws)
        customer = profile(ws, f"phone:{phone}")
        email = next(i["value"] for i in customer["identifiers"] if i["type"] == "email")
        raw_phones = [
            r[0]
            for r in ws.con.execute(
                "SELECT raw FROM identity_values WHERE id_type = 'phone' AND value = ?", [phone]
            ).fetchall()
        ]
        total = ws.scalar("SELECT count(*) FROM events")
        report = forget(ws, f"email:{email}")
        assert report["deleted"]["events"] == customer["events"]
        cid = customer["customer_id"]
        assert ws.scalar("SELECT count(*) FROM journey_events WHERE customer_id = ?", [cid]) == 0
        assert ws.scalar("SELECT count(*) FROM events") == total - customer["events"]
        for raw in raw_phones:
            assert ws.scalar("SELECT count(*) FROM events WHERE phone = ?", [raw]) == 0
        assert (
            ws.scalar("SELECT count(*) FROM identity_nodes WHERE value IN (?, ?)", [phone, email])
            == 0
        )
        audit = ws.scalar("SELECT detail FROM audit_log WHERE action = 'forget'")
        assert (
            phone not in audit
            and email not in audit
            and str(customer["customer_id"]) not in audit.replace('"customers": 1', "")
        )
        resolve(ws)  # and the person does not come back
        with pytest.raises(NotFound):
            profile(ws, f"phone:{phone}")
    content = db.read_bytes()
    assert email.encode() not in content and phone.encode() not in content


# ------------------------------------------------------------------ components vs networkx


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=120))
def test_components_equal_networkx(edges: list[tuple[int, int]]) -> None:
    """The compiled union-find labels each component with its smallest node id."""
    a = np.array([e[0] for e in edges], np.int64)
    b = np.array([e[1] for e in edges], np.int64)
    labels = label_components(a, b, 60)
    graph = nx.Graph()
    graph.add_nodes_from(range(60))
    graph.add_edges_from(edges)
    for component in nx.connected_components(graph):
        assert {int(labels[v]) for v in component} == {min(component)}
    assert len(set(labels.tolist())) == nx.number_connected_components(graph)


def test_components_of_a_long_chain() -> None:
    a = np.arange(4999, 0, -1, dtype=np.int64)  # joined from the far end
    labels = label_components(a, a - 1, 5002)
    assert set(labels[:5000].tolist()) == {0}
    assert labels[5000] == 5000 and labels[5001] == 5001


def test_duckdb_is_the_engine() -> None:
    assert duckdb.__version__


def test_node_ids_are_dense_and_kept_for_new_spellings(tmp_path: Path) -> None:
    """A value keeps its node id when a later import spells it anew; new values take the
    next numbers, so ids index arrays and cannot collide."""
    source = tmp_path / "e.jsonl"

    def write(*rows: tuple[str, str, str]) -> None:
        source.write_text(
            "\n".join(
                json.dumps({"event_id": i, "ts": "2024-01-01T00:00:00Z", "event": "call",
                            "channel": "hotline", kind: value})
                for i, kind, value in rows
            ),
            "utf-8",
        )  # fmt: skip

    def ids() -> dict[str, int]:
        return dict(ws.con.execute("SELECT raw, node_id FROM identity_values").fetchall())

    with Workspace.init(tmp_path / "ws") as ws:
        write(("1", "phone", "0903 123 456"), ("2", "email", "A@X.VN"), ("3", "phone", "x"))
        ingest_files(ws, [source], load_mapping(None))
        resolve(ws)
        first = ids()
        assert sorted(v for v in first.values() if v is not None) == [0, 1]
        assert first["x"] is None  # not a phone: no node
        write(("4", "phone", "+84903123456"), ("5", "email", "b@x.vn"))
        ingest_files(ws, [source], load_mapping(None))
        resolve(ws)
        later = ids()
    assert later["+84903123456"] == first["0903 123 456"]
    assert later["b@x.vn"] == 2


def test_phones_outside_the_sql_fast_path(tmp_path: Path) -> None:
    """A landline and a foreign number go through phonenumbers, and still link."""
    source = tmp_path / "e.jsonl"
    rows = [
        {
            "event_id": "1",
            "ts": "2024-01-01T00:00:00Z",
            "event": "call",
            "channel": "hotline",
            "phone": "028 3823 4567",
            "email": "a@x.vn",
        },
        {
            "event_id": "2",
            "ts": "2024-01-02T00:00:00Z",
            "event": "call",
            "channel": "hotline",
            "phone": "(028) 38234567",
        },
        {
            "event_id": "3",
            "ts": "2024-01-03T00:00:00Z",
            "event": "call",
            "channel": "hotline",
            "phone": "+1 650-253-0000",
        },
        {
            "event_id": "4",
            "ts": "2024-01-04T00:00:00Z",
            "event": "call",
            "channel": "hotline",
            "phone": "not a phone",
        },
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    with Workspace.init(tmp_path / "ws") as ws:
        ingest_files(ws, [source], load_mapping(None))
        result = resolve(ws)
        values = dict(
            ws.con.execute(
                "SELECT raw, value FROM identity_values WHERE id_type = 'phone'"
            ).fetchall()
        )
        assert values["028 3823 4567"] == values["(028) 38234567"] == "+842838234567"
        assert values["+1 650-253-0000"] == "+16502530000"
        assert values["not a phone"] is None
        assert result.customers == 2  # the two landline spellings and the e-mail are one


def test_too_many_identifiers_for_the_embedded_engine_says_where_to_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeyscope.identity import resolve as module

    source = tmp_path / "e.jsonl"
    source.write_text(
        json.dumps({"event_id": "1", "ts": "2024-01-01T00:00:00Z", "event": "x",
                    "channel": "web", "email": "a@x.vn", "user_id": "u1"}),
        "utf-8",
    )  # fmt: skip
    monkeypatch.setattr(module, "_MAX_NODES", 1)
    with Workspace.init(tmp_path / "ws") as ws:
        ingest_files(ws, [source], load_mapping(None))
        with pytest.raises(WorkspaceError, match="more identifiers") as info:
            resolve(ws)
        assert "--engine spark" in (info.value.hint_en or "")
        assert ws.scalar("SELECT count(*) FROM event_customers") == 0  # nothing half-written
