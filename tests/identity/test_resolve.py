"""Identity resolution on the demo (known truth) and on random graphs (networkx)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.errors import NotFound
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace
from journeyscope.identity.explain import explain
from journeyscope.identity.forget import forget
from journeyscope.identity.manage import block, export_identities, unblock
from journeyscope.identity.profiles import profile
from journeyscope.identity.resolve import compiled_components, connected_components, resolve

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
@given(
    st.lists(st.tuples(st.integers(1, 60), st.integers(1, 60)), max_size=120),
    st.sampled_from([connected_components, compiled_components]),
)
def test_components_equal_networkx(
    tmp_path_factory: pytest.TempPathFactory,
    edges: list[tuple[int, int]],
    label: Callable[[Workspace, str, str], int],
) -> None:
    """Both the SQL rounds (portable) and the compiled union-find (DuckDB's fast path)."""
    root = tmp_path_factory.mktemp("cc")
    with Workspace.init(root / "ws") as ws:
        ws.con.execute("CREATE TEMP TABLE e (a BIGINT, b BIGINT)")
        if edges:
            ws.con.executemany(
                "INSERT INTO e VALUES (?, ?)", [(min(a, b), max(a, b)) for a, b in edges]
            )
        ws.con.execute("CREATE TEMP TABLE v AS SELECT range AS v FROM range(1, 61)")
        label(ws, "e", "v")
        ours = ws.con.execute("SELECT v, comp FROM cc").fetchall()
    graph = nx.Graph()
    graph.add_nodes_from(range(1, 61))
    graph.add_edges_from(edges)
    labels = dict(ours)
    assert set(labels) == set(range(1, 61))
    components = list(nx.connected_components(graph))
    assert all(len({labels[v] for v in c}) == 1 for c in components)
    assert len(set(labels.values())) == len(components)


def test_long_chain_converges(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.con.execute(
            "CREATE TEMP TABLE e AS SELECT range AS a, range + 1 AS b FROM range(1, 5000)"
        )
        ws.con.execute("CREATE TEMP TABLE v AS SELECT range AS v FROM range(1, 5001)")
        rounds = connected_components(ws, "e", "v")
        assert ws.scalar("SELECT count(DISTINCT comp) FROM cc") == 1
    assert rounds < 30  # pointer jumping: logarithmic, not 5000 rounds


def test_duckdb_is_the_engine() -> None:
    assert duckdb.__version__


def test_a_hash_collision_is_renumbered_not_merged(tmp_path: Path) -> None:
    from journeyscope.identity.resolve import _resolve_collisions

    with Workspace.init(tmp_path / "ws") as ws:
        ws.con.execute(
            "INSERT INTO identity_values VALUES "
            "('phone', '0903 000 001', '+84903000001', NULL, 42), "
            "('phone', '+84903000001', '+84903000001', NULL, 42), "
            "('email', 'a@b.vn', 'a@b.vn', NULL, 42)"
        )
        ws.con.execute(
            "CREATE TEMP TABLE fresh_ids AS SELECT 42::BIGINT AS node_id, "
            "hash(id_type, value, 'check') AS check_hash FROM "
            "(SELECT DISTINCT id_type, value FROM identity_values)"
        )
        assert _resolve_collisions(ws, had_values=False) == 1
        ids = dict(
            ws.con.execute(
                "SELECT value, count(DISTINCT node_id) || ':' || min(node_id) FROM identity_values "
                "GROUP BY value"
            ).fetchall()
        )
    assert ids["+84903000001"].startswith("1:") and ids["a@b.vn"].startswith("1:")
    assert ids["+84903000001"] != ids["a@b.vn"]


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


def test_compiled_components_on_a_long_chain(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.con.execute(
            "CREATE TEMP TABLE e AS SELECT range AS a, range + 1 AS b FROM range(1, 5000)"
        )
        ws.con.execute("CREATE TEMP TABLE v AS SELECT range AS v FROM range(1, 5003)")
        compiled_components(ws, "e", "v")
        assert ws.scalar("SELECT count(DISTINCT comp) FROM cc") == 3  # the chain, 5001, 5002
        assert ws.scalar("SELECT min(comp) FROM cc WHERE v <= 5000") == 1
