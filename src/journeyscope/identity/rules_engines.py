"""The DuckDB and Spark forms of the identifier rules (:mod:`journeyscope.identity.rules`).

Both are derived step by step from the rules' table, as :func:`~journeyscope.identity.
rules.apply` is in Python; a conformance test holds the three equal on a corpus of messy
values. Where DuckDB would be slow (``translate`` builds its map for every value), the SQL
skips work that cannot change the value — the answer stays the table's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from journeyscope.identity.rules import (
    FOLD,
    PLACEHOLDER,
    Check,
    Deny,
    Map,
    Phone,
    Refuse,
    Repeated,
    Require,
    Step,
    Sub,
    vn_mobile_prefixes,
)

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


# --- DuckDB ---------------------------------------------------------------------------------


def sql_text(text: str) -> str:
    """A DuckDB string literal (backslashes are plain characters in DuckDB's strings)."""
    return "'" + text.replace("'", "''") + "'"


def _sql_map(step: Map, v: str) -> str:
    """``translate`` of the whole map only where it can change something: DuckDB builds the
    map for every value, which costs more than all the other rules together. A map of
    characters outside printable ASCII leaves printable ASCII as it is; a map whose ASCII
    part is ``A-Z`` to ``a-z`` is ``lower`` on ASCII text (as many bytes as characters)."""
    ascii_src = {a: b for a, b in zip(step.src, step.dst, strict=False) if a.isascii()}
    ascii_src.update({a: "" for a in step.src[len(step.dst) :] if a.isascii()})
    full = f"translate({v}, {sql_text(step.src)}, {sql_text(step.dst)})"
    if all(not " " <= a <= "~" for a in ascii_src):
        return f"CASE WHEN regexp_matches({v}, '[^ -~]') THEN {full} ELSE {v} END"
    if ascii_src == {chr(c): chr(c + 32) for c in range(0x41, 0x5B)}:
        return f"CASE WHEN strlen({v}) = length({v}) THEN lower({v}) ELSE {full} END"
    return full


def _sql_transform(step: Map | Sub, v: str) -> str:
    if isinstance(step, Map):
        return _sql_map(step, v)
    replaced = f"regexp_replace({v}, {sql_text(step.pattern)}, {sql_text(step.repl)}, 'g')"
    if step.when is not None:
        replaced = f"CASE WHEN regexp_full_match({v}, {sql_text(step.when)}) THEN {replaced} END"
    if step.hint is not None:
        look = {"start": "starts_with", "end": "ends_with"}.get(step.at, "contains")
        replaced = f"CASE WHEN {look}({v}, {sql_text(step.hint)}) THEN {replaced} END"
    return replaced if replaced.startswith("regexp") else f"coalesce({replaced}, {v})"


def _sql_bad(step: Check, v: str) -> str:
    if isinstance(step, Require):
        return f"NOT regexp_full_match({v}, {sql_text(step.pattern)})"
    if isinstance(step, Refuse):
        if not step.pattern:
            return f"{v} = ''"
        match = f"regexp_full_match({v}, {sql_text(step.pattern)})"
        if not step.hints:
            return match
        present = " OR ".join(f"contains({v}, {sql_text(h)})" for h in step.hints)
        return f"CASE WHEN {present} THEN {match} ELSE false END"
    if isinstance(step, Deny):
        return _sql_deny(step, _sql_map(FOLD, v))
    if not step.least:
        return "false"
    return (
        f"CASE WHEN length({v}) >= {step.least} AND replace({v}, left({v}, 1), '') = '' "
        f"THEN regexp_full_match({v}, '[0-9]+') ELSE false END"
    )


def _sql_deny(step: Deny, folded: str) -> str:
    tests = [f"{folded} IN ({', '.join(map(sql_text, step.exact))})"] if step.exact else []
    tests += [
        f"(starts_with({folded}, {sql_text(p)}) AND ends_with({folded}, {sql_text(s)}) "
        f"AND length({folded}) >= {len(p) + len(s)})"
        for p, s in step.globs
    ]
    return "(" + (" OR ".join(tests) or "false") + ")"


def duckdb_select(steps: Sequence[Step], source: str) -> str:
    """``SELECT raw, value, problem`` over ``source`` (a relation with column ``raw``).

    For a phone the SQL decides only the usual spellings of Vietnamese mobile numbers; the
    rows it leaves with neither value nor problem go to :func:`apply` in Python.
    """
    sql = f"SELECT raw, raw AS v, CAST(NULL AS VARCHAR) AS problem FROM {source}"
    for step in steps:
        if isinstance(step, Map | Sub):
            changed = f"CASE WHEN problem IS NULL THEN {_sql_transform(step, 'v')} ELSE v END"
            sql = f"SELECT raw, {changed} AS v, problem FROM ({sql})"
        elif isinstance(step, Phone):
            sql = _sql_phone(step, sql)
        elif isinstance(step, Deny):  # folded once, then compared with every entry
            sql = f"SELECT raw, v, problem, {_sql_map(FOLD, 'v')} AS f FROM ({sql})"
            bad = f"CASE WHEN {_sql_deny(step, 'f')} THEN {sql_text(step.problem)} END"
            sql = f"SELECT raw, v, coalesce(problem, {bad}) AS problem FROM ({sql})"
        else:
            bad = f"CASE WHEN {_sql_bad(step, 'v')} THEN {sql_text(step.problem)} END"
            sql = f"SELECT raw, v, coalesce(problem, {bad}) AS problem FROM ({sql})"
    kept = f"problem IS NULL OR problem = '{PLACEHOLDER}'"
    return f"SELECT raw, CASE WHEN {kept} THEN v END AS value, problem FROM ({sql})"


#: the usual spellings: optional + or (+, then digits, spaces, dots, brackets and dashes
PLAIN_PHONE: Final = " *([+]|[(][+])?[0-9][0-9 .()-]*"


def _sql_phone(step: Phone, sql: str) -> str:
    if step.region != "VN":
        return f"SELECT raw, CASE WHEN problem IS NOT NULL THEN v END AS v, problem FROM ({sql})"
    prefixes = ", ".join(map(sql_text, vn_mobile_prefixes())) or "''"
    e164 = "'+84' || nat"
    bad = f"{_sql_bad(step.deny, e164)} OR {_sql_bad(Repeated(step.repeated), 'nat')}"
    return f"""
        SELECT raw, CASE WHEN problem IS NOT NULL THEN v WHEN ok THEN '+84' || nat END AS v,
               coalesce(problem, CASE WHEN ok AND ({bad}) THEN '{PLACEHOLDER}' END) AS problem
        FROM (
            SELECT raw, v, problem, nat, problem IS NULL AND plain AND length(nat) = 9
                                      AND substr(nat, 1, 3) IN ({prefixes}) AS ok
            FROM (
                SELECT raw, v, problem, regexp_full_match(v, '{PLAIN_PHONE}') AS plain,
                    CASE WHEN length(d) = 13 AND starts_with(d, '0084') THEN substr(d, 5)
                         WHEN length(d) = 11 AND starts_with(d, '84') THEN substr(d, 3)
                         WHEN length(d) = 10 AND starts_with(d, '0') THEN substr(d, 2)
                         WHEN length(d) = 9 THEN d END AS nat
                FROM (SELECT raw, v, problem, regexp_replace(v, '[^0-9]', '', 'g') AS d
                      FROM ({sql}))))"""


# --- Spark ----------------------------------------------------------------------------------


def _spark_transform(step: Map | Sub, v: Column) -> Column:
    from pyspark.sql import functions as fn

    if isinstance(step, Map):
        return fn.translate(v, step.src, step.dst)
    replaced = fn.regexp_replace(v, step.pattern, step.repl)
    if step.when is None:
        return replaced
    return fn.when(v.rlike(f"^(?:{step.when})$"), replaced).otherwise(v)


def _spark_bad(step: Check, v: Column) -> Column:
    from pyspark.sql import functions as fn

    if isinstance(step, Require):
        return ~v.rlike(f"^(?:{step.pattern})$")
    if isinstance(step, Refuse):
        return v.rlike(f"^(?:{step.pattern})$")
    if isinstance(step, Deny):
        folded = _spark_transform(FOLD, v)
        bad = folded.isin(list(step.exact)) if step.exact else fn.lit(False)
        for p, s in step.globs:
            glob = (
                folded.startswith(p) & folded.endswith(s) & (fn.length(folded) >= len(p) + len(s))
            )
            bad = bad | glob
        return bad
    if not step.least:
        return fn.lit(False)
    first = fn.substring(v, 1, 1)
    return (
        (fn.length(v) >= step.least)
        & v.rlike("^[0-9]+$")
        & (fn.replace(v, first, fn.lit("")) == fn.lit(""))
    )


def spark_select(steps: Sequence[Step], raws: DataFrame) -> DataFrame:
    """``(t, raw, value, problem)`` for ``raws`` (columns ``t, raw``) — the steps as Spark
    columns, one projection per step (so no expression is copied into the next).

    Phones the SQL does not decide are left with neither value nor problem, for Python.
    """
    from pyspark.sql import functions as fn

    v, problem = fn.col("v"), fn.col("problem")
    df = raws.select(
        "t", "raw", fn.col("raw").alias("v"), fn.lit(None).cast("string").alias("problem")
    )
    for step in steps:
        if isinstance(step, Map | Sub):
            changed = fn.when(problem.isNull(), _spark_transform(step, v)).otherwise(v)
            df = df.select("t", "raw", changed.alias("v"), problem)
        elif isinstance(step, Phone):
            df = _spark_phone(step, df)
        else:
            bad = fn.when(_spark_bad(step, v), fn.lit(step.problem))
            df = df.select("t", "raw", v, fn.coalesce(problem, bad).alias("problem"))
    kept = problem.isNull() | (problem == PLACEHOLDER)
    return df.select("t", "raw", fn.when(kept, v).alias("value"), problem)


def _spark_phone(step: Phone, df: DataFrame) -> DataFrame:
    from pyspark.sql import functions as fn

    problem = fn.col("problem")
    if step.region != "VN":
        return df.select("t", "raw", fn.when(problem.isNotNull(), fn.col("v")).alias("v"), problem)
    d = fn.col("d")
    with_digits = df.select(
        "t", "raw", "v", problem, fn.col("v").rlike(f"^(?:{PLAIN_PHONE})$").alias("plain"),
        fn.regexp_replace("v", "[^0-9]", "").alias("d"),
    )  # fmt: skip
    nat = (
        fn.when((fn.length(d) == 13) & d.startswith("0084"), fn.substring(d, 5, 9))
        .when((fn.length(d) == 11) & d.startswith("84"), fn.substring(d, 3, 9))
        .when((fn.length(d) == 10) & d.startswith("0"), fn.substring(d, 2, 9))
        .when(fn.length(d) == 9, d)
    )
    prefixes = list(vn_mobile_prefixes())
    with_nat = with_digits.select("t", "raw", "v", problem, "plain", nat.alias("nat"))
    n = fn.col("nat")
    ok = (
        problem.isNull()
        & fn.col("plain")
        & (fn.length(n) == 9)
        & fn.substring(n, 1, 3).isin(prefixes)
    )
    e164 = fn.concat(fn.lit("+84"), n)
    bad = _spark_bad(step.deny, e164) | _spark_bad(Repeated(step.repeated), n)
    return with_nat.select(
        "t",
        "raw",
        fn.when(problem.isNotNull(), fn.col("v")).when(ok, e164).alias("v"),
        fn.coalesce(problem, fn.when(ok & bad, fn.lit(PLACEHOLDER))).alias("problem"),
    )
