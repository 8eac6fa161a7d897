"""First-order Markov attribution on the paths of N events: JourneyScope vs ChannelAttribution.

    python bench/bench_attribution.py --events 10000000

A workspace is built once (import + identity resolve, not timed). Ours is timed from the
workspace to the credits: building every conversion's path (30-day lookback) and the
null journeys in SQL, then the exact absorbing-chain solve. ChannelAttribution gets the
same aggregated paths as a DataFrame (building them for it is not timed) and runs
``markov_model`` at its default simulations. Credits are compared (per channel, as a share
of all conversions).
"""

from __future__ import annotations

import json

from common import RESOLVED_WORKSPACE, bench_args, machine, run_pair

SETUP = (
    RESOLVED_WORKSPACE
    + """
from journeyscope.analytics.attribution.journeys import PathSpec, build_paths
from journeyscope.analytics.scope import Scope
table, info = build_paths(ws, PathSpec(), Scope())
with open(sys.argv[2] + "/paths.csv", "w", encoding="utf-8") as out:
    out.write("path;total_conversions;total_conversion_value;total_null\\n")
    for p, c, v, n in zip(table.paths, table.conversions, table.value, table.nulls):
        out.write(" > ".join(table.channels[i] for i in p) + f";{c};{v};{n}\\n")
seconds = time.perf_counter() - t
extra = {"paths": len(table.paths), "conversions": table.total_conversions}
ws.close()
"""
)

OURS = """
import sys, time, json
from pathlib import Path
from journeyscope.events.workspace import Workspace
from journeyscope.analytics.attribution.journeys import PathSpec, build_paths
from journeyscope.analytics.attribution.models import markov
from journeyscope.analytics.scope import Scope
ws = Workspace.open(Path(sys.argv[2]), read_only=True)
t = time.perf_counter()
table, _ = build_paths(ws, PathSpec(), Scope())
built = time.perf_counter() - t
credits = markov(table)
seconds = time.perf_counter() - t
extra = {"path_building_seconds": round(built, 3), "credits": credits.conversions}
"""

CA = """
import sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from ChannelAttribution import markov_model
df = pd.read_csv(sys.argv[2] + "/paths.csv", sep=";")
t = time.perf_counter()
r = markov_model(df, "path", "total_conversions", var_value="total_conversion_value",
                 var_null="total_null", order=1, verbose=0, flg_pro=False)
seconds = time.perf_counter() - t
extra = {"credits": dict(zip(r["channel_name"], r["total_conversions"]))}
"""


def main() -> None:
    args = bench_args(__doc__)
    setup, ours, theirs = run_pair(args, "attribution", SETUP, OURS, CA)
    total = setup["conversions"]
    gap = max(abs(ours["credits"][c] - theirs["credits"].get(c, 0.0)) for c in ours["credits"])
    print(
        json.dumps(
            {
                "events": args.events,
                "machine": machine(),
                "best_of": args.repeat,
                "paths": setup["paths"],
                "conversions": total,
                "journeyscope_paths_and_exact_markov": {
                    k: v for k, v in ours.items() if k != "credits"
                },
                "channelattribution_markov_model": {
                    k: v for k, v in theirs.items() if k != "credits"
                },
                "largest_difference_share_of_conversions": round(gap / total, 5),
                "ratio": round(ours["seconds"] / theirs["seconds"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
