"""First-order Markov attribution on the paths of N events: JourneyScope vs ChannelAttribution.

    python bench/bench_attribution.py --events 10000000

A workspace is built once (import + identity resolve, not timed), and its journeys are
written out as Parquet (customer, time, event, channel, revenue) and as ready aggregated
paths. Four steps are timed, back to back:

* ours: from the workspace to the credits — every conversion's path (30-day lookback)
  and the null journeys, built in one compiled pass, then the exact absorbing-chain solve;
* ChannelAttribution's ``markov_model`` at its default simulations on the ready paths
  (building them is not counted);
* the same with the paths built the way its users do, in pandas from the journeys'
  Parquet (``merge_asof`` to the next purchase, the same lookback), so both sides include
  path building;
* and our exact solve alone on the same ready paths, so both sides start from them.

Credits are compared per channel as a share of all conversions.
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
ws.con.execute(
    "COPY (SELECT customer_id, ts, seq, event, channel, revenue FROM journey_events) "
    "TO '" + sys.argv[2] + "/journeys.parquet' (FORMAT parquet)"
)
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

OURS_READY = """
import sys, time
from pathlib import Path
from journeyscope.analytics.attribution.models import markov
from journeyscope.analytics.attribution.paths import read_path_file
table = read_path_file(Path(sys.argv[2]) / "paths.csv", value_col="total_conversion_value",
                       null_col="total_null")
t = time.perf_counter()
credits = markov(table)
seconds = time.perf_counter() - t
extra = {"credits": credits.conversions}
"""

CA_READY = """
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

CA_PANDAS = """
import sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from ChannelAttribution import markov_model
t = time.perf_counter()
ev = pd.read_parquet(sys.argv[2] + "/journeys.parquet").sort_values(["ts", "seq"])
buy = ev["event"] == "purchase"
conv = ev.loc[buy, ["customer_id", "ts", "seq", "revenue"]].rename(
    columns={"ts": "conv_ts", "seq": "conv_seq"})
conv["conv_at"] = conv["conv_ts"]
touch = pd.merge_asof(ev.loc[~buy, ["customer_id", "ts", "seq", "channel"]], conv,
                      left_on="ts", right_on="conv_at", by="customer_id", direction="forward")
touch = touch.sort_values(["customer_id", "ts", "seq"])
tail = touch[touch["conv_seq"].isna()]
kept = touch[touch["conv_ts"] - touch["ts"] <= pd.Timedelta(days=30)]
conv_paths = kept.groupby("conv_seq")["channel"].agg(" > ".join)
conv["path"] = conv["conv_seq"].map(conv_paths).fillna("(direct)")
null_paths = tail.groupby("customer_id")["channel"].agg(" > ".join)
paths = pd.concat([
    conv.assign(c=1, v=conv["revenue"].fillna(0), n=0)[["path", "c", "v", "n"]],
    pd.DataFrame({"path": null_paths.values, "c": 0, "v": 0.0, "n": 1}),
]).groupby("path", as_index=False).sum()
r = markov_model(paths, "path", "c", var_value="v", var_null="n",
                 order=1, verbose=0, flg_pro=False)
seconds = time.perf_counter() - t
extra = {"paths": len(paths), "credits": dict(zip(r["channel_name"], r["total_conversions"]))}
"""


def _gap(ours: dict[str, float], theirs: dict[str, float], total: float) -> float:
    return round(max(abs(ours[c] - theirs.get(c, 0.0)) for c in ours) / total, 5)


def main() -> None:
    args = bench_args(__doc__)
    setup, ours, ready, pandas, ours_ready = run_pair(
        args, "attribution", SETUP, OURS, CA_READY, CA_PANDAS, OURS_READY
    )
    total = setup["conversions"]

    def shown(step: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in step.items() if k != "credits"}

    print(
        json.dumps(
            {
                "events": args.events,
                "machine": machine(),
                "best_of": args.repeat,
                "paths": setup["paths"],
                "conversions": total,
                "journeyscope_paths_and_exact_markov": shown(ours),
                "channelattribution_markov_model_on_ready_paths": shown(ready),
                "pandas_paths_and_channelattribution_markov_model": shown(pandas),
                "largest_difference_share_of_conversions": {
                    "ready_paths": _gap(ours["credits"], ready["credits"], total),
                    "pandas_paths": _gap(ours["credits"], pandas["credits"], total),
                },
                "ratio_to_markov_model_alone": round(ours["seconds"] / ready["seconds"], 3),
                "ratio_both_building_paths": round(ours["seconds"] / pandas["seconds"], 3),
                "journeyscope_exact_markov_on_ready_paths": shown(ours_ready),
                "ratio_both_on_ready_paths": round(ours_ready["seconds"] / ready["seconds"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
