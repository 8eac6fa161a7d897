"""Money rounded to its currency's minor unit and labelled; times in a zone with offset."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from journeyscope.i18n.formatting import (
    format_money,
    format_vnd,
    local_iso,
    local_text,
    minor_unit,
    round_money,
)


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        (247.65999999999997, "GBP", 247.66),
        (105.20000000000002, "usd", 105.2),
        (1_250_000.4, "VND", 1_250_000),
        (0.0004, "KWD", 0.0),
        (0.0006, "KWD", 0.001),
        (-56.1, "EUR", -56.1),
        (None, "GBP", None),
    ],
)
def test_money_is_rounded_to_the_minor_unit(
    amount: float | None, currency: str, rounded: float | None
) -> None:
    assert round_money(amount, currency) == rounded
    if rounded is not None:
        assert repr(round_money(amount, currency)) == repr(rounded)  # no 247.65999…


def test_minor_units_of_iso_4217() -> None:
    assert [minor_unit(c) for c in ("VND", "GBP", "USD", "EUR", "JPY", "BHD", None)] == [
        0,
        2,
        2,
        2,
        0,
        3,
        2,
    ]


def test_money_carries_its_code() -> None:
    assert format_money(5288.63, "GBP", "en") == "GBP 5,288.63"
    assert format_money(5288.63, "GBP", "vi") == "5.288,63 GBP"
    assert format_money(15_000_000, "VND", "vi") == "15.000.000 ₫" == format_vnd(15_000_000, "vi")
    assert format_money(15_000_000, "VND", "en") == "VND 15,000,000"
    assert "VND" not in format_money(1, "GBP", "en") and "₫" not in format_money(1, "GBP", "vi")


def test_times_are_shown_in_the_zone_with_offset() -> None:
    stored = datetime(2026, 5, 1, 3, 0)  # naive = UTC, as the store keeps it
    assert local_iso(stored, "Asia/Ho_Chi_Minh") == "2026-05-01T10:00:00+07:00"
    assert local_iso(stored, "Europe/London") == "2026-05-01T04:00:00+01:00"  # summer time
    assert local_iso(datetime(2010, 12, 1, 8, 26), "Europe/London") == "2010-12-01T08:26:00+00:00"
    assert local_iso(None, "UTC") is None
    assert local_iso(date(2026, 5, 1), "UTC") == "2026-05-01"
    assert local_text(stored, "Asia/Ho_Chi_Minh") == "2026-05-01 10:00 +07:00"
