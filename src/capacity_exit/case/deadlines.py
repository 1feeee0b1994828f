"""A case's legal deadlines, computed by the calendar rules from the dates it holds.

Pure: the case's dates in, the deadlines out. Computed on read from the current
calendar index, so a schedule loaded later moves a provisional due date everywhere at
once; whether a deadline was met on time is judged against the due date as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from capacity_exit.calendar import rules
from capacity_exit.calendar.index import CalendarIndex
from capacity_exit.case.machine import CaseState, Category, Purpose
from capacity_exit.case.models import Case

# The payload field holding the completion deadline the department set, per category.
COMPLETION_DEADLINE_FIELD: dict[Category, str] = {
    Category.illegal: "completion_deadline",
    Category.elimination: "completion_deadline",
    Category.rectification: "rectification_deadline",
}

# The states in which a case waits for the enterprise to finish by that deadline: the
# overdue scan looks only at cases in them (一(二): missed exit deadlines are pushed).
AWAITING_COMPLETION: dict[Category, CaseState] = {
    Category.illegal: CaseState.publicized,
    Category.elimination: CaseState.publicized,
    Category.rectification: CaseState.publicized,
}


@dataclass(frozen=True)
class Deadline:
    purpose: Purpose
    due: date
    provisional: bool
    met_on: date | None

    @property
    def on_time(self) -> bool | None:
        return None if self.met_on is None else self.met_on <= self.due


def _ten_working_days(
    index: CalendarIndex, purpose: Purpose, start: date | None, met_on: date | None
) -> list[Deadline]:
    if start is None:
        return []
    due = rules.working_days_after(index, start, rules.PUBLICITY_WORKING_DAYS)
    return [Deadline(purpose, due.date, due.provisional, met_on)]


def case_deadlines(index: CalendarIndex, case: Case) -> list[Deadline]:
    """The deadlines known so far, in the order the lifecycle meets them.

    * publicity: 10 working days after the inspection's completion (一(三));
    * completion: the deadline the department set (illegal, elimination, rectification);
    * announcement: 10 working days after acceptance (illegal, elimination), or after
      the government's decision (forced exit);
    * completion_announcement: 10 working days after a forced closure was accepted.
    """
    category = case.category
    found: list[Deadline] = []
    if category != Category.forced_exit:
        found += _ten_working_days(
            index, "publicity", case.publicity_clock_start, case.published_on
        )
    if case.completion_deadline is not None and category in COMPLETION_DEADLINE_FIELD:
        found.append(Deadline("completion", case.completion_deadline, False, case.completed_on))
    if category in (Category.illegal, Category.elimination):
        found += _ten_working_days(index, "announcement", case.accepted_on, case.announced_on)
    if category == Category.forced_exit:
        found += _ten_working_days(index, "announcement", case.decided_on, case.announced_on)
        found += _ten_working_days(
            index, "completion_announcement", case.accepted_on, case.completion_announced_on
        )
    return found
