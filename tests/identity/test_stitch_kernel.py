"""The compiled stitch pass against a plain Python + networkx reading of the rules."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.identity.stitch_kernel import BLOCKED, EXCLUDED, LINKED, pair_keys, stitch

TYPES = 4
VALUES = 5  # node id = type * VALUES + value: every type has its own nodes
NODES = TYPES * VALUES

events_strategy = st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, VALUES - 1)), min_size=TYPES, max_size=TYPES),
    max_size=40,
)


def _reference(
    events: list[list[int | None]],
    seqs: list[int],
    blocked: set[int],
    blocked_pairs: set[tuple[int, int]],
    max_allowed: int,
) -> dict[str, Any]:
    nodes_of = [[t * VALUES + v for t, v in enumerate(e) if v is not None] for e in events]
    links: dict[tuple[int, int], list[int]] = {}
    for nodes, seq in zip(nodes_of, seqs, strict=True):
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                pair = (min(a, b), max(a, b))
                count, first = links.get(pair, [0, seq])
                links[pair] = [count + 1, min(first, seq)]
    partners: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for a, b in links:
        partners[a][b // VALUES + 1].add(b)
        partners[b][a // VALUES + 1].add(a)
    status, most, busiest = {}, {}, {}
    for v in range(NODES):
        counts = {t: len(partners[v][t]) for t in range(1, TYPES + 1)}
        most[v] = max(counts.values())
        busiest[v] = min((t for t in counts if counts[t] == most[v]), default=0) if most[v] else 0
        status[v] = BLOCKED if v in blocked else EXCLUDED if most[v] > max_allowed else LINKED
    used = {
        pair: status[pair[0]] == LINKED and status[pair[1]] == LINKED and pair not in blocked_pairs
        for pair in links
    }
    graph = nx.Graph()
    graph.add_nodes_from(range(NODES))
    graph.add_edges_from(pair for pair, ok in used.items() if ok)
    component = {v: min(c) for c in nx.connected_components(graph) for v in c}
    event_comp = []
    for nodes in nodes_of:
        usable = [component[v] for v in nodes if status[v] == LINKED]
        event_comp.append(usable[0] if usable else None)
    firsts: dict[int, int] = {}
    for comp, seq in zip(event_comp, seqs, strict=True):
        if comp is not None:
            firsts[comp] = min(firsts.get(comp, seq), seq)
    number = {comp: i + 1 for i, comp in enumerate(sorted(firsts, key=firsts.__getitem__))}
    return {
        "links": {pair: (*links[pair], used[pair]) for pair in links},
        "status": [status[v] for v in range(NODES)],
        "max_links": [most[v] for v in range(NODES)],
        "busiest": [busiest[v] for v in range(NODES)],
        "event_customer": [number[c] if c is not None else 0 for c in event_comp],
        "node_customer": [
            number.get(component[v], 0) if status[v] == LINKED else 0 for v in range(NODES)
        ],
        "customers": len(number),
    }


@settings(max_examples=150, deadline=None)
@given(
    events=events_strategy,
    shuffle=st.randoms(use_true_random=False),
    blocked=st.sets(st.integers(0, NODES - 1), max_size=2),
    blocked_pairs=st.sets(
        st.tuples(st.integers(0, NODES - 1), st.integers(0, NODES - 1)), max_size=3
    ),
    max_allowed=st.integers(1, 4),
)
def test_stitch_follows_the_rules(
    events: list[list[int | None]],
    shuffle: Any,
    blocked: set[int],
    blocked_pairs: set[tuple[int, int]],
    max_allowed: int,
) -> None:
    """Links with counts and first events, the guard, blocks, components, and customers
    numbered by first event — events handed over in any order, as DuckDB's reader does."""
    seqs = list(range(100, 100 + 3 * len(events), 3))
    shuffle.shuffle(seqs)
    pairs = {(min(a, b), max(a, b)) for a, b in blocked_pairs if a != b}
    ix = np.array(
        [[t * VALUES + v if v is not None else -1 for t, v in enumerate(e)] for e in events],
        np.int32,
    ).reshape(len(events), TYPES)
    mask = np.zeros(NODES, np.bool_)
    mask[list(blocked)] = True
    keys = pair_keys(np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]), NODES)
    got = stitch(
        np.ascontiguousarray(ix.T), np.array(seqs, np.int64), NODES, mask, keys, max_allowed
    )
    want = _reference(events, seqs, blocked, pairs, max_allowed)
    links = zip(
        got.link_a, got.link_b, got.link_events, got.link_first_seq, got.link_used, strict=True
    )
    assert {(int(a), int(b)): (int(n), int(f), bool(u)) for a, b, n, f, u in links} == want["links"]
    assert got.status.tolist() == want["status"]
    assert got.max_links.tolist() == want["max_links"]
    assert got.busiest_type.tolist() == want["busiest"]
    assert got.event_customer.tolist() == want["event_customer"]
    assert got.node_customer.tolist() == want["node_customer"]
    assert got.customers == want["customers"]
