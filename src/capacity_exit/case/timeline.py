"""A case's dates follow its own timeline (api-conventions.md, "Dates").

No step is dated before the inspection the case cites, its publication or the step it
follows, and an overdue mark is never cleared by a date before the day it was set: on
that day the record says the enterprise had not finished, so a completion dated earlier
(a correction included) would rewrite it.
`TIMELINE` is the table: for each action, each date the step records and the milestones
it must not precede. A milestone the case has not reached (None) constrains nothing.

Pure domain: the milestones come in as dates (`checks.check_timeline` reads them from
the case); each violation is a problem `before_timeline` pointing at the date, naming
the latest milestone it precedes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from capacity_exit.case.machine import CaseAction, Category, lifecycle
from capacity_exit.core.problems import FieldProblem

BEFORE_TIMELINE = "before_timeline"


class Milestone(StrEnum):
    inspection = "inspection"  # the cited inspection's completion (its `completed_on`)
    opened = "opened"  # the day the case was opened (a forced exit: by its escalation)
    publication = "publication"  # `published_on`
    rejection = "rejection"  # the latest rejected acceptance (its history event)
    overdue_mark = "overdue_mark"  # `overdue_since`: the day the scan marked it overdue
    report = "report"  # `completed_on`: the completion, rectification or closure reported
    decision = "decision"  # `decided_on`: a forced exit's decision


LABELS: dict[Milestone, str] = {
    Milestone.inspection: "the inspection's completion",
    Milestone.opened: "the opening of the case",
    Milestone.publication: "the publication",
    Milestone.rejection: "the rejected acceptance",
    Milestone.overdue_mark: "the day the case was marked overdue",
    Milestone.report: "the reported completion",
    Milestone.decision: "the decision",
}


@dataclass(frozen=True, slots=True)
class NotBefore:
    """The payload date `field` (`list/*/sub`: that date in each item of the list) is
    not earlier than any of `milestones`."""

    field: str
    milestones: tuple[Milestone, ...]


M, A = Milestone, CaseAction
_REINSPECTION = NotBefore("reinspection_date", (M.inspection, M.publication, M.report))

TIMELINE: dict[CaseAction, tuple[NotBefore, ...]] = {
    # 一(一)5: a compliant enterprise is confirmed on what the inspection found.
    A.confirm: (NotBefore("confirmations/*/confirmed_on", (M.inspection,)),),
    # Completion ends the wait the publication started: it cannot precede it, nor a
    # rejection that reopened the wait, nor the day the scan found it overdue.
    A.report_completion: (
        NotBefore("completion_date", (M.inspection, M.publication, M.rejection, M.overdue_mark)),
    ),
    A.report_rectification: (
        NotBefore("rectification_date", (M.inspection, M.publication, M.overdue_mark)),
    ),
    A.record_reinspection_pass: (_REINSPECTION,),
    A.record_reinspection_fail: (_REINSPECTION,),
    A.record_refusal: (NotBefore("refusal_date", (M.inspection, M.publication, M.report)),),
    # A forced exit's decision is taken on the proposal the escalation opened.
    A.decide: (NotBefore("decision_date", (M.inspection, M.opened)),),
    A.report_closure: (NotBefore("closure_date", (M.inspection, M.decision)),),
    # The acceptance (属地验收) checks a completion or closure already reported.
    A.accept: (NotBefore("acceptance_date", (M.inspection, M.report)),),
}


def _by_field() -> dict[str, NotBefore]:
    found: dict[str, NotBefore] = {}
    for rules in TIMELINE.values():
        for rule in rules:
            known = found.get(rule.field)
            milestones = (*known.milestones, *rule.milestones) if known else rule.milestones
            found[rule.field] = NotBefore(rule.field, tuple(dict.fromkeys(milestones)))
    return found


# Each date with everything the steps that record it hold it to: what a correction of
# the date in a notice must keep to as well.
FIELD_RULES: dict[str, NotBefore] = _by_field()

# The payload date a milestone column copies, per category, read off the transition
# table's `milestone`s: a correction of the date moves the milestone for the dates
# measured against it.
_COLUMNS = {"completed_on": M.report, "decided_on": M.decision}
MILESTONE_FIELDS: dict[Category, dict[Milestone, str]] = {
    category: {
        _COLUMNS[rule.milestone.column]: rule.milestone.source
        for rule in lifecycle(category)
        if rule.milestone is not None
        and rule.milestone.source is not None
        and rule.milestone.column in _COLUMNS
    }
    for category in Category
}


def needed(rules: tuple[NotBefore, ...]) -> set[Milestone]:
    return {m for rule in rules for m in rule.milestones}


def _dates(content: Mapping[str, Any], field: str) -> Iterator[tuple[str, dt.date]]:
    """Each date at `field` in the content, with its pointer; what is not a date written
    YYYY-MM-DD is the schema's business, not the timeline's."""
    top, _, sub = field.partition("/*/")
    value = content.get(top)
    found = (
        [(f"/{top}/{i}/{sub}", item.get(sub)) for i, item in enumerate(value)]
        if sub and isinstance(value, list)
        else [(f"/{top}", value)]
        if not sub
        else []
    )
    for pointer, text in found:
        if isinstance(text, str):
            try:
                yield pointer, dt.date.fromisoformat(text)
            except ValueError:
                continue


def violations(
    rules: tuple[NotBefore, ...],
    content: Mapping[str, Any],
    milestones: Mapping[Milestone, dt.date | None],
) -> list[FieldProblem]:
    """A problem for each date of the content that precedes a milestone of its rule,
    naming the latest one it precedes."""
    problems = []
    for rule in rules:
        for pointer, day in _dates(content, rule.field):
            passed = [
                (at, m)
                for m in rule.milestones
                if (at := milestones.get(m)) is not None and day < at
            ]
            if passed:
                at, milestone = max(passed, key=lambda found: found[0])
                problems.append(
                    FieldProblem(
                        pointer=pointer,
                        detail=f"must not precede {LABELS[milestone]} ({at.isoformat()})",
                        code=BEFORE_TIMELINE,
                    )
                )
    return problems


def correction_rules(category: Category, changed: set[str]) -> tuple[NotBefore, ...]:
    """The rules a correction changing `changed` must keep: those of a changed date, and
    those measured against a milestone whose date it changes."""
    moved = {m for m, field in MILESTONE_FIELDS[category].items() if field in changed}
    return tuple(
        rule
        for rule in FIELD_RULES.values()
        if rule.field.partition("/")[0] in changed or moved & set(rule.milestones)
    )
