"""The incremental resolve's arithmetic: the affected part of the identity graph, recomputed.

:func:`recompute` reads back only the identifiers and events the new events reach, runs the
full pass's own pieces on them (:mod:`stitch_kernel`: links, guard, union-find, numbering by
first event), and numbers every customer again by first event. It raises
:class:`~journeyscope.identity.incremental.FullResolveNeeded` (through ``fallback``) when
the shortcut would not give the full resolve's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from journeyscope.arrays import distinct
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.identity.stitch_kernel import (
    LINKED,
    _customers,
    _guard,
    _links,
    guard_limits,
    label_components,
)

if TYPE_CHECKING:
    from journeyscope.events.workspace import Workspace

_CODE = {"linked": 0, "excluded": 1, "blocked": 2}
_TYPE_CASE = " ".join(f"WHEN '{t}' THEN {i + 1}" for i, t in enumerate(IDENTIFIER_TYPES))


@dataclass
class Graph:
    """What the workspace knows before the new events: blocks, placeholders, the guard."""

    ws: Workspace
    nodes: int  # one more than the largest node id
    blocked: np.ndarray  # bool per node
    blocked_pairs: np.ndarray  # sorted pair keys (stitch_kernel.pair_keys)
    denied: np.ndarray  # bool per node: placeholders
    max_links: int
    relative: float
    person: np.ndarray
    hist: np.ndarray  # the guard's histogram at the last resolve


@dataclass
class Affected:
    """The recomputed part, in final customer ids (0: none), ready to store."""

    nodes: np.ndarray  # node ids whose identity_customers rows are replaced
    status: np.ndarray
    max_links: np.ndarray
    node_customer: np.ndarray
    link_a: np.ndarray  # every link between two of ``nodes``, replaced
    link_b: np.ndarray
    link_events: np.ndarray
    link_first: np.ndarray
    link_used: np.ndarray
    event_seq: np.ndarray  # the recomputed customers' events and the new ones
    event_customer: np.ndarray
    recomputed: np.ndarray  # earlier customer ids recomputed (their events read back)
    grown: int  # earlier customers the new events only grew (not read back)
    renumber_old: np.ndarray  # other earlier customers whose id moves
    renumber_new: np.ndarray
    customers_before: int
    touched_before: int  # earlier customers the new events touched (grown or recomputed)
    merged: int
    split: int
    hist: np.ndarray


class Fallback(Exception):
    """The shortcut cannot be exact here; ``reason`` is a key of ``incremental.REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fetch(ws: Workspace, sql: str, **tables: np.ndarray) -> dict[str, np.ndarray]:
    """Columns of ``sql`` as NumPy, with each array of ``tables`` visible as a one-column
    table of that name (column ``id``)."""
    for name, values in tables.items():
        ws.con.register(name, pa.table({"id": np.asarray(values, np.int64)}))
    try:
        found = ws.con.sql(sql).fetchnumpy()
    finally:
        for name in tables:
            ws.con.unregister(name)
    return {k: np.asarray(v) for k, v in found.items()}


def _types(ws: Workspace, ids: np.ndarray) -> np.ndarray:
    """1-based identifier type of each node of ``ids`` (sorted, unique)."""
    found = _fetch(
        ws,
        f"""SELECT DISTINCT node_id, CASE id_type {_TYPE_CASE} END AS t
        FROM identity_values WHERE node_id IN (SELECT id FROM q_ids) ORDER BY node_id""",
        q_ids=ids,
    )
    if not np.array_equal(found["node_id"], ids):  # never: every node has a value
        raise RuntimeError("identifier without a type")
    return np.asarray(found["t"], np.int8)


def _old_rows(ws: Workspace, where: str, ids: np.ndarray) -> dict[str, np.ndarray]:
    """``identity_customers`` rows (status as a code, customer 0 for none)."""
    found = _fetch(
        ws,
        f"""SELECT node_id, coalesce(customer_id, 0) AS customer_id,
            CASE status WHEN 'linked' THEN 0 WHEN 'excluded' THEN 1 ELSE 2 END AS status,
            max_links
        FROM identity_customers WHERE {where} ORDER BY node_id""",
        q_ids=ids,
    )
    return {k: np.asarray(v, np.int64) for k, v in found.items()}


def _hist_of(degree: np.ndarray, types: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The guard histogram's counts for these rows of degrees (stitch_kernel._histogram)."""
    hist = np.zeros(shape, np.int64)
    rows, other = np.nonzero(degree)
    cap = shape[2] - 1
    np.add.at(hist, (types[rows], other, np.minimum(degree[rows, other], cap)), 1)
    return hist


def _member(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Bool per value: whether it is in ``sorted_values``."""
    if not len(sorted_values):
        return np.zeros(len(values), np.bool_)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return np.asarray(sorted_values[at] == values, np.bool_)


def _degrees(
    keys: np.ndarray, n: int, touched: np.ndarray, ids: np.ndarray, id_types: np.ndarray
) -> np.ndarray:
    """Per touched node and type: how many distinct values of that type it is linked to."""
    degree = np.zeros((len(touched), len(IDENTIFIER_TYPES) + 1), np.int32)
    a, b = keys // n, keys % n
    for end, other in ((a, b), (b, a)):
        mine = _member(touched, end)
        other_type = id_types[np.searchsorted(ids, other[mine])]
        np.add.at(degree, (np.searchsorted(touched, end[mine]), other_type), 1)
    return degree


def _merge_links(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Link rows ``(key, events, first_seq)`` of several sources as one row per key."""
    keys = np.concatenate([p[0] for p in parts]).astype(np.int64)
    events = np.concatenate([p[1] for p in parts]).astype(np.int64)
    first = np.concatenate([p[2] for p in parts]).astype(np.int64)
    if not len(keys):
        return keys, events, first
    order = np.argsort(keys, kind="stable")
    keys, events, first = keys[order], events[order], first[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(events, starts), np.minimum.reduceat(first, starts)


def recompute(g: Graph, ix_new: np.ndarray, seq_new: np.ndarray) -> Affected:
    """The affected customers of the new events ``ix_new`` / ``seq_new``, recomputed."""
    ws, n = g.ws, np.int64(g.nodes)
    la, lb, ev, first = _links(ix_new, seq_new, np.zeros(g.nodes, np.int8))
    new_keys = la * n + lb
    touched = distinct(ix_new[ix_new >= 0]).astype(np.int64)
    old_t = _fetch(
        ws,
        "SELECT a, b FROM identity_links WHERE a IN (SELECT id FROM q_t) "
        "OR b IN (SELECT id FROM q_t)",
        q_t=touched,
    )
    old_keys = distinct(old_t["a"].astype(np.int64) * n + old_t["b"].astype(np.int64))
    all_keys = np.union1d(old_keys, new_keys)
    ends = np.union1d(touched, np.concatenate([all_keys // n, all_keys % n]))
    end_types = _types(ws, ends)
    t_types = end_types[np.searchsorted(ends, touched)]
    deg_old = _degrees(old_keys, int(n), touched, ends, end_types)
    deg_new = _degrees(all_keys, int(n), touched, ends, end_types)
    shape = g.hist.shape
    hist = g.hist - _hist_of(deg_old, t_types, shape) + _hist_of(deg_new, t_types, shape)
    limits = guard_limits(hist, g.max_links, g.relative, g.person)
    if not np.array_equal(limits, guard_limits(g.hist, g.max_links, g.relative, g.person)):
        raise Fallback("limits_moved")
    status_t, most_t, _, _ = _guard(
        deg_new, t_types, g.blocked[touched], g.denied[touched], limits.astype(np.int64)
    )
    return _components(g, ix_new, seq_new, touched, status_t, most_t, new_keys, ev, first, hist)


def _components(
    g: Graph,
    ix_new: np.ndarray,
    seq_new: np.ndarray,
    touched: np.ndarray,
    status_t: np.ndarray,
    most_t: np.ndarray,
    new_keys: np.ndarray,
    new_events: np.ndarray,
    new_first: np.ndarray,
    hist: np.ndarray,
) -> Affected:
    """Components and customers of the affected part (see :func:`recompute`)."""
    ws, n = g.ws, np.int64(g.nodes)
    old = _old_rows(ws, "node_id IN (SELECT id FROM q_ids)", touched)
    known = np.isin(touched, old["node_id"])
    at = np.searchsorted(old["node_id"], touched[known])
    was_linked = old["status"][at] == LINKED
    if np.any(~was_linked & (status_t[known] == LINKED)):
        raise Fallback("events_removed")  # only a deletion can bring an identifier back
    if np.any(was_linked & (old["customer_id"][at] == 0)):
        raise Fallback("blocked_pairs")  # a component no event went to
    olds = distinct(old["customer_id"][old["customer_id"] > 0])
    members = _old_rows(ws, "customer_id IN (SELECT id FROM q_ids)", olds)
    nodes = np.union1d(members["node_id"], touched)
    # statuses: members of affected customers are linked; touched ones as just guarded
    status = np.zeros(len(nodes), np.int8)
    status[np.searchsorted(nodes, touched)] = status_t
    links = _fetch(
        ws,
        "SELECT a, b, events, first_seq FROM identity_links "
        "WHERE a IN (SELECT id FROM q_n) AND b IN (SELECT id FROM q_n)",
        q_n=nodes,
    )
    keys, events, first = _merge_links(
        [
            (links["a"].astype(np.int64) * n + links["b"], links["events"], links["first_seq"]),
            (new_keys, new_events, new_first),
        ]
    )
    a_loc = np.searchsorted(nodes, keys // n)
    b_loc = np.searchsorted(nodes, keys % n)
    pair_blocked = _member(g.blocked_pairs, keys)
    used = (status[a_loc] == LINKED) & (status[b_loc] == LINKED) & ~pair_blocked
    comp = label_components(a_loc[used], b_loc[used], len(nodes)).astype(np.int64)
    comp[status != LINKED] = -1
    grown = _grown(olds, members, nodes, comp)
    redone = np.setdiff1d(olds, grown["customer"])
    ix_old, seq_old = _events_of(ws, redone, ix_new.shape[0])
    ix = np.concatenate([ix_old, ix_new], axis=1)
    seq = np.concatenate([seq_old, seq_new])
    carried = distinct(ix[ix >= 0]).astype(np.int64)
    outside_ids = np.setdiff1d(carried, nodes)
    outside = _old_rows(ws, "node_id IN (SELECT id FROM q_ids)", outside_ids)
    if not np.array_equal(outside["node_id"], outside_ids):  # never: each node has a row
        raise Fallback("never_resolved")
    # identifiers outside the affected customers that their events carry: each on its own
    # (no link to them is read), usable if linked
    alone = np.arange(len(nodes), len(nodes) + len(outside_ids), dtype=np.int64)
    comp = np.concatenate([comp, np.where(outside["status"] == LINKED, alone, -1)])
    local = np.concatenate([nodes, outside_ids])
    sort = np.argsort(local, kind="stable")
    ix_local = np.full(ix.shape, -1, np.int32)
    present = ix >= 0
    ix_local[present] = sort[np.searchsorted(local[sort], ix[present])]
    order = np.argsort(seq, kind="stable")
    event_local, node_local, count = _customers(ix_local, order, comp)
    if np.any(node_local[len(nodes) :] > 0):
        raise Fallback("blocked_pairs")  # an event went to a customer no new event touched
    local_grown = _local_grown(node_local[: len(nodes)], comp[: len(nodes)], count, grown)
    if np.any(local_grown[event_local[: len(seq_old)]] > 0):
        # an earlier event moved into a grown customer (its first usable identifier was
        # just excluded, a blocked pair had kept the next one apart): its first event may
        # move, so it cannot keep its place
        raise Fallback("blocked_pairs")
    return _number(
        g,
        members,
        olds,
        redone,
        grown,
        nodes,
        seq,
        event_local,
        node_local[: len(nodes)],
        comp[: len(nodes)],
        int(count),
        status,
        _max_links(nodes, members, touched, most_t),
        (keys // n, keys % n, events, first, used),
        hist,
    )


def _grown(
    olds: np.ndarray, members: dict[str, np.ndarray], nodes: np.ndarray, comp: np.ndarray
) -> dict[str, np.ndarray]:
    """The earlier customers the new events only grew: all their identifiers still linked,
    in one component that holds no other earlier customer's. Their events keep their
    customer (each goes to its first usable identifier, which stays usable and stays in
    the component) and so does their first event (new ones come later): they are not read
    back. Returns their ids (``customer``) and components (``comp``), sorted by id."""
    none = {"customer": np.zeros(0, np.int64), "comp": np.zeros(0, np.int64)}
    if not len(olds):
        return none
    who = np.searchsorted(olds, members["customer_id"])
    where = comp[np.searchsorted(nodes, members["node_id"])]
    lowest = np.full(len(olds), np.iinfo(np.int64).max, np.int64)
    highest = np.full(len(olds), -1, np.int64)
    np.minimum.at(lowest, who, where)
    np.maximum.at(highest, who, where)
    whole = (lowest >= 0) & (lowest == highest)  # every identifier linked, one component
    # components holding identifiers of more than one earlier customer: a merge
    pairs = distinct(where[where >= 0] * (len(olds) + 1) + who[where >= 0])
    per_comp = np.bincount(pairs // (len(olds) + 1), minlength=len(comp))
    alone = whole & (per_comp[np.maximum(lowest, 0)] == 1)
    return {"customer": olds[alone], "comp": lowest[alone]}


def _grown_at(comp: np.ndarray, grown: dict[str, np.ndarray]) -> np.ndarray:
    """Per component label: the grown customer it is (0: none; one slot more, for -1)."""
    at = np.zeros(len(comp) + 1, np.int64)
    at[grown["comp"]] = grown["customer"]
    return at


def _local_grown(
    node_local: np.ndarray, comp: np.ndarray, count: int, grown: dict[str, np.ndarray]
) -> np.ndarray:
    """Per local customer number (0: none): the grown customer it is, else 0."""
    comp_of = np.full(count + 1, -1, np.int64)
    hit = node_local > 0
    comp_of[node_local[hit]] = comp[hit]
    local = np.where(comp_of >= 0, _grown_at(comp, grown)[comp_of], 0)
    local[0] = 0
    return local


def _events_of(ws: Workspace, customers: np.ndarray, types: int) -> tuple[np.ndarray, np.ndarray]:
    """The events of these earlier customers, read back (``_event_nodes``'s arrays)."""
    from journeyscope.identity.resolve import _event_nodes

    if not len(customers):
        return np.zeros((types, 0), np.int32), np.zeros(0, np.int64)
    ws.con.register("q_old", pa.table({"id": customers}))
    try:
        return _event_nodes(
            ws,
            "e.seq IN (SELECT seq FROM event_customers WHERE customer_id IN "
            "(SELECT id FROM q_old))",
        )
    finally:
        ws.con.unregister("q_old")


def _max_links(
    nodes: np.ndarray, members: dict[str, np.ndarray], touched: np.ndarray, most: np.ndarray
) -> np.ndarray:
    """Each node's ``max_links``: as stored, or as just counted for the touched ones."""
    out = np.zeros(len(nodes), np.int64)
    out[np.searchsorted(nodes, members["node_id"])] = members["max_links"]
    out[np.searchsorted(nodes, touched)] = most
    return out


def _first_seqs(ws: Workspace, needed: bool) -> np.ndarray:
    """Each earlier customer's first event (index: customer id − 1).

    Not ``needed`` (no earlier customer was recomputed: every new one starts after all of
    them), only how many there are matters, and the events are not grouped: ``-1`` each."""
    if not needed:
        count = int(ws.scalar("SELECT coalesce(max(customer_id), 0) FROM event_customers"))
        return np.full(count, -1, np.int64)
    found = _fetch(
        ws, "SELECT customer_id, min(seq) AS f FROM event_customers GROUP BY 1 ORDER BY 1"
    )
    ids = found["customer_id"]
    if len(ids) and (ids[-1] != len(ids) or np.any(np.diff(found["f"]) <= 0)):
        raise Fallback("never_resolved")  # customers not numbered by first event: start over
    return np.asarray(found["f"], np.int64)


def _number(
    g: Graph,
    members: dict[str, np.ndarray],
    olds: np.ndarray,
    redone: np.ndarray,
    grown: dict[str, np.ndarray],
    nodes: np.ndarray,
    seq: np.ndarray,
    event_local: np.ndarray,
    node_local: np.ndarray,
    comp: np.ndarray,
    count: int,
    status: np.ndarray,
    max_links: np.ndarray,
    links: tuple[np.ndarray, ...],
    hist: np.ndarray,
) -> Affected:
    """Every customer numbered again by first event: the untouched and the grown keep
    their order (and their first events), the recomputed and the new take their places."""
    firsts = _first_seqs(g.ws, needed=len(redone) > 0)
    before = len(firsts)
    local_grown = _local_grown(node_local, comp, count, grown)
    grown_at = _grown_at(comp, grown)
    first_local = np.full(count + 1, np.iinfo(np.int64).max, np.int64)
    hit = event_local > 0
    np.minimum.at(first_local, event_local[hit], seq[hit])
    kept = np.ones(before + 1, np.bool_)
    kept[0] = False
    kept[redone] = False
    kept_ids = np.flatnonzero(kept).astype(np.int64)
    fresh = np.flatnonzero(local_grown[1:] == 0) + 1  # local customers numbered anew
    every = np.concatenate([firsts[kept_ids - 1], first_local[fresh]])
    final = np.empty(len(every), np.int64)
    final[np.argsort(every, kind="stable")] = np.arange(1, len(every) + 1)
    kept_new = final[: len(kept_ids)]
    renumbered = np.zeros(before + 1, np.int64)
    renumbered[kept_ids] = kept_new
    local_final = np.zeros(count + 1, np.int64)
    local_final[fresh] = final[len(kept_ids) :]
    grown_local = local_grown > 0
    local_final[grown_local] = renumbered[local_grown[grown_local]]
    moved = kept_new != kept_ids
    node_customer = local_final[node_local]
    in_grown = (comp >= 0) & (grown_at[np.maximum(comp, 0)] > 0)
    node_customer[in_grown] = renumbered[grown_at[comp[in_grown]]]
    old_of = np.zeros(len(nodes), np.int64)
    old_of[np.searchsorted(nodes, members["node_id"])] = members["customer_id"]
    both = (old_of > 0) & (node_customer > 0)
    pairs = distinct(old_of[both] * (len(every) + 1) + node_customer[both])
    pair_old, pair_new = pairs // (len(every) + 1), pairs % (len(every) + 1)
    la, lb, events, first, used = links
    return Affected(
        nodes=nodes,
        status=status,
        max_links=max_links,
        node_customer=node_customer,
        link_a=la,
        link_b=lb,
        link_events=events,
        link_first=first,
        link_used=used,
        event_seq=seq,
        event_customer=local_final[event_local],
        recomputed=redone,
        grown=len(grown["customer"]),
        renumber_old=kept_ids[moved],
        renumber_new=kept_new[moved],
        customers_before=before,
        touched_before=len(olds),
        merged=len(pairs) - len(distinct(pair_new)),
        split=int(np.count_nonzero(np.bincount(pair_old) > 1)) if len(pairs) else 0,
        hist=hist,
    )
