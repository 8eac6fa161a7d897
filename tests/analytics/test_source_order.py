"""Ties keep their source order: events at one instant are ordered by their place in the
source (``seq``: the file line, files in import order, or the order the collector received
them), never by an id hashed from their content — in every report, on every engine.

Each test builds journeys whose events at one instant come in an uneven, alternating file
order, split over two files, and holds the report equal to the answer worked out from the
file order alone. Each first checks that the data decides: the same answer worked out with
every tie the other way round differs, so ordering ties by a hash, by name or backwards
fails the test."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from journeyscope.analytics.attribution.journeys import PathSpec as PaidSpec
from journeyscope.analytics.attribution.journeys import build_paths, build_paths_sql
from journeyscope.analytics.attribution.models import attribute
from journeyscope.analytics.attribution.paths import PathTable
from journeyscope.analytics.funnels import FunnelSpec, funnel
from journeyscope.analytics.paths import PathSpec, paths
from journeyscope.analytics.scope import Scope, parse_steps
from journeyscope.analytics.stages import StageSpec, customer_stages, stages
from journeyscope.analytics.touchpoints import TouchpointSpec, touchpoints
from journeyscope.arrays import in_journey_order
from journeyscope.collect import Collector
from journeyscope.events.ingest import ingest_files
from journeyscope.events.mapping import load_mapping
from journeyscope.events.workspace import Workspace, WorkspaceConfig
from journeyscope.identity.incremental import resolve_incremental
from journeyscope.identity.profiles import profile
from journeyscope.identity.resolve import resolve

Event = dict[str, Any]
Rows = list[Event]
T0, T1, LATE = "2026-05-01T10:00:00Z", "2026-05-01T10:05:00Z", "2026-05-20T10:00:00Z"
N = 12  # customers c0 … c11
OnEngine = Callable[[Workspace], Any]
Build = Callable[[Path, Rows], Workspace]


def _flip(n: int) -> bool:
    """Customers whose pair at one instant is written the other way round: one in three,
    so the two orders are uneven and even the counts tell them apart."""
    return n % 3 == 0


def _pair(n: int, first: Event, second: Event) -> list[Event]:
    return [second, first] if _flip(n) else [first, second]


def _ev(n: int, event: str, ts: str = T0, **more: Any) -> Event:
    return {"user_id": f"c{n}", "ts": ts, "event": event, "channel": "web", **more}


def _interleaved(journeys: list[list[Event]]) -> Rows:
    """The file: every customer's first event, then every second one, and so on — so a
    customer's two events at one instant end up in different files when it is split."""
    rows: Rows = []
    for k in range(max(len(j) for j in journeys)):
        rows += [j[k] for j in journeys if k < len(j)]
    return rows


def _swap_ties(rows: Rows) -> Rows:
    """The same rows with each customer's events at one instant in reverse file order."""
    places: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        places.setdefault((row["user_id"], row["ts"]), []).append(i)
    out = list(rows)
    for at in places.values():
        for i, j in zip(at, reversed(at), strict=True):
            out[i] = rows[j]
    return out


def _journeys(rows: Rows) -> dict[str, list[Event]]:
    """Each customer's events in file order (times only go forward in these files)."""
    out: dict[str, list[Event]] = {}
    for row in rows:
        out.setdefault(row["user_id"], []).append(row)
    return out


@pytest.fixture(params=["resolved once", "live passes"])
def build(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Build]:
    """``build(folder, rows)``: a workspace importing ``rows`` as two JSON-lines files (the
    first half, then the rest, in that order), identities resolved; closed at the end.

    "live passes": resolved after the first file, then incrementally after the second,
    as live identity does, so ``journey_events`` holds a second run the readers merge
    (a customer's two events at one instant land in different runs)."""
    live = request.param == "live passes"
    if live and "engine" in request.fixturenames and request.getfixturevalue("engine") != "duckdb":
        pytest.skip("Spark reads the events, not journey_events: the runs change nothing there")
    opened: list[Workspace] = []

    def make(folder: Path, rows: Rows) -> Workspace:
        folder.mkdir(parents=True, exist_ok=True)
        half = len(rows) // 2
        files = [folder / "a.jsonl", folder / "b.jsonl"]
        for path, part in zip(files, (rows[:half], rows[half:]), strict=True):
            path.write_text("\n".join(json.dumps(r) for r in part) + "\n", encoding="utf-8")
        ws = Workspace.init(folder / "ws", WorkspaceConfig(timezone="UTC"))
        opened.append(ws)
        if live:
            for path in files:
                assert ingest_files(ws, [path], load_mapping(None)).rejected == 0
                done = resolve_incremental(ws, full_above=1.0, rewrite_share=1.0)
            assert not done.full and done.journey_rows, done
            stored = ws.con.sql(
                "SELECT customer_id, epoch_us(ts) AS us, seq FROM journey_events"
            ).fetchnumpy()
            ordered = in_journey_order(stored["customer_id"], stored["us"], stored["seq"])
            assert not ordered, "the second run must need merging"
        else:
            assert ingest_files(ws, files, load_mapping(None)).rejected == 0
            resolve(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


def _decides(expected: Callable[[Rows], Any], rows: Rows) -> Any:
    """The answer from file order, after checking the tie order changes it."""
    answer = expected(rows)
    assert answer != expected(_swap_ties(rows)), "the data must make the tie order matter"
    return answer


def _customer(r: Any, n: int) -> int:
    return int(r.customer_id_of(f"user_id:c{n}"))


# -------------------- paths and variants


def _path_rows() -> Rows:
    """A view and a cart at one instant, then an ending of the customer's own (so every
    edge into it says which of the two came second)."""
    return _interleaved(
        [[*_pair(n, _ev(n, "view"), _ev(n, "cart")), _ev(n, f"done{n}", T1)] for n in range(N)]
    )


def _expected_paths(rows: Rows) -> dict[str, Any]:
    names = {u: [e["event"] for e in j] for u, j in _journeys(rows).items()}
    edges: dict[tuple[str, str], int] = {}
    for seq in names.values():
        for a, b in itertools.pairwise(seq):
            edges[(a, b)] = edges.get((a, b), 0) + 1
    starts: dict[str, int] = {}
    for seq in names.values():
        starts[seq[0]] = starts.get(seq[0], 0) + 1
    return {"edges": edges, "starts": starts, "variants": {tuple(s): 1 for s in names.values()}}


def test_paths_and_variants_follow_the_source(
    tmp_path: Path, build: Build, on_engine: OnEngine
) -> None:
    rows = _path_rows()
    expected = _decides(_expected_paths, rows)
    report = paths(on_engine(build(tmp_path, rows)), PathSpec(), Scope())
    assert {(e["from"], e["to"]): e["count"] for e in report["edges"]} == expected["edges"]
    assert report["starts"] == expected["starts"]
    top = {tuple(v["path"]): v["customers"] for v in report["variants"]["top"]}
    assert top == expected["variants"]


def test_the_customer_timeline_follows_the_source(tmp_path: Path, build: Build) -> None:
    rows = _path_rows()
    expected = _decides(
        lambda rs: {u: [e["event"] for e in j] for u, j in _journeys(rs).items()}, rows
    )
    ws = build(tmp_path, rows)
    for n in range(N):
        timeline = profile(ws, f"user_id:c{n}")["timeline"]
        assert [t["event"] for t in timeline] == expected[f"c{n}"]


# -------------------- funnel


def _funnel_rows() -> Rows:
    """Two views at one instant from two channels of the customer's own, then a cart: the
    breakdown puts the customer under the channel of their first view."""
    return _interleaved(
        [
            [
                *_pair(n, _ev(n, "view", channel=f"a{n}"), _ev(n, "view", channel=f"b{n}")),
                _ev(n, "cart", T1),
            ]
            for n in range(N)
        ]
    )


def _expected_groups(rows: Rows) -> dict[str, int]:
    return {j[0]["channel"]: 1 for j in _journeys(rows).values()}


def test_the_funnel_breakdown_takes_the_first_entry_in_source_order(
    tmp_path: Path, build: Build, on_engine: OnEngine
) -> None:
    rows = _funnel_rows()
    expected = _decides(_expected_groups, rows)
    spec = FunnelSpec(parse_steps("view,cart"), by="channel")
    report = funnel(on_engine(build(tmp_path, rows)), spec, Scope())
    assert [s["customers"] for s in report["steps"]] == [N, N]
    groups = {g["value"]: g["steps"][1]["customers"] for g in report["breakdown"]}
    assert groups == expected


def test_funnel_steps_at_one_instant_convert_in_either_order(
    tmp_path: Path, build: Build, on_engine: OnEngine
) -> None:
    """The one deliberate exception: a funnel takes rows at one instant as ClickHouse's
    windowFunnel sorts them — by step — so a cart written before its view at the same
    instant still converts (docs/analytics.md, "Ties in time")."""
    rows = _interleaved([_pair(n, _ev(n, "view"), _ev(n, "cart")) for n in range(N)])
    report = funnel(on_engine(build(tmp_path, rows)), FunnelSpec(parse_steps("view,cart")), Scope())
    assert [s["customers"] for s in report["steps"]] == [N, N]


# -------------------- stages


def _stage_rows() -> Rows:
    """An ad (awareness) and a product view (consideration) at one instant."""
    return _interleaved(
        [_pair(n, _ev(n, "ad_impression"), _ev(n, "product_view")) for n in range(N)]
    )


STAGE_OF = {"ad_impression": "awareness", "product_view": "consideration"}


def _expected_stages(rows: Rows) -> dict[str, list[str]]:
    """Each customer's stages in the order entered (the last one is the current)."""
    return {u: [STAGE_OF[e["event"]] for e in j] for u, j in _journeys(rows).items()}


def test_stages_are_entered_in_source_order(
    tmp_path: Path, build: Build, on_engine: OnEngine
) -> None:
    rows = _stage_rows()
    expected = _decides(_expected_stages, rows)
    r = on_engine(build(tmp_path, rows))
    for n in range(N):
        timeline = customer_stages(r, StageSpec(), Scope(), _customer(r, n))
        assert [t["stage"] for t in timeline["timeline"]] == expected[f"c{n}"]
        assert timeline["current_stage"] == expected[f"c{n}"][-1]
    target = tmp_path / "stages.csv"
    report = stages(r, StageSpec(), Scope(), export_to=target)
    by = {s["stage"]: s for s in report["stages"]}
    ahead = sum(seq[0] == "awareness" for seq in expected.values())  # moved on from it
    assert by["awareness"]["conversion_to_next"] == pytest.approx(ahead / N, abs=1e-4)
    currents = [seq[-1] for seq in expected.values()]
    assert by["awareness"]["current"] == currents.count("awareness")
    assert by["consideration"]["current"] == currents.count("consideration")
    with target.open(encoding="utf-8") as handle:
        written = {int(row["customer_id"]): row["current_stage"] for row in csv.DictReader(handle)}
    assert written == {_customer(r, n): expected[f"c{n}"][-1] for n in range(N)}


# -------------------- touchpoints


def _touch_rows() -> Rows:
    """A checkout (a touchpoint of the customer's own) and a purchase at one instant: the
    checkout leads to the purchase only when it was written first. Someone acts weeks
    later, so every checkout is observed."""
    journeys = [
        _pair(
            n,
            _ev(n, "checkout", touchpoint=f"web:/checkout/{n}"),
            _ev(n, "purchase", touchpoint="web:/thanks"),
        )
        for n in range(N)
    ]
    return [*_interleaved(journeys), {**_ev(N, "page_view", LATE), "user_id": "late"}]


def _expected_touches(rows: Rows) -> dict[str, tuple[int, int]]:
    """(converted, observed) per checkout: only a checkout before its purchase is open."""
    out = {}
    for journey in _journeys(rows).values():
        for k, e in enumerate(journey):
            if e["event"] == "checkout":
                before = int(any(x["event"] == "purchase" for x in journey[k + 1 :]))
                out[e["touchpoint"]] = (before, before)
    return out


def test_touchpoints_convert_only_what_the_source_puts_before(
    tmp_path: Path, build: Build, on_engine: OnEngine
) -> None:
    rows = _touch_rows()
    expected = _decides(_expected_touches, rows)
    spec = TouchpointSpec(min_customers=1, min_observed=1)
    report = touchpoints(on_engine(build(tmp_path, rows)), spec, Scope())
    got = {
        t["touchpoint"]: (t["converted"], t["observed"])
        for t in report["touchpoints"]
        if t["touchpoint"].startswith("web:/checkout/")
    }
    assert got == expected
    assert all(t["dropped"] == 0 for t in report["touchpoints"])


# -------------------- attribution


def _paid_rows() -> Rows:
    """Two ad clicks at one instant (zalo, facebook); even customers then buy twice at one
    instant (values 2^n and 2^(n+20): every credited value names its customers). The
    touches go to the purchase stored first; the other is a conversion without touches."""
    journeys = []
    for n in range(N):
        clicks = _pair(
            n, _ev(n, "ad_click", channel="zalo"), _ev(n, "ad_click", channel="facebook")
        )
        buys = (
            _pair(
                n + 1,
                _ev(n, "purchase", T1, revenue=2**n),
                _ev(n, "purchase", T1, revenue=2 ** (n + 20)),
            )
            if n % 2 == 0
            else []
        )
        journeys.append([*clicks, *buys])
    return _interleaved(journeys)


def _expected_table(rows: Rows) -> PathTable:
    table = PathTable(channels=[])
    for journey in _journeys(rows).values():
        touches = [e["channel"] for e in journey if e["event"] != "purchase"]
        values = [float(e["revenue"]) for e in journey if e["event"] == "purchase"]
        if not values:
            table.add(touches, 0.0, 0.0, 1.0)
            continue
        table.add(touches, 1.0, values[0], 0.0)
        for value in values[1:]:
            table.add(["(direct)"], 1.0, value, 0.0)
    return table


MODELS = ("first", "last", "markov")


def _credits(table: PathTable) -> dict[str, tuple[dict[str, float], dict[str, float]]]:
    out = {}
    for model in MODELS:
        c = attribute(table, model)
        out[model] = (
            {k: round(v, 6) for k, v in c.conversions.items() if v},
            {k: round(v, 6) for k, v in c.value.items() if v},
        )
    return out


def test_attribution_journeys_follow_the_source(
    tmp_path: Path, build: Build, on_engine: OnEngine
) -> None:
    rows = _paid_rows()
    expected = _decides(lambda rs: _credits(_expected_table(rs)), rows)
    ws = build(tmp_path, rows)
    table, _ = build_paths(on_engine(ws), PaidSpec(), Scope())
    assert _credits(table) == expected
    twin, _ = build_paths_sql(ws, PaidSpec(), Scope())  # the SQL form (DuckDB)
    assert _credits(twin) == expected


# -------------------- the collector


SEGMENT = {"Product Viewed": "product_view", "Product Added": "add_to_cart"}


def test_collected_events_at_one_instant_keep_the_order_received(tmp_path: Path) -> None:
    """Two requests, each a batch of events sharing one timestamp; message ids are
    scrambled, so an order by id would mix the customers' events up."""
    Workspace.init(tmp_path / "ws").close()
    requests: list[list[Event]] = [[], []]
    for n in range(N):
        names = ["Product Added", "Product Viewed"] if _flip(n) else list(SEGMENT)
        for k, name in enumerate(names):
            requests[n % 2].append(
                {
                    "type": "track",
                    "messageId": f"m{(n * 7919 + k * 104729) % 1000003:07d}",
                    "userId": f"c{n}",
                    "event": name,
                    "timestamp": T0,
                }
            )

    want: dict[str, list[str]] = {}
    for message in itertools.chain(*requests):
        want.setdefault(message["userId"], []).append(SEGMENT[message["event"]])
    assert len({tuple(v) for v in want.values()}) == 2  # both orders occur: an order by name fails
    collector = Collector(tmp_path / "ws")
    try:
        for batch in requests:
            body = json.dumps({"batch": batch}).encode()
            assert collector.accept("batch", body, source="segment:web").accepted == len(batch)
        collector.loader.drain()
    finally:
        collector.close()
    with Workspace.open(tmp_path / "ws") as ws:
        resolve(ws)
        for n in range(N):
            timeline = profile(ws, f"user_id:c{n}")["timeline"]
            assert [t["event"] for t in timeline] == want[f"c{n}"]


# -------------------- a dataset from elsewhere, on Spark


@pytest.mark.spark
def test_a_dataset_without_seq_keeps_its_row_order_on_spark(spark: Any, tmp_path: Path) -> None:
    """Events another system wrote (no ``seq``, scrambled ids): `identity resolve --engine
    spark` numbers them in (time, place in the dataset) order, so ties keep the rows'."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from journeyscope.engine.spark import SparkRunner
    from journeyscope.events.spark_store import read_events
    from journeyscope.identity.spark_resolve import resolve_dataset

    rows = _path_rows()
    expected = _decides(_expected_paths, rows)
    table = pa.Table.from_pylist(
        [
            {
                **r,
                "event_id": f"e{(i * 7919) % 1009:04d}",
                "touchpoint": f"web:{r['event']}",
                "properties": "{}",
            }
            for i, r in enumerate(rows)
        ]
    )
    at = table.schema.get_field_index("ts")
    table = table.set_column(at, "ts", pc.cast(table["ts"], pa.timestamp("us", "UTC")))
    (tmp_path / "lake").mkdir()
    pq.write_table(table, tmp_path / "lake" / "events.parquet")
    with Workspace.init(tmp_path / "ws", WorkspaceConfig(timezone="UTC")) as ws:
        resolve_dataset(ws, spark, str(tmp_path / "lake"), str(tmp_path / "out"))
        report = paths(SparkRunner(ws, read_events(spark, tmp_path / "out")), PathSpec(), Scope())
    assert {(e["from"], e["to"]): e["count"] for e in report["edges"]} == expected["edges"]
    assert report["starts"] == expected["starts"]
