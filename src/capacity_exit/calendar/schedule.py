"""A year's official schedule: its holidays and its weekend days declared working days.

The base is the `holidays` package (China), which matches the State Council notices
for the years it was published with; a schedule loaded by an administrator replaces
the package's for its year and makes that year confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import holidays

MIN_YEAR = 2000
MAX_YEAR = 2100  # dates accepted as input
# The index reaches further, so that 3650 working days after any accepted date (the
# largest count the API accepts) still has an answer.
INDEX_MAX_YEAR = 2116
# Years whose package data comes from the published notices (domain.md: 2019–2026).
PACKAGE_CONFIRMED_YEARS = range(2019, 2027)


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: dict[date, str]
    adjusted_workdays: dict[date, str]
    confirmed: bool
    source: str  # "loaded" (an official notice loaded here) or "package"
    notice: str | None = None
    version: int = 0
    extra: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=256)
def package_schedule(year: int) -> YearSchedule:
    china = holidays.country_holidays("CN", years=year, language="zh_CN")
    days_off = {d: str(name) for d, name in china.items() if d.year == year}
    worked = {d: "调休上班" for d in getattr(china, "weekend_workdays", set()) if d.year == year}
    return YearSchedule(
        year=year,
        holidays=days_off,
        adjusted_workdays=worked,
        confirmed=year in PACKAGE_CONFIRMED_YEARS,
        source="package",
    )


def warm_package_schedules() -> None:
    for year in range(MIN_YEAR, INDEX_MAX_YEAR + 1):
        package_schedule(year)
