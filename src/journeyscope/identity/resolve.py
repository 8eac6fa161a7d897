"""Stitch events into customers: deterministic links, guarded, computed in the engine.

1. Every distinct raw identifier is normalised once (``identity_values``, kept between runs).
2. Identifiers seen on the same event are linked (``identity_links``).
3. Guard: an identifier linked to more than ``max_links`` distinct values of one other type
   (a shop's shared tablet, a placeholder phone) is *excluded* — not used to link anything —
   and reported. Blocked identifiers and blocked pairs are dropped the same way.
4. Connected components of the remaining links, by label propagation with pointer jumping
   in SQL — no Python loop over rows. Customer ids are numbered by each customer's first
   event, so they stay put when later imports only add customers.
5. Each event gets the customer of its usable identifiers; events with none stay unattributed.

Every run recomputes from the stored events, so a block (or a fix to bad data) splits
customers everywhere, history included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import Workspace
from journeyscope.identity.normalize import EMAIL_RE, normalize, phone_fast_sql

Step = Callable[[str], None]


@dataclass
class ResolveResult:
    customers: int
    identifiers: int
    events: int
    unattributed_events: int
    invalid_identifiers: int
    excluded_identifiers: list[dict[str, Any]] = field(default_factory=list)
    iterations: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _normalize_new_values(ws: Workspace) -> None:
    """Fill ``identity_values`` for raw identifiers not seen before."""
    con = ws.con
    region = ws.config.identity.default_region
    union = " UNION ALL ".join(
        f"SELECT DISTINCT '{t}' AS id_type, {t} AS raw FROM events WHERE {t} IS NOT NULL"
        for t in IDENTIFIER_TYPES
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_values AS
        SELECT n.id_type, n.raw FROM ({union}) n
        ANTI JOIN identity_values v ON v.id_type = n.id_type AND v.raw = n.raw"""
    )
    phone = phone_fast_sql("raw") if region == "VN" else "NULL"
    con.execute(
        f"""INSERT INTO identity_values
        SELECT id_type, raw,
            CASE
                WHEN id_type = 'email' THEN lower(regexp_replace(raw, '\\s+', '', 'g'))
                WHEN id_type = 'phone' THEN {phone}
                WHEN regexp_matches(trim(raw), '^\\d+\\.0$')
                    THEN regexp_replace(trim(raw), '\\.0$', '')
                ELSE nullif(trim(raw), '')
            END AS value,
            NULL AS problem
        FROM new_values"""
    )
    # e-mail shape, in SQL with the same pattern the Python rule uses
    con.execute(
        "UPDATE identity_values SET value = NULL, problem = 'not an e-mail address' "
        "WHERE id_type = 'email' AND value IS NOT NULL AND problem IS NULL "
        "AND NOT regexp_full_match(value, $p)",
        {"p": EMAIL_RE.pattern.strip("^$")},
    )
    # phones outside the fast path: phonenumbers, once per distinct raw value
    slow = con.execute(
        "SELECT v.raw FROM identity_values v SEMI JOIN new_values n "
        "ON n.id_type = v.id_type AND n.raw = v.raw "
        "WHERE v.id_type = 'phone' AND v.value IS NULL AND v.problem IS NULL"
    ).fetchall()
    if slow:
        fixed = [(raw, *normalize("phone", raw, region)) for (raw,) in slow]
        con.execute(
            "CREATE OR REPLACE TEMP TABLE phone_fix (raw VARCHAR, value VARCHAR, problem VARCHAR)"
        )
        con.executemany("INSERT INTO phone_fix VALUES (?, ?, ?)", fixed)
        con.execute(
            "UPDATE identity_values v SET value = f.value, problem = f.problem FROM phone_fix f "
            "WHERE v.id_type = 'phone' AND v.raw = f.raw"
        )
    con.execute(
        "UPDATE identity_values SET problem = 'empty' WHERE value IS NULL AND problem IS NULL"
    )
    con.execute("DROP TABLE IF EXISTS new_values")
    con.execute("DROP TABLE IF EXISTS phone_fix")


def _event_nodes(ws: Workspace) -> None:
    """``ev_nodes(seq, node_id)`` and the node list ``nodes(node_id, id_type, value)``."""
    con = ws.con
    union = " UNION ALL ".join(
        f"SELECT seq, '{t}' AS id_type, {t} AS raw FROM events WHERE {t} IS NOT NULL"
        for t in IDENTIFIER_TYPES
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ev_values AS
        SELECT e.seq, v.id_type, v.value FROM ({union}) e
        JOIN identity_values v ON v.id_type = e.id_type AND v.raw = e.raw
        WHERE v.value IS NOT NULL"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nodes AS
        SELECT row_number() OVER (ORDER BY id_type, value) AS node_id, id_type, value,
               min(seq) AS first_seq
        FROM ev_values GROUP BY id_type, value"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE ev_nodes AS
        SELECT DISTINCT e.seq, n.node_id FROM ev_values e
        JOIN nodes n ON n.id_type = e.id_type AND n.value = e.value"""
    )
    con.execute("DROP TABLE ev_values")


def _links_and_guard(ws: Workspace) -> None:
    con = ws.con
    con.execute(
        """CREATE OR REPLACE TEMP TABLE links AS
        SELECT a.node_id AS a, b.node_id AS b, count(*) AS events, min(a.seq) AS first_seq
        FROM ev_nodes a JOIN ev_nodes b ON a.seq = b.seq AND a.node_id < b.node_id
        GROUP BY ALL"""
    )
    # the most distinct values of any one other type that each identifier is linked to
    con.execute(
        """CREATE OR REPLACE TEMP TABLE degree AS
        WITH both_ways AS (
            SELECT a AS node_id, b AS other FROM links UNION ALL SELECT b, a FROM links
        ), per_type AS (
            SELECT w.node_id, o.id_type, count(*) AS n
            FROM both_ways w JOIN nodes o ON o.node_id = w.other GROUP BY ALL
        )
        SELECT node_id, max(n) AS max_links, arg_max(id_type, n) AS busiest_type
        FROM per_type GROUP BY node_id"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE node_status AS
        SELECT n.node_id, n.id_type, n.value, n.first_seq,
            coalesce(d.max_links, 0) AS max_links, d.busiest_type,
            CASE
                WHEN b.id_type IS NOT NULL THEN 'blocked'
                WHEN coalesce(d.max_links, 0) > $max THEN 'excluded'
                ELSE 'linked'
            END AS status
        FROM nodes n
        LEFT JOIN degree d USING (node_id)
        LEFT JOIN (SELECT DISTINCT id_type, value FROM identity_blocks WHERE other_type IS NULL) b
            ON b.id_type = n.id_type AND b.value = n.value""",
        {"max": ws.config.identity.max_links},
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE used_links AS
        SELECT l.a, l.b FROM links l
        JOIN node_status sa ON sa.node_id = l.a AND sa.status = 'linked'
        JOIN node_status sb ON sb.node_id = l.b AND sb.status = 'linked'
        WHERE NOT EXISTS (
            SELECT 1 FROM identity_blocks k
            WHERE k.other_type IS NOT NULL AND (
                (k.id_type = sa.id_type AND k.value = sa.value
                 AND k.other_type = sb.id_type AND k.other_value = sb.value)
             OR (k.id_type = sb.id_type AND k.value = sb.value
                 AND k.other_type = sa.id_type AND k.other_value = sa.value)))"""
    )


def connected_components(ws: Workspace, edges: str, vertices: str) -> int:
    """Label every vertex with the smallest vertex id in its component; returns iterations.

    Min-label propagation along edges, with pointer jumping (a vertex takes its label's label)
    so long chains converge in O(log diameter) rounds. Result: TEMP TABLE ``cc(v, comp)``.
    """
    con = ws.con
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cc_edges AS
        SELECT a AS v, b AS u FROM {edges} UNION ALL SELECT b, a FROM {edges}"""
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE cc AS SELECT v, v AS comp FROM {vertices}")
    rounds = 0
    while True:
        rounds += 1
        con.execute(
            """CREATE OR REPLACE TEMP TABLE cc_next AS
            WITH hop AS (
                SELECT e.v, min(c.comp) AS comp FROM cc_edges e JOIN cc c ON c.v = e.u GROUP BY e.v
            ), stepped AS (
                SELECT c.v, least(c.comp, coalesce(h.comp, c.comp)) AS comp
                FROM cc c LEFT JOIN hop h USING (v)
            )
            SELECT s.v, least(s.comp, coalesce(j.comp, s.comp)) AS comp
            FROM stepped s LEFT JOIN stepped j ON j.v = s.comp"""
        )
        changed = ws.scalar(
            "SELECT count(*) FROM cc_next n JOIN cc c USING (v) WHERE n.comp <> c.comp"
        )
        con.execute("DROP TABLE cc")
        con.execute("ALTER TABLE cc_next RENAME TO cc")
        if not changed:
            break
    con.execute("DROP TABLE cc_edges")
    return rounds


def resolve(ws: Workspace, step: Step | None = None) -> ResolveResult:
    """Recompute customers from every stored event; replaces the previous answer atomically."""
    say = step or (lambda _s: None)
    con = ws.con
    say("normalise")
    with ws.transaction():
        _normalize_new_values(ws)
    say("link")
    _event_nodes(ws)
    _links_and_guard(ws)
    say("components")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE linked_nodes AS "
        "SELECT node_id AS v FROM node_status WHERE status = 'linked'"
    )
    rounds = connected_components(ws, "used_links", "linked_nodes")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE comp_ids AS
        SELECT comp, dense_rank() OVER (ORDER BY min(s.first_seq)) AS customer_id
        FROM cc JOIN node_status s ON s.node_id = cc.v GROUP BY comp"""
    )
    say("store")
    with ws.transaction():
        con.execute("DELETE FROM identity_nodes")
        con.execute(
            """INSERT INTO identity_nodes
            SELECT s.node_id, s.id_type, s.value, i.customer_id, s.status, s.max_links
            FROM node_status s LEFT JOIN cc ON cc.v = s.node_id
            LEFT JOIN comp_ids i ON i.comp = cc.comp"""
        )
        con.execute("DELETE FROM identity_links")
        con.execute(
            """INSERT INTO identity_links
            SELECT l.a, l.b, l.events, l.first_seq, u.a IS NOT NULL
            FROM links l LEFT JOIN used_links u ON u.a = l.a AND u.b = l.b"""
        )
        con.execute("DELETE FROM event_customers")
        con.execute(
            """INSERT INTO event_customers
            SELECT e.seq, min(n.customer_id) FROM ev_nodes e
            JOIN identity_nodes n ON n.node_id = e.node_id
            WHERE n.customer_id IS NOT NULL GROUP BY e.seq"""
        )
        result = _summary(ws, rounds)
        con.execute(
            "INSERT INTO identity_runs VALUES (?, ?, ?, ?, ?)",
            [
                datetime.now(UTC).replace(tzinfo=None),
                result.customers,
                result.identifiers,
                result.events,
                json.dumps({"excluded": len(result.excluded_identifiers), "rounds": rounds}),
            ],
        )
    for table in (
        "cc",
        "comp_ids",
        "linked_nodes",
        "used_links",
        "node_status",
        "degree",
        "links",
        "ev_nodes",
        "nodes",
    ):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return result


def _summary(ws: Workspace, rounds: int) -> ResolveResult:
    excluded = ws.con.execute(
        """SELECT s.id_type || ':' || s.value, s.status, s.max_links, s.busiest_type
        FROM node_status s WHERE s.status <> 'linked' ORDER BY s.max_links DESC, 1"""
    ).fetchall()
    return ResolveResult(
        customers=int(ws.scalar("SELECT count(DISTINCT customer_id) FROM identity_nodes")),
        identifiers=int(ws.scalar("SELECT count(*) FROM identity_nodes")),
        events=int(ws.scalar("SELECT count(*) FROM event_customers")),
        unattributed_events=int(
            ws.scalar(
                "SELECT (SELECT count(*) FROM events) - (SELECT count(*) FROM event_customers)"
            )
        ),
        invalid_identifiers=int(
            ws.scalar("SELECT count(*) FROM identity_values WHERE value IS NULL")
        ),
        excluded_identifiers=[
            {
                "identifier": ident,
                "reason": status,
                "links": int(links),
                "linked_type": busiest,
            }
            for ident, status, links, busiest in excluded
        ],
        iterations=rounds,
    )
