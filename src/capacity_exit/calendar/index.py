"""The working-day index: every deadline is a lookup, never a walk over days.

For its range (2000-01-01 .. 2116-12-31) it keeps, per day, whether it is a
working day and how many working days there are up to it, plus the list of working
days; `working_days_after(d, n)` is then `workdays[count[d] + n - 1]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from capacity_exit.calendar.schedule import INDEX_MAX_YEAR, MIN_YEAR, YearSchedule

FIRST_DAY = date(MIN_YEAR, 1, 1)
LAST_DAY = date(INDEX_MAX_YEAR, 12, 31)
_BASE = FIRST_DAY.toordinal()


class OutOfRange(ValueError):
    """A date or result outside the supported calendar range."""


class DayKind(StrEnum):
    workday = "workday"
    weekend = "weekend"
    holiday = "holiday"
    adjusted_workday = "adjusted_workday"


@dataclass(frozen=True)
class Day:
    date: date
    working_day: bool
    kind: DayKind
    name: str | None
    provisional: bool


class Result(NamedTuple):
    """A computed date, and whether it depends on a year without a confirmed schedule."""

    date: date
    provisional: bool


class CalendarIndex:
    def __init__(self, schedules: Mapping[int, YearSchedule]) -> None:
        self.schedules = dict(schedules)
        self._days = LAST_DAY.toordinal() - _BASE + 1
        self._working = bytearray(self._days)
        # Plain lists: indexing them returns stored ints without boxing new ones.
        self._count: list[int] = [0] * self._days  # working days in [FIRST_DAY, day]
        self._workday_ordinals: list[int] = []
        running = 0
        for i in range(self._days):
            day = FIRST_DAY + timedelta(days=i)
            schedule = self.schedules[day.year]
            if day in schedule.holidays:
                working = False
            elif day in schedule.adjusted_workdays:
                working = True
            else:
                working = day.weekday() < 5
            if working:
                self._working[i] = 1
                self._workday_ordinals.append(_BASE + i)
                running += 1
            self._count[i] = running
        # Every possible answer of working_days_after, built once (k-th working day,
        # final or provisional), so a lookup allocates nothing: see benchmarks/.
        self._final = [Result(date.fromordinal(o), False) for o in self._workday_ordinals]
        self._provisional_results = [Result(r.date, True) for r in self._final]
        # _unconfirmed[k]: unconfirmed years among the first k years of the range.
        self._unconfirmed = [0]
        for year in range(MIN_YEAR, INDEX_MAX_YEAR + 1):
            self._unconfirmed.append(
                self._unconfirmed[-1] + (0 if self.schedules[year].confirmed else 1)
            )

    # --- helpers --------------------------------------------------------------------

    def _offset(self, day: date) -> int:
        offset = day.toordinal() - _BASE
        if not 0 <= offset < self._days:
            raise OutOfRange(f"{day} is outside {FIRST_DAY}..{LAST_DAY}")
        return offset

    def _provisional(self, first: date, last: date) -> bool:
        """Whether any year from first's to last's is unconfirmed."""
        return (
            self._unconfirmed[last.year - MIN_YEAR + 1] > self._unconfirmed[first.year - MIN_YEAR]
        )

    def _workday(self, ordinal_count: int) -> date:
        """The ordinal_count-th working day of the range (1-based)."""
        if not 1 <= ordinal_count <= len(self._workday_ordinals):
            raise OutOfRange(f"the result falls outside {FIRST_DAY}..{LAST_DAY}")
        return date.fromordinal(self._workday_ordinals[ordinal_count - 1])

    # --- queries --------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return bool(self._working[self._offset(day)])

    def day(self, day: date) -> Day:
        offset = self._offset(day)
        schedule = self.schedules[day.year]
        if day in schedule.holidays:
            kind, name = DayKind.holiday, schedule.holidays[day]
        elif day in schedule.adjusted_workdays:
            kind, name = DayKind.adjusted_workday, schedule.adjusted_workdays[day]
        else:
            kind, name = (DayKind.workday if day.weekday() < 5 else DayKind.weekend), None
        return Day(day, bool(self._working[offset]), kind, name, not schedule.confirmed)

    def working_days_after(self, start: date, n: int) -> Result:
        """The n-th working day after `start` (which itself does not count); n=0 is start.

        Written out flat: it is called for every deadline (see benchmarks/)."""
        if n < 0:
            raise ValueError("n must not be negative")
        offset = start.toordinal() - _BASE
        if not 0 <= offset < self._days:
            raise OutOfRange(f"{start} is outside {FIRST_DAY}..{LAST_DAY}")
        if n == 0:
            return Result(start, self._provisional(start, start))
        k = self._count[offset] + n
        if k > len(self._final):
            raise OutOfRange(f"the result falls outside {FIRST_DAY}..{LAST_DAY}")
        final = self._final[k - 1]
        unconfirmed = self._unconfirmed
        if unconfirmed[final.date.year - MIN_YEAR + 1] > unconfirmed[start.year - MIN_YEAR]:
            return self._provisional_results[k - 1]
        return final

    def next_working_day_on_or_after(self, day: date) -> Result:
        offset = self._offset(day)
        if self._working[offset]:
            return Result(day, self._provisional(day, day))
        result = self._workday(self._count[offset] + 1)
        return Result(result, self._provisional(day, result))

    def last_working_day_on_or_before(self, day: date) -> Result:
        offset = self._offset(day)
        result = self._workday(self._count[offset])
        return Result(result, self._provisional(result, day))

    def working_days_between(self, start: date, end: date) -> tuple[int, bool]:
        """Working days in (start, end]; negative when end is before start."""
        a, b = self._offset(start), self._offset(end)
        first, last = (start, end) if start <= end else (end, start)
        return self._count[b] - self._count[a], self._provisional(first, last)
