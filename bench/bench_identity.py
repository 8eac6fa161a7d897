"""Identity resolution on N events: JourneyScope vs networkx connected_components.

    python bench/bench_identity.py --events 10000000

Ours is the whole identity resolution (normalise identifiers, link, guard against
over-merging, connected components, store customers). Writing the journey-ordered copy of
the events that analytics read (which ``identity resolve`` does next) is timed apart and
reported as ``journeys_seconds``. networkx gets the same links that
our run produced and is timed building its graph and finding the components — the part a
Python implementation could not skip. Both answers must partition the linked identifiers
identically. The goal (issue 3): ours at most 0.2× networkx's time.
"""

from __future__ import annotations

import json

from common import bench_args, machine, run_pair

SETUP = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
ws = Workspace.init(Path(sys.argv[2]))
t = time.perf_counter()
ingest_files(ws, [Path(sys.argv[1])], load_mapping(None))
seconds = time.perf_counter() - t
extra = {}
"""

OURS = """
import sys, time
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.identity.resolve import build_journeys, resolve
ws = Workspace.open(Path(sys.argv[2]))
t = time.perf_counter()
result = resolve(ws, journeys=False)
seconds = time.perf_counter() - t
t = time.perf_counter()
with ws.transaction():
    build_journeys(ws)
journeys_seconds = time.perf_counter() - t
ws.con.execute(
    "COPY (SELECT a, b FROM identity_links WHERE used) TO '" + sys.argv[2] + "/links.parquet'")
ws.con.execute(
    "COPY (SELECT node_id, customer_id FROM identity_nodes WHERE status = 'linked') "
    "TO '" + sys.argv[2] + "/ours.parquet'")
# an independent count: these types normalise to themselves in the synthetic data
plain = {t: ws.scalar(f"SELECT count(DISTINCT {t}) FROM events")
         for t in ("anonymous_id", "user_id", "loyalty_id", "email")}
stored = dict(ws.con.execute(
    "SELECT id_type, count(DISTINCT value) FROM identity_values GROUP BY 1").fetchall())
extra = {"identifiers_complete": all(plain[t] == stored.get(t, 0) for t in plain),
         "journeys_seconds": round(journeys_seconds, 3),
         "customers": result.customers, "identifiers": result.identifiers,
         "links": ws.scalar("SELECT count(*) FROM identity_links WHERE used"),
         "excluded": [x["identifier"] for x in result.excluded_identifiers],
         "rounds": result.iterations}
"""

NETWORKX = """
import sys, time
import duckdb, networkx as nx
con = duckdb.connect()
links, answer = sys.argv[2] + "/links.parquet", sys.argv[2] + "/ours.parquet"
edges = con.execute("SELECT a, b FROM read_parquet(?)", [links]).fetchall()
nodes = [r[0] for r in con.execute("SELECT node_id FROM read_parquet(?)", [answer]).fetchall()]
t = time.perf_counter()
graph = nx.Graph()
graph.add_nodes_from(nodes)
graph.add_edges_from(edges)
components = list(nx.connected_components(graph))
seconds = time.perf_counter() - t
ours = dict(con.execute("SELECT node_id, customer_id FROM read_parquet(?)", [answer]).fetchall())
same = all(len({ours[v] for v in c}) == 1 for c in components)
same = same and len(components) == len(set(ours.values()))
extra = {"components": len(components), "same_partition": same}
"""


def main() -> None:
    args = bench_args(__doc__)
    _, ours, theirs = run_pair(args, "identity", SETUP, OURS, NETWORKX)
    if not theirs["same_partition"]:
        raise SystemExit("networkx found a different partition")
    if not ours["identifiers_complete"]:
        raise SystemExit("resolve lost identifiers: distinct values differ from the events")
    ratio = ours["seconds"] / theirs["seconds"]
    print(
        json.dumps(
            {
                "events": args.events,
                "machine": machine(),
                "best_of": args.repeat,
                "journeyscope_resolve": ours,
                "networkx_connected_components": theirs,
                "ratio": round(ratio, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
