"""Stitch events into customers: deterministic links, guarded, computed in the engine.

1. Every distinct raw identifier is normalised once (``identity_values``, kept between
   runs) and given a node id: a dense integer per (type, value).
2. DuckDB joins every event to its identifiers' node ids and hands them over as integer
   arrays; one compiled pass (:mod:`stitch_kernel`) does the rest — never a Python loop
   over rows, and no intermediate tables:
3. identifiers seen on the same event are linked (``identity_links``);
4. guard: an identifier linked to more than ``max_links`` distinct values of one other type
   (a shop's shared tablet, a placeholder phone) is *excluded* — not used to link anything —
   and reported. Blocked identifiers and blocked pairs are dropped the same way;
5. connected components of the remaining links (union-find); each event gets the customer
   of its usable identifiers (events with none stay unattributed), and customer ids are
   numbered by each customer's first event, so they stay put when later imports only add
   customers.

Every run recomputes from the stored events, so a block (or a fix to bad data) splits
customers everywhere, history included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from journeyscope.compiled import notice_if_compiling
from journeyscope.errors import Location, WorkspaceError
from journeyscope.events.schema import IDENTIFIER_TYPES, JOURNEY_COLUMNS
from journeyscope.events.workspace import Workspace
from journeyscope.identity.resolve_state import covered
from journeyscope.identity.rules import PLACEHOLDER, Rules
from journeyscope.identity.rules_engines import duckdb_select

if TYPE_CHECKING:
    import duckdb

    from journeyscope.identity.stitch_kernel import Stitched

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


def normalize_fresh(con: duckdb.DuckDBPyConnection, id_type: str, rules: Rules) -> None:
    """``fresh (raw, value, problem)``: the raw values of the table ``new_raw`` normalised
    by the rules' SQL (:mod:`~journeyscope.identity.rules`), and the phones it leaves
    undecided by ``phonenumbers`` in Python, once per distinct raw value."""
    steps = rules.steps[id_type]
    con.execute(f"CREATE OR REPLACE TEMP TABLE fresh AS {duckdb_select(steps, 'new_raw')}")
    if id_type != "phone":
        return
    slow = con.execute("SELECT raw FROM fresh WHERE value IS NULL AND problem IS NULL").fetchall()
    if not slow:
        return
    fixed = [(raw, *rules.normalize("phone", raw)) for (raw,) in slow]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE phone_fix (raw VARCHAR, value VARCHAR, problem VARCHAR)"
    )
    con.executemany("INSERT INTO phone_fix VALUES (?, ?, ?)", fixed)
    con.execute(
        "UPDATE fresh SET value = p.value, problem = p.problem FROM phone_fix p "
        "WHERE fresh.raw = p.raw"
    )
    con.execute("DROP TABLE phone_fix")


def _rules_changed(ws: Workspace, rules: Rules) -> bool:
    """Whether the stored values were normalised under other rules (or settings) than these:
    the last resolve records its rules' fingerprint."""
    last = ws.one("SELECT report ->> '$.rules' FROM identity_runs ORDER BY run_at DESC LIMIT 1")
    return last is not None and last[0] != rules.fingerprint()


def _normalize_new_values(ws: Workspace, rules: Rules, since: int | None = None) -> None:
    """Add raw identifiers not seen before to ``identity_values``, each with its node id.

    A node id is a dense integer per (type, value): a new spelling of a known value takes
    the value's id, so the events of a later import join the same node; a new value takes
    the next free number, in no particular order (no answer depends on it). Dense ids are
    what the compiled pass indexes its arrays with, and unlike hashes they cannot collide
    and merge two people. When the rules changed since the last resolve (a new deny-list,
    another region), every value is normalised again. ``since``: only events after that
    ``seq`` are read (the incremental resolve: the raw values of older ones are known).
    """
    con = ws.con
    newer = "" if since is None else f" AND seq > {int(since)}"
    if since is None and _rules_changed(ws, rules):
        con.execute("DELETE FROM identity_values")
    for id_type in IDENTIFIER_TYPES:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE new_raw AS
            SELECT raw FROM (
                SELECT DISTINCT {id_type} AS raw FROM events
                WHERE {id_type} IS NOT NULL{newer}) n
            ANTI JOIN (SELECT raw FROM identity_values WHERE id_type = '{id_type}') v USING (raw)"""
        )
        if since is not None and not ws.scalar("SELECT count(*) FROM new_raw"):
            continue  # nothing new of this type (the incremental resolve's common case)
        normalize_fresh(con, id_type, rules)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE fresh_nodes AS
            WITH new AS (
                SELECT DISTINCT value FROM fresh WHERE value IS NOT NULL
            ), known AS (
                SELECT value, any_value(node_id) AS node_id FROM identity_values
                WHERE id_type = '{id_type}' AND node_id IS NOT NULL
                    AND value IN (SELECT value FROM new)
                GROUP BY value
            )
            SELECT value, node_id FROM known SEMI JOIN new USING (value)
            UNION ALL
            SELECT value, (SELECT coalesce(max(node_id), -1) FROM identity_values)
                          + row_number() OVER ()
            FROM new ANTI JOIN known USING (value)"""
        )
        con.execute(
            f"""INSERT INTO identity_values (id_type, raw, value, problem, node_id)
            SELECT '{id_type}', f.raw, f.value, f.problem, n.node_id
            FROM fresh f LEFT JOIN fresh_nodes n USING (value)"""
        )
    for table in ("new_raw", "fresh", "fresh_nodes"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


#: node ids index int32 arrays; a workspace would need two billion identifiers to pass it
_MAX_NODES = 2**31 - 1


def _nodes(ws: Workspace) -> np.ndarray:
    """Which node ids are in use (bool per id; ids freed by ``forget`` leave gaps)."""
    ids = ws.con.execute(
        "SELECT node_id FROM identity_values WHERE node_id IS NOT NULL"
    ).fetchnumpy()["node_id"]
    ids = np.asarray(ids, np.int64)
    top = int(ids.max()) + 1 if len(ids) else 0
    if top > _MAX_NODES:
        raise WorkspaceError(
            f"the workspace holds more identifiers than the embedded engine numbers "
            f"({top:,} node ids; at most {_MAX_NODES:,})",
            f"workspace có nhiều định danh hơn mức bộ máy nhúng đánh số được "
            f"({top:,} mã nút; tối đa {_MAX_NODES:,})",
            location=Location(file=str(ws.root)),
            hint_en="resolve on Spark: journeyscope identity resolve --engine spark "
            "--source RAW --dataset OUT (docs/scale-out.md)",
            hint_vi="phân giải trên Spark: journeyscope identity resolve --engine spark "
            "--source THÔ --dataset RA (docs/scale-out.md)",
            code="workspace_too_large",
        )
    in_use = np.zeros(top, np.bool_)
    in_use[ids] = True
    return in_use


def _event_nodes(ws: Workspace, where: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Every event's ``seq`` and its identifiers' node ids: ``(types, events)`` int32,
    ``-1`` where the event has none of a type (or an invalid one). ``where``: a condition
    on the events ``e`` (the incremental resolve reads only the events it recomputes).

    Read in batches into arrays sized up front, so the events are held once, as integers.
    """
    joins = " ".join(
        f"LEFT JOIN (SELECT raw, node_id FROM identity_values WHERE id_type = '{t}') j{i} "
        f"ON j{i}.raw = e.{t}"
        for i, t in enumerate(IDENTIFIER_TYPES)
    )
    columns = ", ".join(
        f"coalesce(CAST(j{i}.node_id AS INTEGER), -1)" for i in range(len(IDENTIFIER_TYPES))
    )
    where = f" WHERE {where}" if where else ""
    count = int(ws.scalar(f"SELECT count(*) FROM events e{where}"))
    ix = np.empty((len(IDENTIFIER_TYPES), count), np.int32)
    seq = np.empty(count, np.int64)
    at = 0
    query = ws.con.sql(f"SELECT e.seq, {columns} FROM events e {joins}{where}")
    for batch in query.to_arrow_reader(1 << 20):
        n = batch.num_rows
        seq[at : at + n] = batch.column(0).to_numpy()
        for t in range(len(IDENTIFIER_TYPES)):
            ix[t, at : at + n] = batch.column(t + 1).to_numpy()
        at += n
    if at != count:  # never: the workspace lock keeps other writers out
        raise RuntimeError(f"read {at} events of {count}")
    return ix, seq


def _blocks(ws: Workspace, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Blocked nodes (bool per node) and blocked pairs as sorted link keys."""
    from journeyscope.identity.stitch_kernel import pair_keys

    con = ws.con
    blocked = np.zeros(nodes, np.bool_)
    single = con.execute(
        """SELECT DISTINCT v.node_id FROM identity_blocks b
        JOIN identity_values v ON v.id_type = b.id_type AND v.value = b.value
        WHERE b.other_type IS NULL AND v.node_id IS NOT NULL"""
    ).fetchnumpy()["node_id"]
    blocked[np.asarray(single, np.int64)] = True
    pairs = con.execute(
        """SELECT DISTINCT va.node_id AS a, vb.node_id AS b FROM identity_blocks k
        JOIN identity_values va ON va.id_type = k.id_type AND va.value = k.value
        JOIN identity_values vb ON vb.id_type = k.other_type AND vb.value = k.other_value
        WHERE va.node_id IS NOT NULL AND vb.node_id IS NOT NULL"""
    ).fetchnumpy()
    return blocked, pair_keys(pairs["a"], pairs["b"], nodes)


def _placeholders(ws: Workspace, nodes: int) -> np.ndarray:
    """Placeholder identifiers (``identity.deny``; bool per node): excluded from linking
    whatever their links, and reported."""
    denied = np.zeros(nodes, np.bool_)
    ids = ws.con.execute(
        f"SELECT DISTINCT node_id FROM identity_values "
        f"WHERE problem = '{PLACEHOLDER}' AND node_id IS NOT NULL"
    ).fetchnumpy()["node_id"]
    denied[np.asarray(ids, np.int64)] = True
    return denied


def person_types() -> np.ndarray:
    """Bool per 1-based identifier type: the types whose values name a person."""
    from journeyscope.identity.stitch_kernel import PERSON_TYPES

    return np.array([False, *(t in PERSON_TYPES for t in IDENTIFIER_TYPES)], np.bool_)


def resolve(ws: Workspace, step: Step | None = None, *, journeys: bool = True) -> ResolveResult:
    """Recompute customers from every stored event; replaces the previous answer atomically.

    ``journeys`` also rewrites ``journey_events`` (what analytics read) in the same
    transaction; without it the journeys are stale until :func:`build_journeys` runs
    (the identity benchmark times the two apart).
    """
    from journeyscope.identity import stitch_kernel  # compiled: loaded when first used

    say = step or (lambda _s: None)
    notice_if_compiling(stitch_kernel.label_components, "identity engine", "bộ ghép danh tính")
    say("normalise")
    rules = Rules.from_config(ws.config.identity)
    with ws.transaction():
        _normalize_new_values(ws, rules)
    in_use = _nodes(ws)
    say("link")
    ix, seq = _event_nodes(ws)
    blocked, blocked_pairs = _blocks(ws, len(in_use))
    config = ws.config.identity
    stitched = stitch_kernel.stitch(
        ix,
        seq,
        len(in_use),
        blocked,
        blocked_pairs,
        config.max_links,
        denied=_placeholders(ws, len(in_use)),
        relative=config.relative_links,
        person=person_types(),
    )
    del ix
    say("store")
    with ws.transaction():
        _store(ws, in_use, seq, stitched)
        if journeys:
            say("journeys")
            build_journeys(ws)
        result = _summary(ws, in_use, stitched)
        ws.con.execute(
            "INSERT INTO identity_runs VALUES (?, ?, ?, ?, ?)",
            [
                datetime.now(UTC).replace(tzinfo=None),
                result.customers,
                result.identifiers,
                result.events,
                json.dumps(
                    {
                        "excluded": len(result.excluded_identifiers),
                        "rounds": result.iterations,
                        "unattributed": result.unattributed_events,
                        "rules": rules.fingerprint(),
                        **covered(ws, seq, stitched.hist),
                    }
                ),
            ],
        )
    return result


_STATUS = "['linked', 'excluded', 'blocked'][status + 1]"


def _insert(ws: Workspace, table: str, select: str, rows: pa.Table) -> None:
    """``INSERT INTO table SELECT … FROM rows`` (an Arrow table, read in place)."""
    ws.con.register("stitched_rows", rows)
    try:
        ws.con.execute(f"INSERT INTO {table} SELECT {select} FROM stitched_rows")
    finally:
        ws.con.unregister("stitched_rows")


def _store(ws: Workspace, in_use: np.ndarray, seq: np.ndarray, s: Stitched) -> None:
    """Replace the stored answer: every identifier's customer, the links, event customers."""
    con = ws.con
    con.execute("DELETE FROM identity_customers")
    ids = np.nonzero(in_use)[0]
    customer = s.node_customer[ids]
    nodes = pa.table(
        {
            "node_id": ids,
            "customer_id": pa.array(customer, mask=customer == 0),
            "status": s.status[ids],
            "max_links": s.max_links[ids],
        }
    )
    _insert(ws, "identity_customers", f"node_id, customer_id, {_STATUS}, max_links", nodes)
    con.execute("DELETE FROM identity_links")
    links = pa.table(
        {
            "a": s.link_a,
            "b": s.link_b,
            "events": s.link_events,
            "first_seq": s.link_first_seq,
            "used": s.link_used,
        }
    )
    _insert(ws, "identity_links", "a, b, events, first_seq, used", links)
    con.execute("DELETE FROM event_customers")
    attributed = s.event_customer > 0
    events = pa.table({"seq": seq[attributed], "customer_id": s.event_customer[attributed]})
    _insert(ws, "event_customers", "seq, customer_id", events)


def build_journeys(ws: Workspace) -> None:
    """``journey_events``: attributed events in (customer, time) order (ties by ``seq``:
    sorting on the integer, not the event_id text, halves the cost at 10M events).

    ``rating`` is read once from the properties (feedback events carry it), so reports on
    ratings need not touch the JSON.

    Analytics walk each customer's events in time order; stored that way, a scan returns
    them ready to walk, with no join and no sort (ClickHouse's ORDER BY key, in effect).
    Live identity appends runs after it instead (``identity/incremental.py``).
    """
    ws.con.execute("DELETE FROM journey_events")
    ws.con.execute(
        f"""INSERT INTO journey_events
        SELECT {journey_select("e", "c")}
        FROM events e JOIN event_customers c USING (seq)
        ORDER BY c.customer_id, e.ts, e.seq"""
    )


def journey_select(events: str, customers: str) -> str:
    """The select list of a ``journey_events`` row from an event row (alias ``events``)
    and its ``event_customers`` row (alias ``customers``)."""
    cols = ", ".join(f"{events}.{c}" for c in JOURNEY_COLUMNS if c not in ("customer_id", "rating"))
    return f"""{customers}.customer_id, {cols},
        CASE WHEN {events}.properties IS NOT NULL
             THEN TRY_CAST(json_extract_string({events}.properties, '$.rating') AS DOUBLE)
        END"""


def _summary(ws: Workspace, in_use: np.ndarray, s: Stitched) -> ResolveResult:
    out = np.nonzero((s.status != 0) & in_use)[0]  # excluded or blocked
    limit = s.limits[s.node_type[out], s.busiest_type[out]]
    unlinked = pa.table(
        {
            "node_id": out,
            "status": s.status[out],
            "max_links": s.max_links[out],
            "busiest": s.busiest_type[out],
            "rule": s.rule[out],
            "limit": limit,
        }
    )
    ws.con.register("unlinked", unlinked)
    try:
        excluded = ws.con.execute(
            f"""SELECT n.id_type || ':' || n.value, {_STATUS}, x.max_links,
                {TYPE_LIST}[nullif(x.busiest, 0)], x.rule, x.limit
            FROM unlinked x
            JOIN (SELECT DISTINCT v.node_id, v.id_type, v.value FROM identity_values v
                  SEMI JOIN unlinked u USING (node_id)) n USING (node_id)
            ORDER BY x.max_links DESC, 1"""
        ).fetchall()
    finally:
        ws.con.unregister("unlinked")
    attributed = int(np.count_nonzero(s.event_customer))
    max_links = ws.config.identity.max_links
    return ResolveResult(
        customers=s.customers,
        identifiers=int(np.count_nonzero(in_use)),
        events=attributed,
        unattributed_events=len(s.event_customer) - attributed,
        invalid_identifiers=int(
            ws.scalar("SELECT count(*) FROM identity_values WHERE value IS NULL")
        ),
        excluded_identifiers=[
            excluded_entry(ident, status, int(links), busiest, int(rule), int(cap), max_links)
            for ident, status, links, busiest, rule, cap in excluded
        ],
        iterations=1,
    )


def excluded_entry(
    identifier: str,
    status: str,
    links: int,
    linked_type: str | None,
    rule: int,
    limit: int,
    max_links: int,
) -> dict[str, Any]:
    """One ``excluded_identifiers`` entry, the same from both engines: ``rule`` says why —
    ``placeholder`` (``identity.deny``), ``max_links``, ``relative`` (a limit the data set
    below ``max_links``: docs/identity.md), or ``block``; ``limit`` the limit it passed."""
    from journeyscope.identity.stitch_kernel import DENIED, OVER_LIMIT

    entry: dict[str, Any] = {
        "identifier": identifier,
        "reason": status,
        "links": links,
        "linked_type": linked_type,
    }
    if status == "blocked":
        entry["rule"] = "block"
    elif rule == DENIED:
        entry["rule"] = "placeholder"
    elif rule == OVER_LIMIT:
        entry["rule"] = "max_links" if limit >= max_links else "relative"
        entry["limit"] = limit
    return entry


TYPE_LIST = "[" + ", ".join(f"'{t}'" for t in IDENTIFIER_TYPES) + "]"
