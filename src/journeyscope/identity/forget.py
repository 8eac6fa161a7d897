"""Forget a person (Vietnam's Decree 13/2023 on personal data protection; docs/security.md).

``forget`` finds everything of the person an identifier belongs to and deletes it:

1. **Who.** The identifier, every identifier of its customer (as of the last resolve), and —
   for events stored since (or before any resolve) — every identifier that shares an event
   with one of those, transitively, except identifiers the last resolve excluded or blocked
   and identifiers shared too widely to be one person's (``identity.max_links``). Raw
   spellings are matched by their normalised value, so ``0903 123 456`` and
   ``+84903123456`` are the same phone whether resolved yet or not.
2. **What.** Those events; every raw spelling of the person's identifiers, and every raw
   value (normalised or not — a mistyped e-mail too) that only the deleted events carried;
   their nodes, links, customers, blocks and journeys; the rows of quarantine files
   (``WORKSPACE/quarantine/*.csv``) holding one of the spellings; the workspace's leftover
   scratch copies.
3. **Never again.** The person's normalised identifiers go on the suppression list
   (:mod:`journeyscope.events.suppression`, keyed hashes), so a later import of an old
   export drops their rows.
4. **Accountability.** One ``audit_log`` record with counts only — no identifier, no
   customer id — then the database is rewritten (``Workspace.compact``) so the deleted bytes
   leave the file, not just the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from journeyscope.events import suppression
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import DB_NAME, Workspace
from journeyscope.identity.normalize import parse_identifier
from journeyscope.identity.raw_values import normalise_raws
from journeyscope.identity.rules import Rules
from journeyscope.identity.scrub import (
    Matcher,
    remove_scratch,
    scrub_quarantine,
    scrub_segments,
)

AUDIT_NOTE = "audit_log (counts only; no personal data)"
_TEMP = ("fg_new", "fg_values", "fg_person", "fg_customers", "fg_seq", "fg_raw", "fg_nodes")


@dataclass
class Person:
    """What ``forget`` found: normalised identifiers, customers and raw spellings."""

    identifiers: set[tuple[str, str]] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    spellings: set[tuple[str, str]] = field(default_factory=set)


def forget(ws: Workspace, identifier: str) -> dict[str, Any]:
    """Delete every trace of the person ``identifier`` belongs to; suppress them; audit."""
    region = ws.config.identity.default_region
    id_type, value = parse_identifier(identifier, region, Rules.from_config(ws.config.identity))
    with ws.scratch(*_TEMP):
        _map_raw_values(ws)
        person = _find_person(ws, id_type, value)
        matcher = Matcher(person.identifiers, {raw for _, raw in person.spellings}, region)
        quarantine = scrub_quarantine(ws.root, matcher)
        members = scrub_segments(ws.root, matcher)
        with ws.transaction():
            deleted = _delete(ws, person)
            deleted["quarantine_rows"] = quarantine
            deleted["segment_members"] = members
            request = int(
                ws.scalar("SELECT coalesce(max(request), 0) + 1 FROM identity_suppressed")
            )
            entries = [(t, suppression.IDENTIFIER, v) for t, v in sorted(person.identifiers)]
            added = suppression.add(ws, entries, request)
            ws.audit("forget", json.dumps({**deleted, "suppressed": added, "request": request}))
    ws.compact()
    deleted["temporary_files"] = remove_scratch(ws.root, DB_NAME)
    return {"deleted": deleted, "suppressed": added, "audit": AUDIT_NOTE}


def _map_raw_values(ws: Workspace) -> None:
    """``fg_values(id_type, raw, value)`` for every raw identifier of every stored event.

    Values resolve has normalised are taken from ``identity_values``; raw values stored
    since the last resolve (all of them before the first) are normalised here, once each,
    by the same rules.
    """
    new = " UNION ALL ".join(
        f"(SELECT DISTINCT '{t}' AS id_type, {t} AS raw FROM events WHERE {t} IS NOT NULL "
        f"EXCEPT SELECT id_type, raw FROM identity_values WHERE id_type = '{t}')"
        for t in IDENTIFIER_TYPES
    )
    ws.con.execute(f"CREATE OR REPLACE TEMP TABLE fg_new AS {new}")
    normalise_raws(ws, "fg_new", "fg_values")
    ws.con.execute("INSERT INTO fg_values SELECT DISTINCT id_type, raw, value FROM identity_values")


def _find_person(ws: Workspace, id_type: str, value: str) -> Person:
    """The person's identifiers (``fg_person``), customers and events (``fg_seq``)."""
    con = ws.con
    con.execute("CREATE OR REPLACE TEMP TABLE fg_person (id_type VARCHAR, value VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE fg_customers (customer_id BIGINT)")
    con.execute("INSERT INTO fg_person VALUES (?, ?)", [id_type, value])
    person = Person()
    while True:
        _add_customers(ws)
        _matching_events(ws)
        grown = _grow(ws)
        if not grown:
            break
    person.identifiers = {
        (str(t), str(v)) for t, v in con.execute("SELECT * FROM fg_person").fetchall()
    }
    person.customers = {int(c) for (c,) in con.execute("SELECT * FROM fg_customers").fetchall()}
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fg_raw AS "
        "SELECT DISTINCT v.id_type, v.raw FROM fg_values v SEMI JOIN fg_person p "
        "ON p.id_type = v.id_type AND p.value = v.value"
    )
    _add_orphans(ws)
    person.spellings = {(str(t), str(r)) for t, r in con.execute("SELECT * FROM fg_raw").fetchall()}
    return person


def _add_orphans(ws: Workspace) -> None:
    """Add to ``fg_raw`` the raw values only the person's events carry — spellings that did
    not normalise (a mistyped e-mail) included: deleting the events orphans them."""
    orphan = " UNION ".join(
        f"(SELECT '{t}' AS id_type, {t} AS raw FROM events WHERE {t} IS NOT NULL "
        f"AND seq IN (SELECT seq FROM fg_seq) "
        f"EXCEPT SELECT '{t}', {t} FROM events WHERE {t} IS NOT NULL "
        f"AND seq NOT IN (SELECT seq FROM fg_seq))"
        for t in IDENTIFIER_TYPES
    )
    ws.con.execute(f"INSERT INTO fg_raw SELECT * FROM ({orphan}) EXCEPT SELECT * FROM fg_raw")


def _add_customers(ws: Workspace) -> None:
    """The customers of the person's identifiers, and all their identifiers."""
    con = ws.con
    con.execute(
        "INSERT INTO fg_customers SELECT DISTINCT n.customer_id FROM identity_nodes n "
        "SEMI JOIN fg_person p ON p.id_type = n.id_type AND p.value = n.value "
        "WHERE n.customer_id IS NOT NULL EXCEPT SELECT customer_id FROM fg_customers"
    )
    con.execute(
        "INSERT INTO fg_person SELECT DISTINCT n.id_type, n.value FROM identity_nodes n "
        "SEMI JOIN fg_customers c USING (customer_id) EXCEPT SELECT * FROM fg_person"
    )


def _matching_events(ws: Workspace) -> None:
    """``fg_seq``: events carrying a spelling of the person's identifiers, or attributed to
    one of their customers."""
    carries = " OR ".join(
        f"e.{t} IN (SELECT raw FROM fg_values v SEMI JOIN fg_person p "
        f"ON p.id_type = v.id_type AND p.value = v.value WHERE v.id_type = '{t}')"
        for t in IDENTIFIER_TYPES
    )
    ws.con.execute(
        f"CREATE OR REPLACE TEMP TABLE fg_seq AS SELECT seq FROM events e WHERE {carries} "
        "UNION SELECT seq FROM event_customers SEMI JOIN fg_customers USING (customer_id)"
    )


def _grow(ws: Workspace) -> int:
    """Add the identifiers that share an unresolved event with the person; returns how many.

    Resolved events already went into customers, with the guard and blocks applied; events
    stored since have not, so their links are followed here — but never through an
    identifier the last resolve excluded or blocked (alone, or apart from one of the
    person's), nor one linked (on any event) to more distinct values of one other type
    than ``identity.max_links``: a shop's new shared tablet must not pull its other
    customers into one person's deletion.
    """
    con = ws.con
    unpivot = " UNION ALL ".join(
        f"SELECT e.seq, '{t}' AS id_type, v.value FROM events e "
        f"JOIN fg_values v ON v.id_type = '{t}' AND v.raw = e.{t} WHERE v.value IS NOT NULL"
        for t in IDENTIFIER_TYPES
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE fg_nodes AS
        SELECT DISTINCT x.id_type, x.value FROM ({unpivot}) x
        SEMI JOIN fg_seq USING (seq)
        ANTI JOIN event_customers USING (seq)
        ANTI JOIN fg_person p ON p.id_type = x.id_type AND p.value = x.value"""
    )
    con.execute(
        """DELETE FROM fg_nodes f USING identity_nodes n
        WHERE n.id_type = f.id_type AND n.value = f.value AND n.status <> 'linked'"""
    )
    con.execute(
        """DELETE FROM fg_nodes f USING identity_blocks b
        WHERE b.other_type IS NULL AND b.id_type = f.id_type AND b.value = f.value"""
    )
    con.execute(  # a pair blocked apart: one side is not the other's person
        """DELETE FROM fg_nodes f USING identity_blocks b, fg_person p
        WHERE (b.id_type = f.id_type AND b.value = f.value
               AND b.other_type = p.id_type AND b.other_value = p.value)
           OR (b.other_type = f.id_type AND b.other_value = f.value
               AND b.id_type = p.id_type AND b.value = p.value)"""
    )
    _drop_shared(ws, unpivot)
    con.execute("INSERT INTO fg_person SELECT * FROM fg_nodes")
    return int(ws.scalar("SELECT count(*) FROM fg_nodes"))


def _drop_shared(ws: Workspace, unpivot: str) -> None:
    """Remove from ``fg_nodes`` the candidates linked to too many values of another type."""
    ws.con.execute(
        f"""DELETE FROM fg_nodes f USING (
            SELECT c.id_type, c.value
            FROM (SELECT x.* FROM ({unpivot}) x SEMI JOIN fg_nodes n
                  ON n.id_type = x.id_type AND n.value = x.value) c
            JOIN ({unpivot}) o ON o.seq = c.seq AND o.id_type <> c.id_type
            GROUP BY c.id_type, c.value, o.id_type
            HAVING count(DISTINCT o.value) > $max_links) s
        WHERE s.id_type = f.id_type AND s.value = f.value""",
        {"max_links": ws.config.identity.max_links},
    )


def _delete(ws: Workspace, person: Person) -> dict[str, Any]:
    """Delete the person's rows from every table; the counts for the audit log."""
    con = ws.con
    events = int(ws.scalar("SELECT count(*) FROM fg_seq"))
    spellings = int(ws.scalar("SELECT count(*) FROM fg_raw"))
    gone_nodes = _gone_nodes(ws)
    # feedback holds what the person wrote (reviews, survey answers): it goes with them
    for table in ("events", "event_customers", "journey_events", "feedback"):
        con.execute(f"DELETE FROM {table} WHERE seq IN (SELECT seq FROM fg_seq)")
    con.execute(
        "DELETE FROM identity_values v USING fg_raw r WHERE v.id_type = r.id_type AND v.raw = r.raw"
    )
    con.execute(
        "DELETE FROM identity_links WHERE a IN (SELECT node_id FROM gone_nodes) "
        "OR b IN (SELECT node_id FROM gone_nodes) OR first_seq IN (SELECT seq FROM fg_seq)"
    )
    con.execute("DELETE FROM identity_customers WHERE node_id IN (SELECT node_id FROM gone_nodes)")
    con.execute(
        "DELETE FROM identity_blocks b USING fg_person p "
        "WHERE (b.id_type = p.id_type AND b.value = p.value) "
        "OR (b.other_type = p.id_type AND b.other_value = p.value)"
    )
    con.execute("DROP TABLE gone_nodes")
    found = bool(events or spellings or person.customers)
    return {
        "events": events,
        # the identifier asked for counts only if the workspace held it (a typo deletes
        # nothing, and must not read as a deletion in the audit log)
        "identifiers": len(person.identifiers) if found else 0,
        "customers": len(person.customers),
        "spellings": spellings,
        "nodes": gone_nodes,
    }


def _gone_nodes(ws: Workspace) -> int:
    """``gone_nodes``: node ids every raw spelling of which is about to be deleted."""
    ws.con.execute(
        """CREATE OR REPLACE TEMP TABLE gone_nodes AS
        SELECT v.node_id FROM identity_values v
        LEFT JOIN fg_raw r ON r.id_type = v.id_type AND r.raw = v.raw
        WHERE v.node_id IS NOT NULL
        GROUP BY v.node_id HAVING bool_and(r.raw IS NOT NULL)"""
    )
    return int(ws.scalar("SELECT count(*) FROM gone_nodes"))


def suppression_list(ws: Workspace) -> dict[str, Any]:
    """``forget --list``: the suppression list (hashes, counts, dates) and the forget log."""
    log = [
        {"at": at.isoformat(), "action": action, **json.loads(detail)}
        for at, action, detail in ws.con.execute(
            "SELECT logged_at, action, detail FROM audit_log "
            "WHERE action IN ('forget', 'unsuppress', 'suppressed_at_import') ORDER BY logged_at"
        ).fetchall()
    ]
    return {"suppressed": suppression.entries(ws), "log": log}


def unsuppress(ws: Workspace, identifier: str) -> dict[str, Any]:
    """Take one identifier off the suppression list (the person came back and agreed)."""
    rules = Rules.from_config(ws.config.identity)
    id_type, value = parse_identifier(identifier, rules.region, rules)
    with ws.transaction():
        removed = suppression.remove(ws, id_type, value)
        ws.audit("unsuppress", json.dumps({"removed": removed}))
    return {"removed": removed, "remaining": suppression.size(ws)}
