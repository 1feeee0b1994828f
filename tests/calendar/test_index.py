"""The working-day calendar and the deadline rules, called directly."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity_exit.calendar import rules
from capacity_exit.calendar.index import CalendarIndex, DayKind
from capacity_exit.calendar.models import CalendarYear
from capacity_exit.calendar.service import build_index

pytestmark = pytest.mark.seed("一(三)")


def test_every_day_2019_2026_matches_the_independent_oracle(index: CalendarIndex) -> None:
    day = date(2019, 1, 1)
    mismatches = []
    while day <= date(2026, 12, 31):
        if index.is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


def test_national_day_2025(index: CalendarIndex) -> None:
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) were worked; 1–8 October off.
    result = rules.working_days_after(index, date(2025, 9, 26), 10)
    assert result.date == date(2025, 10, 16)
    assert result.provisional is False
    assert index.day(date(2025, 9, 28)).kind == DayKind.adjusted_workday
    assert index.day(date(2025, 10, 1)).kind == DayKind.holiday
    assert index.day(date(2025, 10, 1)).name == "国庆节"
    assert index.day(date(2025, 10, 12)).kind == DayKind.weekend


def test_the_start_day_itself_never_counts(index: CalendarIndex) -> None:
    # Friday 2025-03-07: one working day after is Monday the 10th.
    assert index.working_days_after(date(2025, 3, 7), 1).date == date(2025, 3, 10)
    # Saturday start: the first working day after is Monday.
    assert index.working_days_after(date(2025, 3, 8), 1).date == date(2025, 3, 10)
    assert index.working_days_after(date(2025, 3, 8), 0).date == date(2025, 3, 8)


def test_years_without_a_confirmed_schedule_are_provisional(index: CalendarIndex) -> None:
    assert index.working_days_after(date(2026, 12, 1), 5).provisional is False
    reaching = index.working_days_after(date(2026, 12, 25), 10)
    assert reaching.date.year == 2027 and reaching.provisional is True
    assert index.day(date(2027, 3, 1)).provisional is True
    assert index.day(date(2018, 3, 1)).provisional is True


@pytest.mark.seed("三(二)")
def test_fixed_dates_move_only_off_rest_days(index: CalendarIndex) -> None:
    # 15 Dec 2024 was a Sunday: due Monday the 16th. 15 Dec 2025 is a Monday: unchanged.
    assert rules.annual_summary_due(index, 2024).date == date(2024, 12, 16)
    assert rules.annual_summary_due(index, 2025).date == date(2025, 12, 15)
    # 10 Jan 2026 is a Saturday: the unfinished-items report for 2025 is due Monday the 12th.
    assert rules.unfinished_items_due(index, 2025).date == date(2026, 1, 12)
    assert rules.unfinished_items_due(index, 2026).provisional is True


@pytest.mark.seed("三(三)")
def test_stage_report_windows_fall_due_on_their_last_working_day(index: CalendarIndex) -> None:
    july, october, january = rules.stage_report_windows(index, 2025)
    assert (july.first, july.last, july.due.date) == (
        date(2025, 7, 1),
        date(2025, 7, 10),
        date(2025, 7, 10),
    )
    # 1–8 October 2025 off, the 9th and 10th worked.
    assert october.due.date == date(2025, 10, 10)
    # 10 Jan 2026 is a Saturday: due Friday the 9th.
    assert january.first == date(2026, 1, 1) and january.due.date == date(2026, 1, 9)


def test_working_days_between_counts_lateness(index: CalendarIndex) -> None:
    due = date(2025, 10, 16)
    assert rules.working_days_between(index, due, date(2025, 10, 17)) == (1, False)
    assert rules.working_days_between(index, due, date(2025, 10, 20)) == (2, False)
    assert rules.working_days_between(index, date(2025, 9, 30), date(2025, 10, 8)) == (0, False)
    assert rules.working_days_between(index, date(2025, 10, 20), due)[0] == -2


@pytest.mark.seed("二(一)1")
def test_notification_rule_is_fifteen_working_days(index: CalendarIndex) -> None:
    assert rules.notification_due(index, date(2025, 9, 26)).date == date(2025, 10, 23)


_starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
_counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=300, deadline=None)
@given(start=_starts, n=st.integers(min_value=1, max_value=400))
def test_deadline_is_a_working_day_with_exactly_n_working_days_before_it(
    index: CalendarIndex, start: date, n: int
) -> None:
    deadline = index.working_days_after(start, n).date
    assert index.is_working_day(deadline)
    counted, day = 0, start
    while day < deadline:
        day += timedelta(days=1)
        counted += index.is_working_day(day)
    assert counted == n


@settings(max_examples=300, deadline=None)
@given(start=_starts, later=st.integers(min_value=0, max_value=60), n=_counts, more=_counts)
def test_deadlines_never_decrease(
    index: CalendarIndex, start: date, later: int, n: int, more: int
) -> None:
    base = index.working_days_after(start, n).date
    assert index.working_days_after(start + timedelta(days=later), n).date >= base
    assert index.working_days_after(start, n + more).date >= base


@settings(max_examples=200, deadline=None)
@given(day=_starts)
def test_next_working_day_is_the_first_working_day_not_before(
    index: CalendarIndex, day: date
) -> None:
    result = index.next_working_day_on_or_after(day).date
    assert result >= day and index.is_working_day(result)
    assert all(
        not index.is_working_day(day + timedelta(days=i)) for i in range((result - day).days)
    )


def test_largest_accepted_request_still_has_an_answer(index: CalendarIndex) -> None:
    assert index.working_days_after(date(2100, 12, 31), 3650).date.year <= 2116


def test_a_loaded_year_moves_provisional_deadlines_and_only_them(index: CalendarIndex) -> None:
    """Deadlines are computed on read from the index in force (decisions.md), so loading a
    year's schedule moves every provisional deadline that reaches into it, and no other."""
    loaded = build_index(
        [
            CalendarYear(
                year=2027,
                notice="测试通知〔2027〕1号",
                holidays=[
                    {"date": "2027-01-01", "name": "元旦"},
                    {"date": "2027-01-04", "name": "元旦"},
                    {"date": "2027-01-05", "name": "元旦"},
                ],
                adjusted_workdays=[{"date": "2027-01-09", "name": "元旦调休上班"}],
                version=1,
            )
        ]
    )
    into_2027, settled = (date(2026, 12, 31), 3), (date(2025, 9, 26), 10)
    assert rules.working_days_after(index, *into_2027) == (date(2027, 1, 6), True)
    assert rules.working_days_after(loaded, *into_2027) == (date(2027, 1, 8), False)
    assert rules.working_days_after(index, *settled) == (date(2025, 10, 16), False)
    assert rules.working_days_after(loaded, *settled) == (date(2025, 10, 16), False)
