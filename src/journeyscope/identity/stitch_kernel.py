"""Everything identity resolution does after normalising, in compiled passes over arrays.

DuckDB hands over each event's identifiers as node ids (dense integers, one row per
identifier type, ``-1`` where the event has none); from there the work is integer array
passes that a SQL engine can only do as joins and materialised tables:

1. links — every pair of identifiers seen on the same event, with how many events carry
   the pair and the first of them (an open-addressing table keyed by the pair);
2. the guard — per identifier, the most distinct values of one other type it is linked to,
   and which type; over the limit (or blocked) it is left out of linking;
3. connected components of the usable links (union-find with path halving; the smaller
   root wins, so each component's root is its smallest node id);
4. each event's customer — the component of its usable identifiers (of the first in type
   order when a blocked pair leaves them in two) — with customers numbered by first event.

Ties are broken by identifier type, never by node id (ids are numbered in whatever order
the engine meets new values): the busiest linked type is the lowest type index among
equals, as in the Spark engine, whose answers the tests hold equal event by event.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

LINKED, EXCLUDED, BLOCKED = 0, 1, 2
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = -1


class Stitched(NamedTuple):
    """The pass's answer, as arrays (node arrays are indexed by node id)."""

    link_a: np.ndarray  # int64: the smaller node id of each link
    link_b: np.ndarray
    link_events: np.ndarray  # events carrying the pair
    link_first_seq: np.ndarray
    link_used: np.ndarray  # bool: neither end excluded or blocked, the pair not blocked
    status: np.ndarray  # int8 per node: LINKED, EXCLUDED, BLOCKED
    max_links: np.ndarray  # int64 per node
    busiest_type: np.ndarray  # int8 per node: 1-based identifier type, 0 without links
    node_customer: np.ndarray  # int64 per node, 0 for none
    event_customer: np.ndarray  # int64 per event, 0 for none (unattributed)
    customers: int


@njit(cache=True)
def _pair_count(ix: np.ndarray) -> int:
    """How many (event, identifier pair) rows the events hold: the links' upper bound."""
    total = 0
    for e in range(ix.shape[1]):
        k = 0
        for t in range(ix.shape[0]):
            if ix[t, e] >= 0:
                k += 1
        total += k * (k - 1) // 2
    return total


@njit(cache=True)
def _links(
    ix: np.ndarray, seq: np.ndarray, node_type: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct links ``(a, b)``, ``a < b``, with the events carrying them and the first.

    The table holds (key, events, first seq) side by side, so a probe touches one cache
    line; it has room for every pair row, so it is never more than 4/5 full. Also fills
    ``node_type`` (1-based) for every node an event carries."""
    n = np.int64(len(node_type))
    bound = _pair_count(ix)
    size = 16
    while size * 4 < bound * 5:
        size *= 2
    mask = np.int64(size - 1)
    table = np.full(3 * size, _EMPTY, np.int64)
    found = np.empty(ix.shape[0], np.int64)
    links = 0
    for e in range(ix.shape[1]):
        k = 0
        for t in range(ix.shape[0]):
            x = ix[t, e]
            if x >= 0:
                node_type[x] = t + 1
                found[k] = x
                k += 1
        for p in range(k):
            for q in range(p + 1, k):
                key = min(found[p], found[q]) * n + max(found[p], found[q])
                s = np.int64((np.uint64(key) * _GOLDEN) >> np.uint64(20)) & mask
                while table[3 * s] != _EMPTY and table[3 * s] != key:
                    s = (s + 1) & mask
                if table[3 * s] == _EMPTY:
                    table[3 * s] = key
                    table[3 * s + 1] = 1
                    table[3 * s + 2] = seq[e]
                    links += 1
                else:
                    table[3 * s + 1] += 1
                    table[3 * s + 2] = min(table[3 * s + 2], seq[e])
    la = np.empty(links, np.int64)
    lb = np.empty(links, np.int64)
    events = np.empty(links, np.int64)
    first = np.empty(links, np.int64)
    i = 0
    for slot in range(size):
        pair = table[3 * slot]
        if pair != _EMPTY:
            la[i], lb[i] = pair // n, pair % n
            events[i], first[i] = table[3 * slot + 1], table[3 * slot + 2]
            i += 1
    return la, lb, events, first


@njit(cache=True)
def _guard(
    la: np.ndarray,
    lb: np.ndarray,
    node_type: np.ndarray,
    types: int,
    blocked: np.ndarray,
    max_allowed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per node: status, the most distinct values of one other type, and that type."""
    n = len(node_type)
    degree = np.zeros((n, types + 1), np.int32)
    for i in range(len(la)):
        degree[la[i], node_type[lb[i]]] += 1
        degree[lb[i], node_type[la[i]]] += 1
    most = np.zeros(n, np.int64)
    busiest = np.zeros(n, np.int8)
    status = np.zeros(n, np.int8)
    for v in range(n):
        for t in range(1, types + 1):
            if degree[v, t] > most[v]:  # strictly more: ties keep the lower type
                most[v] = degree[v, t]
                busiest[v] = t
        if blocked[v]:
            status[v] = BLOCKED
        elif most[v] > max_allowed:
            status[v] = EXCLUDED
    return status, most, busiest


@njit(cache=True)
def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


@njit(cache=True)
def _union(parent: np.ndarray, a: int, b: int) -> None:
    """Join the components of ``a`` and ``b``; the smaller root stays root."""
    ra, rb = _find(parent, a), _find(parent, b)
    if ra < rb:
        parent[rb] = ra
    elif rb < ra:
        parent[ra] = rb


@njit(cache=True)
def _roots(parent: np.ndarray) -> np.ndarray:
    """Each node's root (its component's smallest node id), as int64 per node."""
    for v in range(len(parent)):
        parent[v] = _find(parent, v)
    return parent


@njit(cache=True)
def _customers(
    ix: np.ndarray, order: np.ndarray, comp: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Each event's customer and each node's, numbered by the customer's first event.

    ``order`` visits events by ``seq``, so the first time a component is seen is its first
    event; ``comp`` is each usable node's component, ``-1`` for a node left out."""
    number = np.zeros(len(comp), np.int64)
    event_customer = np.zeros(ix.shape[1], np.int64)
    customers = 0
    for i in range(len(order)):
        e = order[i]
        best = -1
        for t in range(ix.shape[0]):  # the first usable identifier's component
            x = ix[t, e]
            if x >= 0 and comp[x] >= 0:
                best = comp[x]
                break
        if best >= 0:
            if number[best] == 0:
                customers += 1
                number[best] = customers
            event_customer[e] = number[best]
    node_customer = np.zeros(len(comp), np.int64)
    for v in range(len(comp)):
        if comp[v] >= 0:
            node_customer[v] = number[comp[v]]
    return event_customer, node_customer, customers


@njit(cache=True)
def _use(
    la: np.ndarray, lb: np.ndarray, status: np.ndarray, blocked_pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which links may join components, and each usable node's component (else -1)."""
    n = len(status)
    parent = np.arange(n)
    used = np.zeros(len(la), np.bool_)
    for i in range(len(la)):
        if status[la[i]] != LINKED or status[lb[i]] != LINKED:
            continue
        key = la[i] * n + lb[i]
        j = np.searchsorted(blocked_pairs, key)
        if j < len(blocked_pairs) and blocked_pairs[j] == key:
            continue
        used[i] = True
        _union(parent, la[i], lb[i])
    comp = _roots(parent)
    for v in range(n):
        if status[v] != LINKED:
            comp[v] = -1
    return used, comp


def stitch(
    ix: np.ndarray,
    seq: np.ndarray,
    nodes: int,
    blocked: np.ndarray,
    blocked_pairs: np.ndarray,
    max_allowed: int,
) -> Stitched:
    """Links, guard, components and customers of events whose identifiers are ``ix``.

    ``ix``: ``(types, events)`` node ids (``-1``: none), identifier types in the schema's
    order; ``seq``: each event's sequence number; ``nodes``: one more than the largest node
    id; ``blocked``: bool per node; ``blocked_pairs``: sorted :func:`pair_keys` of blocked
    pairs; ``max_allowed``: the guard's threshold.
    """
    node_type = np.zeros(nodes, np.int8)
    la, lb, events, first = _links(ix, seq, node_type)
    status, most, busiest = _guard(la, lb, node_type, ix.shape[0], blocked, max_allowed)
    used, comp = _use(la, lb, status, blocked_pairs)
    # seq comes nearly sorted (a few runs, one per reading thread): a stable sort merges them
    order = np.argsort(seq, kind="stable")
    event_customer, node_customer, customers = _customers(ix, order, comp)
    return Stitched(
        la, lb, events, first, used, status, most, busiest, node_customer, event_customer,
        customers,
    )  # fmt: skip


def pair_keys(a: np.ndarray, b: np.ndarray, nodes: int) -> np.ndarray:
    """Sorted keys of node-id pairs, each oriented as :func:`stitch` orients links."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    return np.sort(np.minimum(a, b) * nodes + np.maximum(a, b))


@njit(cache=True)
def label_components(a: np.ndarray, b: np.ndarray, nodes: int) -> np.ndarray:
    """Each node's component, labelled by its smallest node id, for edges ``a[i] – b[i]``
    between node ids ``0 … nodes - 1`` (the union-find :func:`stitch` runs, on its own)."""
    parent = np.arange(nodes)
    for i in range(len(a)):
        _union(parent, a[i], b[i])
    return _roots(parent)


def warm() -> None:
    """Compile (or load) the kernels on a tiny input."""
    ix = np.array([[0, 1, -1], [2, 2, 2]], np.int32)
    stitch(ix, np.array([1, 2, 3], np.int64), 3, np.zeros(3, np.bool_), np.zeros(0, np.int64), 9)
    label_components(np.array([0], np.int64), np.array([1], np.int64), 3)


if __name__ == "__main__":
    warm()
