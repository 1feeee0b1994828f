"""A report's two deadlines, in working days from the calendar (never `timedelta`).

* acceptance: `CAPEXIT_REPORT_ACCEPTANCE_WORKING_DAYS` (5) after the day it was
  received (the day itself does not count: the calendar's rule);
* conclusion: `CAPEXIT_REPORT_CONCLUSION_WORKING_DAYS` (30) after the day it was
  accepted.

The regulation states no number for either (一(一)5 only says reports are
investigated); the defaults are documented in docs/decisions.md. The due dates are
stored when the clock starts, so the overdue list is one query; a calendar correction
loaded later does not move a stored due date (the case deadlines, computed on read,
do): a report's deadline is a promise made to the reporter on that day.
"""

from __future__ import annotations

from datetime import date

from capacity_exit.calendar import rules
from capacity_exit.calendar.index import CalendarIndex, Result


def acceptance_due(index: CalendarIndex, received_on: date, working_days: int) -> Result:
    return rules.working_days_after(index, received_on, working_days)


def conclusion_due(index: CalendarIndex, accepted_on: date, working_days: int) -> Result:
    return rules.working_days_after(index, accepted_on, working_days)


def overdue(due: date | None, met_on: date | None, today: date) -> bool:
    """Past due and not met: the day after the due date, a deadline not met is overdue."""
    return due is not None and met_on is None and today > due


def answer_due(index: CalendarIndex, concluded_on: date, working_days: int) -> Result:
    """Until then the lead waits for the reporter's satisfaction answer before closing
    (`CAPEXIT_REPORT_ANSWER_WORKING_DAYS`, 10)."""
    return rules.working_days_after(index, concluded_on, working_days)
