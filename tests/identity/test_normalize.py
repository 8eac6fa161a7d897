"""Identifier normalisation, and the SQL fast path agreeing with phonenumbers."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyscope.errors import InputError
from journeyscope.identity.normalize import (
    normalize,
    normalize_phone,
    parse_identifier,
    phone_fast_select,
)


@pytest.mark.parametrize(
    "raw",
    [
        "0903 123 456",
        "+84903123456",
        "84-903-123-456",
        "(+84) 903.123.456",
        "0903123456",
        "903123456",
    ],
)
def test_vietnamese_phone_spellings_are_one_number(raw: str) -> None:
    assert normalize("phone", raw) == ("+84903123456", None)


@pytest.mark.parametrize(
    ("id_type", "raw", "expected"),
    [
        ("email", "  An.Nguyen@Gmail.COM ", ("an.nguyen@gmail.com", None)),
        ("email", "an nguyen@gmail.com", ("annguyen@gmail.com", None)),
        ("email", "không-phải-email", (None, "not an e-mail address")),
        ("phone", "0000000000", (None, "not a valid phone number")),
        ("phone", "gọi sau", (None, "not a phone number")),
        ("phone", "+1 650 253 0000", ("+16502530000", None)),
        ("user_id", " 17850.0 ", ("17850", None)),
        ("anonymous_id", "Ck_ABC", ("Ck_ABC", None)),
        ("loyalty_id", "   ", (None, "empty")),
    ],
)
def test_rules(id_type: str, raw: str, expected: tuple[str | None, str | None]) -> None:
    assert normalize(id_type, raw) == expected


def _fast(raws: list[str]) -> list[str | None]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, raw VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(raws)))
    rows = con.execute(
        f"SELECT f.value FROM t LEFT JOIN ({phone_fast_select('(SELECT DISTINCT raw FROM t)')}) f "
        "ON f.raw = t.raw "
        "ORDER BY t.i"
    ).fetchall()
    return [r[0] for r in rows]


SPELLINGS = [
    lambda d: f"0{d}",
    lambda d: f"+84{d}",
    lambda d: f"84-{d[:3]}-{d[3:6]}-{d[6:]}",
    lambda d: f"0{d[:3]} {d[3:6]} {d[6:]}",
    lambda d: f"(+84) {d[:3]}.{d[3:6]}.{d[6:]}",
    lambda d: d,
    lambda d: f"+1{d}",
    lambda d: f"0{d}x",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(10**8, 10**9 - 1), st.sampled_from(range(len(SPELLINGS)))),
        min_size=1,
        max_size=40,
    )
)
def test_sql_fast_path_never_disagrees_with_phonenumbers(items: list[tuple[int, int]]) -> None:
    raws = [SPELLINGS[k](str(n)) for n, k in items]
    for raw, fast in zip(raws, _fast(raws), strict=True):
        if fast is not None:  # the fast path may pass a number on to Python, never misread it
            assert normalize_phone(raw) == (fast, None), raw


def test_fast_path_covers_common_vietnamese_mobiles() -> None:
    raws = ["0903 123 456", "+84 912 345 678", "84-983-000-111", "0386123456"]
    assert _fast(raws) == ["+84903123456", "+84912345678", "+84983000111", "+84386123456"]


def test_parse_identifier_errors_are_clear() -> None:
    with pytest.raises(InputError, match="TYPE:VALUE"):
        parse_identifier("0903123456")
    with pytest.raises(InputError, match="TYPE:VALUE"):
        parse_identifier("mobile:0903123456")
    with pytest.raises(InputError, match="not a valid phone"):
        parse_identifier("phone:0000000000")
    assert parse_identifier("phone:0903 123 456") == ("phone", "+84903123456")
