"""Every engine normalises identifiers alike: Python, DuckDB and Spark on one messy corpus.

The three forms are derived from one table of rules (journeyscope.identity.rules); the phone
step is not derived (``phonenumbers`` in Python, a fast path in SQL), so this test holds all
three to the same answer — value and problem — on tests/data/identity-corpus/values.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import IdentityConfig
from journeyscope.identity.resolve import normalize_fresh
from journeyscope.identity.rules import CLEAN, PLACEHOLDER, Map, Rules, Sub, default_rules

CORPUS = Path(__file__).parent.parent / "data" / "identity-corpus" / "values.json"
Answers = dict[tuple[str, str], tuple[str | None, str | None]]


def _groups() -> list[dict[str, Any]]:
    return list(json.loads(CORPUS.read_text("utf-8"))["groups"])


def _values() -> list[tuple[str, str]]:
    """Every (type, raw) of the corpus, and every raw under every type as well: the rules
    of one type must not depend on values only another type was tried with."""
    raws = sorted({raw for g in _groups() for raw in g["raws"]})
    return [(t, raw) for t in IDENTIFIER_TYPES for raw in raws]


#: a workspace with its own settings: the conformance must hold for any configuration
CUSTOM = IdentityConfig(
    default_region="VN",
    deny={"user_id": ["guest", "KH*"], "email": ["*@example.com"], "phone": ["0903 123 456"]},
    deny_repeated_digits=0,
)
RULES = {
    "default": default_rules(),
    "custom": Rules.from_config(CUSTOM),
    "us": Rules.from_config(IdentityConfig(default_region="US")),
}


def _python(rules: Rules) -> Answers:
    return {(t, raw): rules.normalize(t, raw) for t, raw in _values()}


def _duckdb(rules: Rules) -> Answers:
    """The embedded engine's path: the rules' SQL, then ``phonenumbers`` for what it leaves."""
    con = duckdb.connect()
    answers: Answers = {}
    for id_type in IDENTIFIER_TYPES:
        raws = [raw for t, raw in _values() if t == id_type]
        con.execute("CREATE OR REPLACE TEMP TABLE new_raw (raw VARCHAR)")
        con.executemany("INSERT INTO new_raw VALUES (?)", [(r,) for r in raws])
        normalize_fresh(con, id_type, rules)
        for raw, value, problem in con.execute("SELECT raw, value, problem FROM fresh").fetchall():
            answers[(id_type, raw)] = (value, problem)
    con.close()
    return answers


def _differences(want: Answers, got: Answers) -> list[str]:
    return [
        f"{t}:{raw!r}: {want[(t, raw)]} != {got.get((t, raw))}"
        for t, raw in sorted(want)
        if got.get((t, raw)) != want[(t, raw)]
    ]


def test_the_corpus_normalises_as_documented() -> None:
    """Python's answers are the expected ones (then the engines are held to Python's)."""
    rules = default_rules()
    wrong = []
    for group in _groups():
        for raw in group["raws"]:
            value, problem = rules.normalize(group["type"], raw)
            got = PLACEHOLDER if problem == PLACEHOLDER else value
            if got != group["expect"]:
                wrong.append(f"{group['type']}:{raw!r} -> {(value, problem)}, {group['note']}")
    assert not wrong, "\n".join(wrong)
    assert sum(len(g["raws"]) for g in _groups()) > 150


@pytest.mark.parametrize("name", sorted(RULES))
def test_duckdb_normalises_as_python_does(name: str) -> None:
    rules = RULES[name]
    want, got = _python(rules), _duckdb(rules)
    assert len(got) == len(want)
    assert not _differences(want, got), "\n".join(_differences(want, got))


def test_custom_settings_change_the_answers() -> None:
    """The deny-list and the repeated-digit rule are the workspace's to set."""
    default, custom = RULES["default"], RULES["custom"]
    assert custom.normalize("user_id", "Guest") == ("Guest", PLACEHOLDER)
    assert custom.normalize("user_id", "KH00123") == ("KH00123", PLACEHOLDER)
    assert default.normalize("user_id", "KH00123") == ("KH00123", None)
    assert custom.normalize("user_id", "1111111111") == ("1111111111", None)
    assert default.normalize("user_id", "1111111111") == ("1111111111", PLACEHOLDER)
    assert custom.normalize("email", "An@Example.com") == ("an@example.com", PLACEHOLDER)
    assert custom.normalize("phone", "+84903123456") == ("+84903123456", PLACEHOLDER)
    # a type the workspace lists replaces that type's defaults; the others keep theirs
    assert custom.normalize("email", "test@test.com") == ("test@test.com", None)
    assert custom.normalize("user_id", "N/A") == ("N/A", PLACEHOLDER)
    assert default.fingerprint() != custom.fingerprint()
    assert default.fingerprint() == default_rules().fingerprint()


def test_unknown_deny_type_is_refused() -> None:
    with pytest.raises(ValueError, match="mobile"):
        IdentityConfig(deny={"mobile": ["0"]})


def test_the_rules_use_only_what_every_engine_reads_alike() -> None:
    """No backslash escapes in a pattern (RE2, Java and Python read them differently), and
    no line break survives the first map (so ``$`` is the end of the text everywhere)."""
    for rules in RULES.values():
        for steps in rules.steps.values():
            for step in steps:
                for pattern in (getattr(step, "pattern", ""), getattr(step, "when", "") or ""):
                    assert "\\" not in pattern and "\\d" not in pattern, step
                if isinstance(step, Sub):
                    assert "$" not in step.repl and "\\" not in step.repl
            assert isinstance(steps[0], Map) and steps[0] == CLEAN
    spaces = "".join(c for c in map(chr, range(0x10000)) if c.isspace() or re.match(r"\s", c))
    cleaned = default_rules().normalize("user_id", f"a{spaces}b")[0]
    assert cleaned == "a" + " " * len(spaces) + "b"


@pytest.mark.spark
@pytest.mark.parametrize("name", sorted(RULES))
def test_spark_normalises_as_python_does(spark: Any, name: str) -> None:
    from journeyscope.identity.spark_resolve import TYPE_INDEX, _normalised

    rules = RULES[name]
    want = _python(rules)
    raws = spark.createDataFrame(
        [(TYPE_INDEX[t], raw) for t, raw in _values()], "t int, raw string"
    )
    names = {i: t for t, i in TYPE_INDEX.items()}
    got: Answers = {
        (names[r["t"]], r["raw"]): (r["value"], r["problem"])
        for r in _normalised(raws, rules).collect()
    }
    assert len(got) == len(want)
    assert not _differences(want, got), "\n".join(_differences(want, got))
