"""Days on which Vietnamese retail behaves differently by design: Tết, the double-day and
payday sales, shopping festivals and public holidays.

A change on such a day is seasonality, not an incident: ``insights`` neither reports it
nor lets it into the baseline other days are measured against. The built-in calendar
covers what Vietnamese marketplaces and shops run every year; a workspace adds its own
days (a brand's anniversary sale) in ``workspace.yaml`` under ``insights.calendar``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

__all__ = ["TET", "expected_days"]

#: The first day of the lunar new year (Tết Nguyên Đán) in Vietnam
TET: dict[int, date] = {
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}
#: Shopping before Tết and the holiday after it (days from the first day of Tết)
TET_SEASON = (-21, 9)

_FIXED: dict[tuple[int, int], tuple[str, str]] = {
    (2, 14): ("Valentine's Day", "Lễ Tình nhân"),
    (3, 8): ("International Women's Day", "Quốc tế Phụ nữ 8/3"),
    (4, 30): ("Reunification Day holiday", "Nghỉ lễ 30/4"),
    (5, 1): ("Labour Day holiday", "Nghỉ lễ 1/5"),
    (9, 2): ("National Day holiday", "Nghỉ lễ Quốc khánh 2/9"),
    (10, 20): ("Vietnamese Women's Day", "Ngày Phụ nữ Việt Nam 20/10"),
    (11, 20): ("Teachers' Day", "Ngày Nhà giáo 20/11"),
    (12, 24): ("Christmas Eve", "Đêm Giáng sinh"),
    (12, 25): ("Christmas", "Giáng sinh"),
    (12, 31): ("New Year's Eve", "Đêm Giao thừa dương lịch"),
    (1, 1): ("New Year's Day", "Tết Dương lịch"),
}


def _black_friday(year: int) -> date:
    november = date(year, 11, 1)
    first_friday = november + timedelta(days=(4 - november.weekday()) % 7)
    return first_friday + timedelta(weeks=3)


def _built_in(year: int) -> dict[date, tuple[str, str]]:
    days: dict[date, tuple[str, str]] = {}
    for month in range(1, 13):
        # the marketplaces' double-day sales (1.1 … 12.12) and payday sales (25th)
        days[date(year, month, month)] = (
            f"{month}.{month} double-day sale",
            f"Ngày hội mua sắm {month}.{month}",
        )
        days[date(year, month, 25)] = ("Payday sale", "Khuyến mãi ngày lương (25)")
    for (month, day), label in _FIXED.items():
        days[date(year, month, day)] = label
    friday = _black_friday(year)
    days[friday] = ("Black Friday", "Black Friday")
    days[friday + timedelta(days=3)] = ("Cyber Monday", "Cyber Monday")
    tet = TET.get(year)
    if tet is not None:
        for offset in range(TET_SEASON[0], TET_SEASON[1] + 1):
            days[tet + timedelta(days=offset)] = ("Tết season", "Mùa Tết")
    return days


def expected_days(
    first: date, last: date, extra: Mapping[date, str] | None = None
) -> dict[date, tuple[str, str]]:
    """Every day from ``first`` to ``last`` that is expected to differ, with its name (en,
    vi). A sale day's eve and morning-after differ too (orders placed at midnight, parcels
    and questions the day after), so each sale day also covers the day after."""
    days: dict[date, tuple[str, str]] = {}
    for year in range(first.year, last.year + 1):
        for day, label in _built_in(year).items():
            days.setdefault(day, label)
            if label[0].endswith("sale") or label[0] in ("Black Friday", "Cyber Monday"):
                days.setdefault(day + timedelta(days=1), label)
    for day, name in (extra or {}).items():
        days[day] = (name, name)
        days.setdefault(day + timedelta(days=1), (name, name))
    return {d: label for d, label in sorted(days.items()) if first <= d <= last}
