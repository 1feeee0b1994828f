"""A report's due dates in working days, across a holiday, without HTTP or a database.

The expected dates were counted with the `chinese-calendar` package, independently of
our calendar index."""

from __future__ import annotations

from datetime import date

import pytest

from capacity_exit.calendar.index import CalendarIndex
from capacity_exit.calendar.service import build_index
from capacity_exit.report import deadlines


@pytest.fixture(scope="module")
def index() -> CalendarIndex:
    return build_index([])


@pytest.mark.seed("一(一)5")
def test_acceptance_across_national_day_counts_the_adjusted_saturday(index: CalendarIndex) -> None:
    # 2026-10-01..07 off; Saturday 10-10 is a working day (调休).
    assert deadlines.acceptance_due(index, date(2026, 9, 28), 5).date == date(2026, 10, 10)


@pytest.mark.seed("一(一)5")
def test_conclusion_across_the_spring_festival(index: CalendarIndex) -> None:
    assert deadlines.conclusion_due(index, date(2026, 2, 10), 30).date == date(2026, 3, 30)


def test_overdue_is_the_day_after_the_due_date() -> None:
    due = date(2026, 12, 7)
    assert not deadlines.overdue(due, None, due)
    assert deadlines.overdue(due, None, date(2026, 12, 8))
    assert not deadlines.overdue(due, date(2026, 12, 9), date(2026, 12, 10))
