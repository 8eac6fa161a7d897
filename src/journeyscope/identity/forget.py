"""Forget a person (Vietnam's Decree 13/2023 on personal data protection).

Deletes every event of the customer an identifier belongs to, every identifier value and
link of that customer, and writes an audit record that holds counts only — no identifier,
no customer id. The database is then rewritten (``Workspace.compact``) so the deleted
bytes leave the file, not just the tables.
"""

from __future__ import annotations

import json
from typing import Any

from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import Workspace
from journeyscope.identity.explain import find_node


def forget(ws: Workspace, identifier: str) -> dict[str, Any]:
    node_id, id_type, value, customer, _status, _ = find_node(ws, identifier)
    con = ws.con
    with ws.transaction():
        if customer is None:
            # an identifier that links nothing: forget the events that carry it
            con.execute(
                "CREATE OR REPLACE TEMP TABLE gone_nodes AS "
                "SELECT ? AS node_id, ? AS id_type, ? AS value",
                [node_id, id_type, value],
            )
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE gone_nodes AS "
                "SELECT node_id, id_type, value FROM identity_nodes WHERE customer_id = ?",
                [customer],
            )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE gone_raw AS "
            "SELECT v.id_type, v.raw FROM identity_values v "
            "JOIN gone_nodes g ON g.id_type = v.id_type AND g.value = v.value"
        )
        matches = " OR ".join(
            f"EXISTS (SELECT 1 FROM gone_raw r WHERE r.id_type = '{t}' AND r.raw = e.{t})"
            for t in IDENTIFIER_TYPES
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE gone_seq AS SELECT seq FROM events e WHERE {matches}"
        )
        if customer is not None:
            con.execute(
                "INSERT INTO gone_seq SELECT seq FROM event_customers WHERE customer_id = ? "
                "EXCEPT SELECT seq FROM gone_seq",
                [customer],
            )
        events = int(ws.scalar("SELECT count(*) FROM gone_seq"))
        identifiers = int(ws.scalar("SELECT count(*) FROM gone_nodes"))
        con.execute("DELETE FROM events WHERE seq IN (SELECT seq FROM gone_seq)")
        con.execute("DELETE FROM event_customers WHERE seq IN (SELECT seq FROM gone_seq)")
        con.execute("DELETE FROM journey_events WHERE seq IN (SELECT seq FROM gone_seq)")
        con.execute(
            "DELETE FROM identity_links WHERE a IN (SELECT node_id FROM gone_nodes) "
            "OR b IN (SELECT node_id FROM gone_nodes)"
        )
        con.execute(
            "DELETE FROM identity_customers WHERE node_id IN (SELECT node_id FROM gone_nodes)"
        )
        con.execute(
            "DELETE FROM identity_values v USING gone_raw g "
            "WHERE v.id_type = g.id_type AND v.raw = g.raw"
        )
        con.execute(
            "DELETE FROM identity_blocks b USING gone_nodes g "
            "WHERE (b.id_type = g.id_type AND b.value = g.value) "
            "OR (b.other_type = g.id_type AND b.other_value = g.value)"
        )
        report = {
            "events": events,
            "identifiers": identifiers,
            "customers": int(customer is not None),
        }
        ws.audit("forget", json.dumps(report))
    for table in ("gone_nodes", "gone_raw", "gone_seq"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    ws.compact()
    return {"deleted": report, "audit": "audit_log (counts only; no personal data)"}
