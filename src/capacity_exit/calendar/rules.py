"""The deadline rules of the regulation, each named, all computed by the calendar index.

Nothing else computes a legal date: features call these (or the index's primitives
for a rule not listed here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from capacity_exit.calendar.index import CalendarIndex, Result

PUBLICITY_WORKING_DAYS = 10  # 一(三): publicity / announcement within 10 working days
NOTIFICATION_WORKING_DAYS = 15  # 二(一): notifications within 15 working days
STAGE_REPORT_MONTHS = (7, 10, 1)  # 三(三): early July, October and the following January


def working_days_after(index: CalendarIndex, start: date, n: int) -> Result:
    """The n-th working day after `start`; `start` itself does not count."""
    return index.working_days_after(start, n)


def next_working_day_on_or_after(index: CalendarIndex, day: date) -> Result:
    """A fixed date moved to the next working day when it is a rest day (顺延)."""
    return index.next_working_day_on_or_after(day)


@dataclass(frozen=True)
class Window:
    first: date
    last: date
    due: Result  # the window's last working day


def first_ten_days(index: CalendarIndex, year: int, month: int) -> Window:
    """上旬: days 1–10 of the month; due on the last working day in it."""
    first, last = date(year, month, 1), date(year, month, 10)
    due = index.last_working_day_on_or_before(last)
    if due.date < first:  # not possible with real schedules; guard against bad data
        raise ValueError(f"no working day in {first}..{last}")
    return Window(first, last, due)


def working_days_between(index: CalendarIndex, start: date, end: date) -> tuple[int, bool]:
    """Working days in (start, end]: how late something is when end is past its due date."""
    return index.working_days_between(start, end)


def publicity_due(index: CalendarIndex, inspection_completed: date) -> Result:
    return working_days_after(index, inspection_completed, PUBLICITY_WORKING_DAYS)


def notification_due(index: CalendarIndex, stage_completed: date) -> Result:
    return working_days_after(index, stage_completed, NOTIFICATION_WORKING_DAYS)


def annual_summary_due(index: CalendarIndex, year: int) -> Result:
    """三(二): the annual work summary is due by 15 December (顺延)."""
    return next_working_day_on_or_after(index, date(year, 12, 15))


def unfinished_items_due(index: CalendarIndex, year: int) -> Result:
    """三(二): progress on `year`'s unfinished items is due by 10 January of the next year."""
    return next_working_day_on_or_after(index, date(year + 1, 1, 10))


def stage_report_windows(index: CalendarIndex, year: int) -> list[Window]:
    """三(三): the stage reports for `year`: early July, early October, early next January."""
    return [
        first_ten_days(index, year + (1 if month == 1 else 0), month)
        for month in STAGE_REPORT_MONTHS
    ]
