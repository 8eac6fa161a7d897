"""Filters and steps: parsed, never pasted into SQL; mistakes point at what is wrong."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from journeyscope.analytics.scope import (
    Clause,
    Scope,
    parse_duration,
    parse_filter,
    parse_step,
    parse_steps,
)
from journeyscope.engine.dialect import Sql
from journeyscope.errors import InputError
from tests.analytics.conftest import MakeWorkspace


def test_filter_grammar() -> None:
    flt = parse_filter("channel in (shopee, 'lazada') and category = 'túi xách' and revenue >= 5")
    assert flt.clauses == (
        Clause("channel", "in", ("shopee", "lazada")),
        Clause("category", "=", ("túi xách",)),
        Clause("revenue", ">=", ("5",)),
    )
    assert parse_filter("channel not in (web)").clauses == (Clause("channel", "not in", ("web",)),)
    assert parse_filter("") == parse_filter(None)


def test_values_are_bound_never_pasted() -> None:
    q = Sql()
    sql = parse_filter('channel = "x\'; DROP TABLE events; --"').sql(q, "e")
    assert "DROP" not in sql
    assert "x'; DROP TABLE events; --" in q.params.values()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("channel in (web", "missing ')'"),
        ("channel web", "expected an operator"),
        ("= web", "expected a field name"),
        ("channel = web or channel = app", "expected 'and'"),
        ("channel =", "expected a value"),
        # comparisons that could only be false: refused, not answered with zero
        ("revenue > abc", "revenue is a number: 'abc' is not one"),
        ("rating = good", "rating is a number"),
        ("channel > 5", "channel is text: compare it with"),
        ("revenue in (5, abc)", "revenue is a number: 'abc' is not one"),
    ],
)
def test_bad_filters_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_filter(text)
    assert fragment in str(info.value)
    assert info.value.location is not None and info.value.location.field == "--where"


def test_steps_with_filters_and_any() -> None:
    steps = parse_steps("product_view[category=handbags and channel in (web,app)],*,Add To Cart")
    assert steps[0].event == "product_view"
    assert len(steps[0].filter.clauses) == 2
    assert steps[1].event is None
    assert steps[2].event == "add_to_cart"  # names are stored the way import stores them
    assert parse_step("purchase").label == "purchase"


def test_durations() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("3") == timedelta(days=3)
    with pytest.raises(InputError):
        parse_duration("soon")


def test_dates_are_read_in_the_workspace_zone(make_workspace: MakeWorkspace) -> None:
    ws = make_workspace([{"user_id": "a", "event": "x", "ts": "2024-01-01T00:00:00Z"}])
    ws.config.timezone = "Asia/Ho_Chi_Minh"
    scope = Scope.parse(ws, "2024-01-02", "2024-01-02", None)
    assert scope.since == datetime(2024, 1, 1, 17, 0)  # midnight in Hanoi is 17:00 UTC
    assert scope.until == datetime(2024, 1, 2, 17, 0)  # --to includes the whole day
    with pytest.raises(InputError):
        Scope.parse(ws, "yesterday", None, None)


@pytest.mark.parametrize(("since", "until"), [(None, "9999-12-31"), ("0001-01-01", None)])
def test_days_at_the_calendar_edge_are_refused_not_crashes(
    make_workspace: MakeWorkspace, since: str | None, until: str | None
) -> None:
    """--to 9999-12-31 ends on a day past the calendar; 0001-01-01 in Hanoi is before it."""
    ws = make_workspace([{"user_id": "a", "event": "x", "ts": "2024-01-01T00:00:00Z"}])
    ws.config.timezone = "Asia/Ho_Chi_Minh"
    with pytest.raises(InputError) as info:
        Scope.parse(ws, since, until, None)
    assert info.value.code == "invalid_date"


@pytest.mark.parametrize("text", ["99999999999d", "9" * 400 + "d", "40000w"])
def test_absurd_durations_are_refused_not_crashes(text: str) -> None:
    with pytest.raises(InputError, match="100 years") as info:
        parse_duration(text)
    assert info.value.code == "invalid_duration"


def test_numeric_identifiers_may_be_ordered() -> None:
    assert parse_filter("user_id > 1000").clauses == (Clause("user_id", ">", ("1000",)),)


def test_empty_steps_are_refused_not_dropped() -> None:
    for text in ("view,,buy", "view,buy,"):
        with pytest.raises(InputError) as info:
            parse_steps(text)
        assert info.value.code == "invalid_steps"
        assert "is empty" in str(info.value)
    assert [s.event for s in parse_steps("view, buy")] == ["view", "buy"]


def test_names_and_values_in_either_unicode_form_are_one() -> None:
    """Vietnamese typed decomposed (NFD, some input methods and macOS file names) is the
    same text as composed (NFC), which import stores."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Xem Sản Phẩm")
    assert parse_step(nfd).event == "xem_sản_phẩm" == parse_step("xem sản phẩm").event
    flt = parse_filter(unicodedata.normalize("NFD", "category = 'túi xách'"))
    assert flt.clauses == (Clause("category", "=", ("túi xách",)),)
