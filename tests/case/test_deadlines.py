"""A case's deadlines from its dates, across holidays, without HTTP or a database.

The expected dates were counted with the `chinese-calendar` package, independently of
our calendar index."""

from __future__ import annotations

from datetime import date

import pytest

from capacity_exit.calendar.index import CalendarIndex
from capacity_exit.calendar.service import build_index
from capacity_exit.case.deadlines import case_deadlines
from capacity_exit.case.models import Case


@pytest.fixture(scope="module")
def index() -> CalendarIndex:
    return build_index([])  # the packaged official schedules


def _case(category: str, **dates: date | None) -> Case:
    return Case(category=category, status="draft", payload={}, **dates)


@pytest.mark.seed("一(三)")
@pytest.mark.parametrize(
    ("completed", "due"),
    [
        (date(2025, 9, 26), date(2025, 10, 16)),  # across National Day and Mid-Autumn 2025
        (date(2026, 2, 10), date(2026, 3, 2)),  # across the 2026 Spring Festival
        (date(2026, 4, 28), date(2026, 5, 14)),  # across Labour Day 2026
        (date(2025, 7, 1), date(2025, 7, 15)),  # no holiday: two weeks
    ],
)
def test_publicity_is_due_ten_working_days_after_the_inspection(
    index: CalendarIndex, completed: date, due: date
) -> None:
    [publicity] = case_deadlines(index, _case("illegal", publicity_clock_start=completed))
    assert (publicity.purpose, publicity.due, publicity.provisional) == ("publicity", due, False)
    assert publicity.met_on is None and publicity.on_time is None


@pytest.mark.seed("一(三)")
def test_on_time_is_judged_against_the_due_date(index: CalendarIndex) -> None:
    start = date(2025, 9, 26)
    on_due = _case("rectification", publicity_clock_start=start, published_on=date(2025, 10, 16))
    a_day_late = _case(
        "rectification", publicity_clock_start=start, published_on=date(2025, 10, 17)
    )
    assert case_deadlines(index, on_due)[0].on_time is True
    assert case_deadlines(index, a_day_late)[0].on_time is False


def test_an_illegal_case_has_publicity_completion_and_announcement(index: CalendarIndex) -> None:
    case = _case(
        "illegal",
        publicity_clock_start=date(2025, 9, 26),
        published_on=date(2025, 10, 10),
        completion_deadline=date(2026, 6, 30),
        completed_on=date(2026, 7, 2),
        accepted_on=date(2026, 9, 25),
    )
    found = {d.purpose: d for d in case_deadlines(index, case)}
    assert list(found) == ["publicity", "completion", "announcement"]
    assert found["completion"].on_time is False
    assert found["announcement"].due == date(2026, 10, 15)  # across National Day 2026


def test_a_forced_exit_is_announced_ten_working_days_after_the_decision(
    index: CalendarIndex,
) -> None:
    case = _case("forced_exit", decided_on=date(2026, 4, 20), accepted_on=date(2026, 6, 1))
    found = {d.purpose: d for d in case_deadlines(index, case)}
    assert list(found) == ["announcement", "completion_announcement"]
    assert found["announcement"].due == date(2026, 5, 7)  # across Labour Day
    assert found["completion_announcement"].due == date(2026, 6, 15)


def test_a_deadline_in_an_unpublished_year_is_provisional(index: CalendarIndex) -> None:
    [publicity] = case_deadlines(
        index, _case("compliant", publicity_clock_start=date(2026, 12, 28))
    )
    assert publicity.provisional is True
