"""Identity resolution on Spark: the embedded resolve's rules as DataFrame steps.

The same five steps as :mod:`journeyscope.identity.resolve`, so both engines give the same
customers (the same ids, numbered by each customer's first event), the same excluded
identifiers and the same counts — a conformance test holds them equal:

1. Every distinct raw identifier is normalised: e-mails, other ids and Vietnamese mobile
   numbers by Spark SQL expressions (the embedded engine's SQL, in Spark's dialect); the
   remaining phones by ``phonenumbers`` in the executors, once per distinct raw value.
   Each distinct (type, value) gets a node id that is unique by construction
   (``monotonically_increasing_id`` over the checkpointed distinct values), so no hash can
   ever merge two people, however many identifiers a lake holds.
2. Identifiers seen on the same event are linked; 3. the guard excludes identifiers linked
   to more than ``max_links`` distinct values of one other type, and blocks (from the
   workspace) drop identifiers or pairs; 4. connected components by DataFrame rounds
   (:func:`~journeyscope.identity.spark_components.spark_components`); 5. each event takes
   its component's customer.

Nothing per event or per identifier is collected to the driver: only counts, the excluded
identifiers and one row count per partition when numbering customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd  # at module level: the pandas UDF's type hints are resolved here

from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.identity.resolve import ResolveResult, excluded_entry, person_types
from journeyscope.identity.rules import PLACEHOLDER, Rules, default_rules
from journeyscope.identity.rules_engines import spark_select

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from journeyscope.events.workspace import Workspace

#: identifier type -> its index (1-based, as the embedded guard numbers them)
TYPE_INDEX = {name: i for i, name in enumerate(IDENTIFIER_TYPES, start=1)}
TYPES_ARRAY = "array(" + ", ".join(f"'{t}'" for t in IDENTIFIER_TYPES) + ")"


@dataclass
class SparkResolution:
    """The events with ``customer_id`` (NULL: no usable identifier), every identifier
    with its customer and status, and the summary the embedded resolve prints."""

    events: DataFrame
    identifiers: DataFrame
    result: ResolveResult


Block = tuple[str, str, str | None, str | None]


def resolve_spark(
    events: DataFrame,
    *,
    rules: Rules | None = None,
    max_links: int = 10,
    relative: float = 0.0,
    blocks: Sequence[Block] = (),
    suppressed: Suppressed | None = None,
) -> SparkResolution:
    """Resolve ``events`` (our field names; ``seq`` derived from (ts, source order) when absent).

    ``rules``: the workspace's normalisation rules; ``max_links`` and ``relative``: the
    guard (``identity.max_links``, ``identity.relative_links``); ``blocks``: ``(type, value,
    other_type, other_value)`` rows of the workspace's ``identity_blocks`` (normalised
    values; the other side NULL for a whole identifier); ``suppressed``: the workspace's
    key and the digests of forgotten identifiers — events carrying any spelling of one are
    left out, as an import into the workspace leaves them out.
    """
    from pyspark.sql import functions as fn

    from journeyscope.identity.spark_components import spark_components

    events = _with_identifiers(_with_seq(events))
    values = _normalised(_distinct_raws(events), rules or default_rules()).localCheckpoint()
    if suppressed is not None and suppressed.digests:
        events, values = _without_suppressed(events, values, suppressed)
    nodes = (
        values.where("value IS NOT NULL")
        .select("t", "value")
        .distinct()
        .withColumn("node_id", fn.monotonically_increasing_id())
        .localCheckpoint()
    )
    raw_nodes = values.join(nodes, ["t", "value"], "left").localCheckpoint()
    ev_nodes = _event_nodes(events, raw_nodes).localCheckpoint()
    links = _links(ev_nodes).localCheckpoint()
    counts = _counts(links).localCheckpoint()
    degree = _degree(counts)
    placeholders = (
        values.where(f"problem = '{PLACEHOLDER}' AND value IS NOT NULL")
        .select("t", "value")
        .distinct()
        .join(nodes, ["t", "value"])
        .select("node_id")
    )
    over = _over_limits(counts, max_links, relative)
    unlinked = _unlinked(degree, nodes, blocks, placeholders, over).localCheckpoint()
    used = _used_links(links, unlinked, nodes, blocks)
    cc, rounds = spark_components(used)
    usable = ev_nodes.join(unlinked.select(fn.col("node_id")), "node_id", "left_anti")
    ev_comp = (
        usable.join(cc.withColumnRenamed("v", "node_id"), "node_id", "left")
        .groupBy("seq")
        .agg(fn.min_by(fn.coalesce("comp", "node_id"), "t").alias("comp"))
    )
    comp_ids = _numbered(
        ev_comp.groupBy("comp").agg(fn.min("seq").alias("first"))
    ).localCheckpoint()
    event_customers = ev_comp.join(comp_ids, "comp").select("seq", "customer_id").localCheckpoint()
    identifiers = (
        nodes.join(unlinked, "node_id", "left")
        .join(degree.select("node_id", fn.col("max_links").alias("most")), "node_id", "left")
        .join(cc.withColumnRenamed("v", "node_id"), "node_id", "left")
        .withColumn("comp", fn.coalesce("comp", "node_id"))
        .join(comp_ids, "comp", "left")
        .select(
            fn.expr(f"element_at({TYPES_ARRAY}, t)").alias("identifier_type"),
            fn.col("value").alias("identifier_value"),
            fn.when(fn.col("status").isNull(), fn.col("customer_id")).alias("customer_id"),
            fn.coalesce("status", fn.lit("linked")).alias("status"),
            fn.coalesce("max_links", "most", fn.lit(0)).cast("long").alias("max_links"),
        )
    )
    resolved = events.drop("customer_id").join(event_customers, "seq", "left")
    result = _summary(
        events, values, identifiers, event_customers, unlinked, nodes, rounds, max_links
    )
    return SparkResolution(resolved, identifiers, result)


@dataclass(frozen=True)
class Suppressed:
    """The workspace's suppression list: its HMAC key and the digests of forgotten
    identifiers (:mod:`journeyscope.events.suppression`; never the values)."""

    key: bytes
    digests: tuple[str, ...]


def _without_suppressed(
    events: DataFrame, values: DataFrame, suppressed: Suppressed
) -> tuple[DataFrame, DataFrame]:
    """The events that carry no suppressed identifier, and the normalised values that
    still appear in them: a forgotten person comes back neither as events nor as an
    identifier in ``_identity``. The digest is the workspace's HMAC-SHA256 of (type,
    kind, normalised value), computed in Spark from the key's pads."""
    from pyspark.sql import functions as fn

    from journeyscope.events.suppression import IDENTIFIER, pads

    pad = pads(suppressed.key)
    message = fn.encode(
        fn.concat_ws(
            "\x1f", fn.expr(f"element_at({TYPES_ARRAY}, t)"), fn.lit(IDENTIFIER), fn.col("value")
        ),
        "UTF-8",
    )
    inner = fn.unhex(fn.sha2(fn.concat(fn.lit(pad["ipad"]), message), 256))
    digest = fn.sha2(fn.concat(fn.lit(pad["opad"]), inner), 256)
    hits = (
        values.where("value IS NOT NULL")
        .where(digest.isin(list(suppressed.digests)))
        .select("t", "raw")
    )
    dropped = events.selectExpr("seq", _stack()).join(hits, ["t", "raw"]).select("seq")
    kept = events.join(dropped.distinct(), "seq", "left_anti").localCheckpoint()
    remaining = values.join(_distinct_raws(kept), ["t", "raw"], "left_semi").localCheckpoint()
    return kept, remaining


def _with_seq(events: DataFrame) -> DataFrame:
    """``seq`` breaks ties in time and numbers customers; a dataset from elsewhere has
    none, so it is given in (ts, place in the source) order — events at one instant keep
    the order they were read in, not a hashed id's — checkpointed, so it is given once."""
    from pyspark.sql import functions as fn

    if "seq" in events.columns:
        return events
    placed = events.withColumn("_place", fn.monotonically_increasing_id())
    ordered = placed.orderBy("ts", "_place").drop("_place")
    return ordered.withColumn("seq", fn.monotonically_increasing_id()).localCheckpoint()


def _with_identifiers(events: DataFrame) -> DataFrame:
    """Every identifier column as text (absent ones NULL; integer ids are fine).

    A whole double is written without its fraction, as a number: Java would write
    ``1.2345678E7``, which the rules refuse as scientific notation, where DuckDB writes
    ``12345678.0``, which they read as ``12345678`` (docs/identity.md)."""
    from pyspark.sql import functions as fn

    for name in IDENTIFIER_TYPES:
        if name not in events.columns:
            events = events.withColumn(name, fn.lit(None).cast("string"))
            continue
        kind = dict(events.dtypes)[name]
        column = fn.col(name)
        if kind in ("double", "float"):
            whole = (column % 1 == 0) & (fn.abs(column) < fn.lit(1e15))  # no floor: ANSI
            text = fn.when(whole, column.cast("long").cast("string")).otherwise(
                column.cast("string")
            )
            events = events.withColumn(name, text)
        elif kind != "string":
            events = events.withColumn(name, column.cast("string"))
    return events


def _stack() -> str:
    """``(t, raw)``: one row per identifier column of an event."""
    pairs = ", ".join(f"{i}, {name}" for name, i in TYPE_INDEX.items())
    return f"stack({len(TYPE_INDEX)}, {pairs}) AS (t, raw)"


def _distinct_raws(events: DataFrame) -> DataFrame:
    return events.selectExpr(_stack()).where("raw IS NOT NULL").distinct().localCheckpoint()


def _normalised(raws: DataFrame, rules: Rules) -> DataFrame:
    """``(t, raw, value, problem)``: the rules' Spark form (:func:`~journeyscope.identity.
    rules.spark_select`, derived from the same table as the embedded engine's SQL), and
    ``phonenumbers`` in the executors for the phones it leaves undecided."""
    from pyspark.sql import functions as fn

    parts = [
        spark_select(rules.steps[name], raws.where(fn.col("t") == index))
        for name, index in TYPE_INDEX.items()
    ]
    first = parts[0]
    for part in parts[1:]:
        first = first.unionByName(part)
    undecided = f"t = {TYPE_INDEX['phone']} AND value IS NULL AND problem IS NULL"
    fixed = (
        first.where(undecided)
        .select("t", "raw", _phonenumbers(rules)(fn.col("raw")).alias("p"))
        .select("t", "raw", "p.value", "p.problem")
    )
    return first.where(f"NOT ({undecided})").unionByName(fixed)


def _phonenumbers(rules: Rules):  # type: ignore[no-untyped-def]
    """A pandas UDF: the rules' phone normalisation (``phonenumbers``) in the executors."""
    from pyspark.sql.pandas.functions import pandas_udf

    @pandas_udf("value string, problem string")  # type: ignore[call-overload, untyped-decorator]
    def phones(raw: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(
            [rules.normalize("phone", r) for r in raw], columns=["value", "problem"]
        )

    return phones


def _event_nodes(events: DataFrame, raw_nodes: DataFrame) -> DataFrame:
    """``(seq, node_id, t)`` for every usable identifier of every event."""
    return (
        events.selectExpr("seq", _stack())
        .where("raw IS NOT NULL")
        .join(raw_nodes.where("node_id IS NOT NULL").select("t", "raw", "node_id"), ["t", "raw"])
        .select("seq", "node_id", "t")
    )


def _links(ev_nodes: DataFrame) -> DataFrame:
    """``(a, b, ta, tb, events, first_seq)``: identifiers seen on one event, a < b."""
    from pyspark.sql import functions as fn

    a = ev_nodes.select("seq", fn.col("node_id").alias("a"), fn.col("t").alias("ta"))
    b = ev_nodes.select("seq", fn.col("node_id").alias("b"), fn.col("t").alias("tb"))
    return (
        a.join(b, "seq")
        .where("a < b")
        .groupBy("a", "b")
        .agg(
            fn.first("ta").alias("ta"),
            fn.first("tb").alias("tb"),
            fn.count("*").alias("events"),
            fn.min("seq").alias("first_seq"),
        )
    )


def _counts(links: DataFrame) -> DataFrame:
    """``(node_id, t, other_t, count)``: how many distinct values of each other type an
    identifier is linked to."""
    ends = links.selectExpr("a AS node_id", "ta AS t", "tb AS other_t").unionByName(
        links.selectExpr("b AS node_id", "tb AS t", "ta AS other_t")
    )
    return ends.groupBy("node_id", "t", "other_t").count()


def _degree(counts: DataFrame) -> DataFrame:
    """``(node_id, max_links, busiest_type)``: the most distinct values of one other type
    an identifier is linked to (ties: the type listed first)."""
    from pyspark.sql import functions as fn

    return (
        counts.groupBy("node_id")
        .agg(
            fn.max("count").alias("max_links"),
            fn.expr("max_by(other_t, count * 16 - other_t)").alias("busiest_t"),
        )
        .selectExpr("node_id", "max_links", f"element_at({TYPES_ARRAY}, busiest_t) AS busiest_type")
    )


def _over_limits(counts: DataFrame, max_links: int, relative: float) -> DataFrame:
    """``(node_id, max_links, busiest_type, limit)``: identifiers over a guard limit — the
    embedded engine's limits (:func:`~journeyscope.identity.stitch_kernel.guard_limits`,
    from the same histogram of counts), with its largest count over a limit (ties: the
    type listed first)."""
    import numpy as np
    from pyspark.sql import functions as fn

    from journeyscope.identity.stitch_kernel import guard_limits

    cap = max_links + 1
    types = len(IDENTIFIER_TYPES) + 1
    hist = np.zeros((types, types, cap + 1), np.int64)
    clipped = counts.select("t", "other_t", fn.least("count", fn.lit(cap)).alias("c"))
    for row in clipped.groupBy("t", "other_t", "c").count().collect():
        hist[row["t"], row["other_t"], row["c"]] = row["count"]
    limits = guard_limits(hist, max_links, relative, person_types())
    table = counts.sparkSession.createDataFrame(
        [(t, u, int(limits[t, u])) for t in range(1, types) for u in range(1, types)],
        "t int, other_t int, limit long",
    )
    return (
        counts.join(fn.broadcast(table), ["t", "other_t"])
        .where("count > limit")
        .groupBy("node_id")
        .agg(
            fn.max("count").alias("max_links"),
            fn.expr("max_by(other_t, count * 16 - other_t)").alias("busiest_t"),
            fn.expr("max_by(limit, count * 16 - other_t)").alias("limit"),
        )
        .selectExpr(
            "node_id",
            "max_links",
            f"element_at({TYPES_ARRAY}, busiest_t) AS busiest_type",
            "limit",
        )
    )


def _unlinked(
    degree: DataFrame,
    nodes: DataFrame,
    blocks: Sequence[Block],
    placeholders: DataFrame,
    over: DataFrame,
) -> DataFrame:
    """``(node_id, status, max_links, busiest_type, rule, limit)``: blocked identifiers,
    placeholders, and those over a guard limit (one row each, in that order of precedence;
    ``rule`` numbered as the compiled pass numbers it)."""
    from pyspark.sql import functions as fn

    from journeyscope.identity.stitch_kernel import DENIED, OVER_LIMIT

    def status(ids: DataFrame, name: str, rule: int) -> DataFrame:
        return ids.join(degree, "node_id", "left").select(
            "node_id",
            fn.lit(name).alias("status"),
            fn.coalesce("max_links", fn.lit(0)).alias("max_links"),
            "busiest_type",
            fn.lit(rule).alias("rule"),
            fn.lit(0).cast("long").alias("limit"),
        )

    blocked = status(_block_nodes(nodes, [b for b in blocks if b[2] is None]), "blocked", 0)
    denied = status(placeholders, "excluded", DENIED).join(
        blocked.select("node_id"), "node_id", "left_anti"
    )
    taken = blocked.select("node_id").unionByName(denied.select("node_id"))
    excluded = over.join(taken, "node_id", "left_anti").select(
        "node_id",
        fn.lit("excluded").alias("status"),
        "max_links",
        "busiest_type",
        fn.lit(OVER_LIMIT).alias("rule"),
        "limit",
    )
    return blocked.unionByName(denied).unionByName(excluded)


def _block_nodes(nodes: DataFrame, rows: Sequence[Block]) -> DataFrame:
    """The node ids of the blocked identifiers."""
    wanted = nodes.sparkSession.createDataFrame(
        [(TYPE_INDEX[r[0]], r[1]) for r in rows], "t int, value string"
    )
    return nodes.join(wanted, ["t", "value"]).select("node_id").distinct()


def _used_links(
    links: DataFrame, unlinked: DataFrame, nodes: DataFrame, blocks: Sequence[Block]
) -> DataFrame:
    """``(a, b)``: the links of usable identifiers, blocked pairs taken out."""
    from pyspark.sql import functions as fn

    off = unlinked.select("node_id")
    used = (
        links.join(off.withColumnRenamed("node_id", "a"), "a", "left_anti")
        .join(off.withColumnRenamed("node_id", "b"), "b", "left_anti")
        .select("a", "b")
    )
    pairs = [b for b in blocks if b[2] is not None]
    if not pairs:
        return used
    spark = nodes.sparkSession
    rows = spark.createDataFrame(
        [
            (i, TYPE_INDEX[p[0]], p[1], TYPE_INDEX[str(p[2])], str(p[3]))
            for i, p in enumerate(pairs)
        ],
        "k int, t1 int, v1 string, t2 int, v2 string",
    )
    one = rows.join(nodes, (rows.t1 == nodes.t) & (rows.v1 == nodes.value)).select(
        "k", fn.col("node_id").alias("n1")
    )
    two = rows.join(nodes, (rows.t2 == nodes.t) & (rows.v2 == nodes.value)).select(
        "k", fn.col("node_id").alias("n2")
    )
    both = one.join(two, "k").selectExpr("least(n1, n2) AS a", "greatest(n1, n2) AS b")
    return used.join(both, ["a", "b"], "left_anti")


def _numbered(firsts: DataFrame) -> DataFrame:
    """``(comp, customer_id)``: 1, 2, 3… in order of each customer's first event, numbered
    without moving every customer into one partition (a window over the whole set would):
    sort, count the rows of each sorted partition, and add the partitions before."""
    from pyspark.sql import functions as fn

    spark = firsts.sparkSession
    mask = (1 << 33) - 1  # monotonically_increasing_id: partition << 33 | row in partition
    ordered = (
        firsts.orderBy("first")
        .withColumn("mono", fn.monotonically_increasing_id())
        .selectExpr("comp", "first", "mono >> 33 AS part", f"mono & {mask} AS row")
        .localCheckpoint()
    )
    counts = sorted(ordered.groupBy("part").count().collect())
    offsets, total = [], 0
    for part, n in counts:
        offsets.append((part, total))
        total += n
    starts = spark.createDataFrame(offsets or [(0, 0)], "part long, start long")
    return ordered.join(fn.broadcast(starts), "part").selectExpr(
        "comp", "start + row + 1 AS customer_id"
    )


def _summary(
    events: DataFrame,
    values: DataFrame,
    identifiers: DataFrame,
    event_customers: DataFrame,
    unlinked: DataFrame,
    nodes: DataFrame,
    rounds: int,
    max_links: int,
) -> ResolveResult:
    """The embedded resolve's summary, counted where the data is."""
    excluded = (
        unlinked.join(nodes, "node_id")
        .selectExpr(
            f"element_at({TYPES_ARRAY}, t) || ':' || value AS identifier",
            "status",
            "max_links",
            "busiest_type",
            "rule",
            "limit",
        )
        .orderBy("max_links", "identifier", ascending=[False, True])
        .collect()
    )
    customers = identifiers.where("customer_id IS NOT NULL").select("customer_id").distinct()
    attributed = event_customers.count()
    return ResolveResult(
        customers=customers.count(),
        identifiers=nodes.count(),
        events=attributed,
        unattributed_events=events.count() - attributed,
        invalid_identifiers=values.where("value IS NULL").count(),
        excluded_identifiers=[
            excluded_entry(
                r["identifier"],
                r["status"],
                int(r["max_links"]),
                r["busiest_type"],
                int(r["rule"]),
                int(r["limit"]),
                max_links,
            )
            for r in excluded
        ],
        iterations=rounds,
    )


def resolve_dataset(
    ws: Workspace, spark: SparkSession, source: str, target: str, *, overwrite: bool = False
) -> ResolveResult:
    """Resolve the raw events at ``source`` with the workspace's rules and blocks and write
    them, with ``customer_id`` and ``seq``, as the dataset the Spark reports read
    (``target``; identifiers with their customers under ``target/_identity``)."""
    from journeyscope.events.spark_store import check_replaceable, read_source, write_dataset

    check_replaceable(spark, target, overwrite=overwrite)
    identity = ws.config.identity
    blocks = [
        (t, v, ot, ov)
        for t, v, ot, ov in ws.con.execute(
            "SELECT id_type, value, other_type, other_value FROM identity_blocks"
        ).fetchall()
    ]
    resolution = resolve_spark(
        read_source(spark, source),
        rules=Rules.from_config(identity),
        max_links=identity.max_links,
        relative=identity.relative_links,
        blocks=blocks,
        suppressed=_suppression_list(ws),
    )
    write_dataset(resolution.events, resolution.identifiers, target, ws.config.timezone)
    return resolution.result


def _suppression_list(ws: Workspace) -> Suppressed | None:
    """The workspace's forgotten identifiers (digests and key), or None when there are none."""
    from journeyscope.events import suppression

    if not suppression.size(ws):
        return None
    key = suppression.secret(ws)
    rows = ws.con.execute(
        "SELECT digest FROM identity_suppressed WHERE kind = ?", [suppression.IDENTIFIER]
    ).fetchall()
    return Suppressed(key, tuple(str(r[0]) for r in rows)) if key is not None else None
