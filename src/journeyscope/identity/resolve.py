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
from journeyscope.identity.normalize import EMAIL_RE, normalize, phone_fast_select

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


def _value_sql(id_type: str, region: str) -> str:
    """``SELECT raw, value, problem FROM new_raw`` for one identifier type (docs: normalize)."""
    if id_type == "phone":
        if region != "VN":
            return "SELECT raw, CAST(NULL AS VARCHAR) AS value, NULL AS problem FROM new_raw"
        return f"SELECT raw, value, NULL AS problem FROM ({phone_fast_select('new_raw')})"
    if id_type == "email":
        return f"""
            SELECT raw, CASE WHEN ok THEN v END AS value,
                   CASE WHEN NOT ok THEN 'not an e-mail address' END AS problem
            FROM (SELECT raw, v, regexp_full_match(v, '{EMAIL_RE.pattern.strip("^$")}') AS ok
                  FROM (SELECT raw, lower(regexp_replace(raw, '\\s', '', 'g')) AS v FROM new_raw))"""
    return """
        SELECT raw, CASE WHEN ends_with(v, '.0') AND regexp_full_match(v, '\\d+\\.0')
                         THEN left(v, -2) ELSE nullif(v, '') END AS value, NULL AS problem
        FROM (SELECT raw, trim(raw) AS v FROM new_raw)"""


def _normalize_new_values(ws: Workspace) -> None:
    """Fill ``identity_values`` for raw identifiers not seen before, one type at a time."""
    con = ws.con
    region = ws.config.identity.default_region
    for id_type in IDENTIFIER_TYPES:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE new_raw AS
            SELECT DISTINCT {id_type} AS raw FROM events WHERE {id_type} IS NOT NULL
            EXCEPT SELECT raw FROM identity_values WHERE id_type = '{id_type}'"""
        )
        con.execute(
            f"INSERT INTO identity_values SELECT '{id_type}', raw, value, problem "
            f"FROM ({_value_sql(id_type, region)})"
        )
        if id_type == "phone":
            _slow_phones(ws, region)
    con.execute(
        "UPDATE identity_values SET problem = 'empty' WHERE value IS NULL AND problem IS NULL "
        "AND id_type <> 'phone'"
    )
    con.execute("DROP TABLE IF EXISTS new_raw")


def _slow_phones(ws: Workspace, region: str) -> None:
    """Phones outside the fast path: ``phonenumbers``, once per distinct raw value."""
    con = ws.con
    slow = con.execute(
        "SELECT raw FROM identity_values WHERE id_type = 'phone' AND value IS NULL "
        "AND problem IS NULL"
    ).fetchall()
    if not slow:
        return
    fixed = [(raw, *normalize("phone", raw, region)) for (raw,) in slow]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE phone_fix (raw VARCHAR, value VARCHAR, problem VARCHAR)"
    )
    con.executemany("INSERT INTO phone_fix VALUES (?, ?, ?)", fixed)
    con.execute(
        "UPDATE identity_values v SET value = f.value, problem = f.problem FROM phone_fix f "
        "WHERE v.id_type = 'phone' AND v.raw = f.raw"
    )
    con.execute("DROP TABLE phone_fix")


def _event_nodes(ws: Workspace) -> None:
    """``nodes(node_id, id_type, value)`` and ``ev_nodes(seq, node_id, t)``.

    A node id is a 63-bit hash of (type, value): no sort, no string join. Every hash bucket
    is checked to hold one value; on a collision (odds about 10⁻⁶ at 4 million identifiers)
    the ids are numbered instead. ``t`` is the identifier type's index, carried along so the
    guard never joins back to strings.
    """
    con = ws.con
    types = ", ".join(f"'{t}'" for t in IDENTIFIER_TYPES)
    for attempt in ("hash", "rank"):
        node_id = (
            "CAST(hash(id_type, value) >> 1 AS BIGINT)"
            if attempt == "hash"
            else "dense_rank() OVER (ORDER BY id_type, value)"
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE raw_nodes AS
            SELECT id_type, raw, value, {node_id} AS node_id,
                   CAST(list_position([{types}], id_type) AS TINYINT) AS t
            FROM identity_values WHERE value IS NOT NULL"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE nodes AS
            SELECT node_id, min(id_type) AS id_type, min(value) AS value, min(t) AS t,
                   min(value) <> max(value) OR min(id_type) <> max(id_type) AS clash
            FROM raw_nodes GROUP BY node_id"""
        )
        if not ws.scalar("SELECT count(*) FROM nodes WHERE clash"):
            break
    union = " UNION ALL ".join(
        f"SELECT e.seq, r.node_id, r.t FROM events e JOIN "
        f"(SELECT raw, node_id, t FROM raw_nodes WHERE id_type = '{t}') r ON r.raw = e.{t}"
        for t in IDENTIFIER_TYPES
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE ev_nodes AS {union}")
    con.execute("DROP TABLE raw_nodes")


def _links_and_guard(ws: Workspace) -> None:
    con = ws.con
    # only events carrying two identifiers or more can link anything
    several = " + ".join(f"CAST({t} IS NOT NULL AS INTEGER)" for t in IDENTIFIER_TYPES)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ev_multi AS
        SELECT e.* FROM ev_nodes e
        SEMI JOIN (SELECT seq FROM events WHERE {several} >= 2) m ON m.seq = e.seq"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE links AS
        SELECT a.node_id AS a, b.node_id AS b, a.t AS ta, b.t AS tb,
               count(*) AS events, min(a.seq) AS first_seq
        FROM ev_multi a JOIN ev_multi b ON a.seq = b.seq AND a.node_id < b.node_id
        GROUP BY a.node_id, b.node_id, a.t, b.t"""
    )
    con.execute("DROP TABLE ev_multi")
    # the most distinct values of any one other type that each identifier is linked to
    types = ", ".join(f"'{t}'" for t in IDENTIFIER_TYPES)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE degree AS
        SELECT node_id, max(n) AS max_links, [{types}][arg_max(other_t, n)] AS busiest_type
        FROM (
            SELECT node_id, other_t, count(*) AS n FROM (
                SELECT a AS node_id, tb AS other_t FROM links
                UNION ALL SELECT b, ta FROM links
            ) GROUP BY ALL
        ) GROUP BY node_id"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE node_status AS
        SELECT n.node_id, n.id_type, n.value,
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
        "CREATE OR REPLACE TEMP TABLE unlinked AS "
        "SELECT node_id FROM node_status WHERE status <> 'linked'"
    )
    pair_blocks = ws.scalar("SELECT count(*) FROM identity_blocks WHERE other_type IS NOT NULL")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE used_links AS
        SELECT l.a, l.b FROM links l
        ANTI JOIN unlinked x ON x.node_id = l.a
        ANTI JOIN unlinked y ON y.node_id = l.b
        {"" if not pair_blocks else _PAIR_BLOCKS}"""
    )


_PAIR_BLOCKS = """
        WHERE NOT EXISTS (
            SELECT 1 FROM identity_blocks k
            JOIN nodes na ON na.node_id = l.a JOIN nodes nb ON nb.node_id = l.b
            WHERE k.other_type IS NOT NULL AND (
                (k.id_type = na.id_type AND k.value = na.value
                 AND k.other_type = nb.id_type AND k.other_value = nb.value)
             OR (k.id_type = nb.id_type AND k.value = nb.value
                 AND k.other_type = na.id_type AND k.other_value = na.value)))"""


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
        "SELECT a AS v FROM used_links UNION SELECT b FROM used_links"
    )
    rounds = connected_components(ws, "used_links", "linked_nodes")
    # customers are numbered by their first event, so ids stay put as later data arrives
    con.execute(
        """CREATE OR REPLACE TEMP TABLE ev_comp AS
        SELECT e.seq, min(coalesce(cc.comp, e.node_id)) AS comp FROM ev_nodes e
        ANTI JOIN unlinked x ON x.node_id = e.node_id
        LEFT JOIN cc ON cc.v = e.node_id
        GROUP BY e.seq"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE comp_ids AS
        SELECT comp, dense_rank() OVER (ORDER BY min(seq)) AS customer_id
        FROM ev_comp GROUP BY comp"""
    )
    say("store")
    with ws.transaction():
        con.execute("DELETE FROM identity_nodes")
        con.execute(
            """INSERT INTO identity_nodes
            SELECT s.node_id, s.id_type, s.value, i.customer_id, s.status, s.max_links
            FROM node_status s LEFT JOIN cc ON cc.v = s.node_id
            LEFT JOIN comp_ids i ON i.comp = coalesce(cc.comp, s.node_id)
                AND s.status = 'linked'"""
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
            SELECT e.seq, i.customer_id FROM ev_comp e JOIN comp_ids i USING (comp)"""
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
        "ev_comp",
        "unlinked",
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
