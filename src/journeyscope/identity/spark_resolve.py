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
from journeyscope.identity.normalize import EMAIL_RE, vn_mobile_prefixes
from journeyscope.identity.resolve import ResolveResult

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from journeyscope.events.workspace import Workspace

#: identifier type -> its index (1-based, as the embedded guard numbers them)
TYPE_INDEX = {name: i for i, name in enumerate(IDENTIFIER_TYPES, start=1)}
TYPES_ARRAY = "array(" + ", ".join(f"'{t}'" for t in IDENTIFIER_TYPES) + ")"

# Java's ``$`` also matches before a final line break; ``\z`` is the end of the text,
# as in the embedded engine's full matches
_EMAIL = "^" + EMAIL_RE.pattern.strip("^$") + r"\z"
_PLAIN_PHONE = r"^\s*(\+|\(\+)?[0-9][0-9 .()-]*\z"


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
    region: str = "VN",
    max_links: int = 10,
    blocks: Sequence[Block] = (),
) -> SparkResolution:
    """Resolve ``events`` (our field names; ``seq`` derived from (ts, event_id) when absent).

    ``blocks``: ``(type, value, other_type, other_value)`` rows of the workspace's
    ``identity_blocks`` (normalised values; the other side NULL for a whole identifier).
    """
    from pyspark.sql import functions as fn

    from journeyscope.identity.spark_components import spark_components

    events = _with_identifiers(_with_seq(events))
    values = _normalised(_distinct_raws(events), region)
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
    degree = _degree(links)
    unlinked = _unlinked(degree, nodes, blocks, max_links).localCheckpoint()
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
        .join(degree.select("node_id", fn.col("max_links").alias("links")), "node_id", "left")
        .join(cc.withColumnRenamed("v", "node_id"), "node_id", "left")
        .withColumn("comp", fn.coalesce("comp", "node_id"))
        .join(comp_ids, "comp", "left")
        .select(
            fn.expr(f"element_at({TYPES_ARRAY}, t)").alias("identifier_type"),
            fn.col("value").alias("identifier_value"),
            fn.when(fn.col("status").isNull(), fn.col("customer_id")).alias("customer_id"),
            fn.coalesce("status", fn.lit("linked")).alias("status"),
            fn.coalesce("links", fn.lit(0)).cast("long").alias("max_links"),
        )
    )
    resolved = events.drop("customer_id").join(event_customers, "seq", "left")
    result = _summary(events, values, identifiers, event_customers, unlinked, nodes, rounds)
    return SparkResolution(resolved, identifiers, result)


def _with_seq(events: DataFrame) -> DataFrame:
    """``seq`` breaks ties in time and numbers customers; a dataset from elsewhere has
    none, so it is given in (ts, event_id) order — checkpointed, so it is given once."""
    from pyspark.sql import functions as fn

    if "seq" in events.columns:
        return events
    ordered = events.orderBy("ts", "event_id")
    return ordered.withColumn("seq", fn.monotonically_increasing_id()).localCheckpoint()


def _with_identifiers(events: DataFrame) -> DataFrame:
    """Every identifier column as text (absent ones NULL; integer ids are fine)."""
    from pyspark.sql import functions as fn

    for name in IDENTIFIER_TYPES:
        if name not in events.columns:
            events = events.withColumn(name, fn.lit(None).cast("string"))
        elif dict(events.dtypes)[name] != "string":
            events = events.withColumn(name, fn.col(name).cast("string"))
    return events


def _stack() -> str:
    """``(t, raw)``: one row per identifier column of an event."""
    pairs = ", ".join(f"{i}, {name}" for name, i in TYPE_INDEX.items())
    return f"stack({len(TYPE_INDEX)}, {pairs}) AS (t, raw)"


def _distinct_raws(events: DataFrame) -> DataFrame:
    return events.selectExpr(_stack()).where("raw IS NOT NULL").distinct()


def _normalised(raws: DataFrame, region: str) -> DataFrame:
    """``(t, raw, value, problem)``: the embedded engine's rules (docs/identity.md)."""
    from pyspark.sql import functions as fn

    email, phone = TYPE_INDEX["email"], TYPE_INDEX["phone"]
    trimmed = fn.expr("trim(raw)")
    mail = fn.expr(r"lower(regexp_replace(raw, '\\s', ''))")
    mail_ok = mail.rlike(_EMAIL)
    spreadsheet = trimmed.rlike(r"^\d+\.0\z")
    fast_phone = _fast_phone() if region == "VN" else fn.lit(None).cast("string")
    value = (
        fn.when(fn.col("t") == email, fn.when(mail_ok, mail))
        .when(fn.col("t") == phone, fast_phone)
        .when(spreadsheet, fn.expr("substr(trim(raw), 1, length(trim(raw)) - 2)"))
        .otherwise(fn.expr("nullif(trim(raw), '')"))
    )
    problem = (
        fn.when(fn.col("t") == email, fn.when(~mail_ok, fn.lit("not an e-mail address")))
        .when(fn.col("t") == phone, fn.lit(None))
        .when(trimmed == "", fn.lit("empty"))
    )
    first = raws.select("t", "raw", value.alias("value"), problem.cast("string").alias("problem"))
    slow = first.where(f"t = {phone} AND value IS NULL")
    fixed = slow.select("t", "raw", _phonenumbers(region)(fn.col("raw")).alias("p")).select(
        "t", "raw", "p.value", "p.problem"
    )
    return first.where(f"NOT (t = {phone} AND value IS NULL)").unionByName(fixed)


def _fast_phone() -> Column:
    """E.164 for a Vietnamese mobile number in any usual spelling, else NULL (then
    ``phonenumbers`` decides) — :func:`~journeyscope.identity.normalize.phone_fast_select`."""
    from pyspark.sql import functions as fn

    prefixes = ", ".join(f"'{p}'" for p in vn_mobile_prefixes()) or "''"
    digits = "regexp_replace(raw, '[^0-9]', '')"
    nat = (
        f"CASE WHEN length({digits}) = 11 AND startswith({digits}, '84') THEN substr({digits}, 3)"
        f" WHEN length({digits}) = 10 AND startswith({digits}, '0') THEN substr({digits}, 2)"
        f" WHEN length({digits}) = 9 THEN {digits} END"
    )
    plain = fn.col("raw").rlike(_PLAIN_PHONE)
    ok = plain & fn.expr(f"length({nat}) = 9 AND substr({nat}, 1, 3) IN ({prefixes})")
    return fn.when(ok, fn.concat(fn.lit("+84"), fn.expr(nat)))


def _phonenumbers(region: str):  # type: ignore[no-untyped-def]
    """A pandas UDF: ``normalize('phone', raw, region)`` in the executors."""
    from pyspark.sql.pandas.functions import pandas_udf

    @pandas_udf("value string, problem string")  # type: ignore[call-overload, untyped-decorator]
    def phones(raw: pd.Series) -> pd.DataFrame:
        from journeyscope.identity.normalize import normalize

        return pd.DataFrame(
            [normalize("phone", r, region) for r in raw], columns=["value", "problem"]
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


def _degree(links: DataFrame) -> DataFrame:
    """``(node_id, max_links, busiest_type)``: the most distinct values of one other type
    an identifier is linked to (ties: the type listed first)."""
    from pyspark.sql import functions as fn

    ends = links.selectExpr("a AS node_id", "tb AS other_t").unionByName(
        links.selectExpr("b AS node_id", "ta AS other_t")
    )
    return (
        ends.groupBy("node_id", "other_t")
        .count()
        .groupBy("node_id")
        .agg(
            fn.max("count").alias("max_links"),
            fn.expr("max_by(other_t, count * 16 - other_t)").alias("busiest_t"),
        )
        .selectExpr("node_id", "max_links", f"element_at({TYPES_ARRAY}, busiest_t) AS busiest_type")
    )


def _unlinked(
    degree: DataFrame, nodes: DataFrame, blocks: Sequence[Block], max_links: int
) -> DataFrame:
    """``(node_id, status, max_links, busiest_type)``: blocked identifiers, and those the
    guard excludes (one row each; a blocked one is reported as blocked)."""
    from pyspark.sql import functions as fn

    blocked = (
        _block_nodes(nodes, [b for b in blocks if b[2] is None])
        .join(degree, "node_id", "left")
        .select(
            "node_id",
            fn.lit("blocked").alias("status"),
            fn.coalesce("max_links", fn.lit(0)).alias("max_links"),
            "busiest_type",
        )
    )
    excluded = (
        degree.where(fn.col("max_links") > max_links)
        .join(blocked.select("node_id"), "node_id", "left_anti")
        .select("node_id", fn.lit("excluded").alias("status"), "max_links", "busiest_type")
    )
    return blocked.unionByName(excluded)


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
) -> ResolveResult:
    """The embedded resolve's summary, counted where the data is."""
    excluded = (
        unlinked.join(nodes, "node_id")
        .selectExpr(
            f"element_at({TYPES_ARRAY}, t) || ':' || value AS identifier",
            "status",
            "max_links",
            "busiest_type",
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
            {
                "identifier": r["identifier"],
                "reason": r["status"],
                "links": int(r["max_links"]),
                "linked_type": r["busiest_type"],
            }
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
        region=identity.default_region,
        max_links=identity.max_links,
        blocks=blocks,
    )
    write_dataset(resolution.events, resolution.identifiers, target, ws.config.timezone)
    return resolution.result
