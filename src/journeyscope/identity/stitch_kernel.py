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

import math
from typing import NamedTuple

import numpy as np
from numba import njit

LINKED, EXCLUDED, BLOCKED = 0, 1, 2
#: why an identifier is excluded: a placeholder (``identity.deny``), or over a guard limit
DENIED, OVER_LIMIT = 1, 2
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
    rule: np.ndarray  # int8 per node: why excluded (DENIED, OVER_LIMIT), else 0
    node_type: np.ndarray  # int8 per node: 1-based identifier type (0: on no event)
    limits: np.ndarray  # int64 [type, other type]: the guard's limits (guard_limits)
    node_customer: np.ndarray  # int64 per node, 0 for none
    event_customer: np.ndarray  # int64 per event, 0 for none (unattributed)
    customers: int
    hist: np.ndarray  # int64 [type, other type, count]: the guard's histogram (_histogram)


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
def _degrees(la: np.ndarray, lb: np.ndarray, node_type: np.ndarray, types: int) -> np.ndarray:
    """Per node and identifier type: how many distinct values of that type it is linked to."""
    degree = np.zeros((len(node_type), types + 1), np.int32)
    for i in range(len(la)):
        degree[la[i], node_type[lb[i]]] += 1
        degree[lb[i], node_type[la[i]]] += 1
    return degree


@njit(cache=True)
def _histogram(degree: np.ndarray, node_type: np.ndarray, cap: int) -> np.ndarray:
    """``[type, other type, count]``: how many identifiers of a type are linked to exactly
    ``count`` values of the other (counts over ``cap`` counted as ``cap``) — all the relative
    guard needs to know of the data (:func:`guard_limits`)."""
    types = degree.shape[1] - 1
    hist = np.zeros((types + 1, types + 1, cap + 1), np.int64)
    for v in range(len(node_type)):
        for u in range(1, types + 1):
            c = degree[v, u]
            if c > 0:
                hist[node_type[v], u, min(c, cap)] += 1
    return hist


@njit(cache=True)
def _guard(
    degree: np.ndarray,
    node_type: np.ndarray,
    blocked: np.ndarray,
    denied: np.ndarray,
    limits: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per node: status, the most distinct values of one other type, that type, and why
    (:data:`DENIED` or :data:`OVER_LIMIT`) it is excluded.

    Over a limit, the count and type reported are the largest count over its limit (ties:
    the type listed first) — with one limit for every pair, the busiest type."""
    n, types = degree.shape[0], degree.shape[1] - 1
    most = np.zeros(n, np.int64)
    busiest = np.zeros(n, np.int8)
    status = np.zeros(n, np.int8)
    rule = np.zeros(n, np.int8)
    for v in range(n):
        over, worst = 0, 0
        for t in range(1, types + 1):
            if degree[v, t] > most[v]:  # strictly more: ties keep the lower type
                most[v] = degree[v, t]
                busiest[v] = t
            if degree[v, t] > limits[node_type[v], t] and degree[v, t] > over:
                over = degree[v, t]
                worst = t
        if blocked[v]:
            status[v] = BLOCKED
        elif denied[v]:
            status[v] = EXCLUDED
            rule[v] = DENIED
        elif over > 0:
            status[v] = EXCLUDED
            rule[v] = OVER_LIMIT
            most[v] = over
            busiest[v] = worst
    return status, most, busiest, rule


#: the relative guard: quantile (per cent) of a type pair's counts taken as typical, the
#: least limit it sets, and the least number of identifiers it needs to say what is typical
TYPICAL_PER_CENT = 99
RELATIVE_FLOOR = 5
RELATIVE_POPULATION = 100
#: linked types that name a person: many of them on one identifier means people share it
#: (many cookies or devices on one person is ordinary, so those never set a relative limit)
PERSON_TYPES = ("user_id", "email", "phone", "zalo_id", "fb_psid", "loyalty_id")


def guard_limits(
    hist: np.ndarray, max_allowed: int, factor: float, person: np.ndarray
) -> np.ndarray:
    """``[type, other type]``: the most values of the other type an identifier may be
    linked to — ``max_allowed``, or less where the data says far fewer are typical.

    For each pair of types with at least :data:`RELATIVE_POPULATION` identifiers linked,
    ``typical`` is the :data:`TYPICAL_PER_CENT` th percentile of their counts (nearest rank);
    the limit is ``factor × typical``, rounded up, at least :data:`RELATIVE_FLOOR`, at most
    ``max_allowed``. ``person[u]``: whether type ``u`` names a person (only those set one).
    Used by both engines (the Spark resolve counts the same histogram), so their limits agree.
    """
    types = hist.shape[0]
    limits = np.full((types, types), max_allowed, np.int64)
    if factor <= 0:
        return limits
    for t in range(types):
        for u in range(types):
            counts = hist[t, u]
            total = int(counts.sum())
            if not person[u] or total < RELATIVE_POPULATION:
                continue
            rank = (TYPICAL_PER_CENT * total + 99) // 100
            typical = int(np.searchsorted(np.cumsum(counts), rank))
            limit = max(RELATIVE_FLOOR, math.ceil(factor * typical))
            limits[t, u] = min(max_allowed, limit)
    return limits


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
    *,
    denied: np.ndarray | None = None,
    relative: float = 0.0,
    person: np.ndarray | None = None,
) -> Stitched:
    """Links, guard, components and customers of events whose identifiers are ``ix``.

    ``ix``: ``(types, events)`` node ids (``-1``: none), identifier types in the schema's
    order; ``seq``: each event's sequence number; ``nodes``: one more than the largest node
    id; ``blocked``: bool per node; ``blocked_pairs``: sorted :func:`pair_keys` of blocked
    pairs; ``max_allowed``: the guard's threshold; ``denied``: bool per node, placeholders
    (excluded whatever their links); ``relative``: the relative guard's factor (0: off) and
    ``person``: bool per 1-based type, the types that name a person (:func:`guard_limits`).
    """
    types = ix.shape[0]
    node_type = np.zeros(nodes, np.int8)
    la, lb, events, first = _links(ix, seq, node_type)
    degree = _degrees(la, lb, node_type, types)
    hist = _histogram(degree, node_type, max_allowed + 1)
    if person is None:
        person = np.zeros(types + 1, np.bool_)
    limits = guard_limits(hist, max_allowed, relative, person)
    if denied is None:
        denied = np.zeros(nodes, np.bool_)
    status, most, busiest, rule = _guard(degree, node_type, blocked, denied, limits)
    del degree
    used, comp = _use(la, lb, status, blocked_pairs)
    # seq comes nearly sorted (a few runs, one per reading thread): a stable sort merges them
    order = np.argsort(seq, kind="stable")
    event_customer, node_customer, customers = _customers(ix, order, comp)
    return Stitched(
        la, lb, events, first, used, status, most, busiest, rule, node_type, limits,
        node_customer, event_customer, customers, hist,
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
