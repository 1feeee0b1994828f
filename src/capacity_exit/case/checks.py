"""What a case's content must satisfy beyond its schema: departments that exist, dates
not in the future and in the order of the case's own timeline (`timeline`), nested
completeness, findings that agree with the step, and the completion deadline it sets.
The named guards are in `guards`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case import machine, payloads, repository, timeline
from capacity_exit.case.deadlines import AWAITING_COMPLETION, COMPLETION_DEADLINE_FIELD
from capacity_exit.case.machine import CaseAction, CaseState, Category
from capacity_exit.case.models import Case
from capacity_exit.case.timeline import Milestone
from capacity_exit.core import clock
from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.problems import FieldProblem
from capacity_exit.inspection import repository as inspections
from capacity_exit.org import repository as org


def _department_fields(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every department code in the content, with its pointer."""
    found = [
        (f"/{field}/{i}", code)
        for field in ("responsible_departments", "involved_departments")
        for i, code in enumerate(content.get(field) or [])
    ]
    found += [
        (f"/confirmations/{i}/department", item["department"])
        for i, item in enumerate(content.get("confirmations") or [])
        if item.get("department")
    ]
    return found


async def check_departments(session: AsyncSession, content: Mapping[str, Any]) -> None:
    problems = [
        FieldProblem(pointer=pointer, detail=f"no department {code}", code="unknown_department")
        for pointer, code in _department_fields(content)
        if await org.get_department(session, code) is None
    ]
    if problems:
        raise Unprocessable("The case names unknown departments.", errors=problems)


def check_fact_dates(fields: Mapping[str, Any], today: dt.date, prefix: str = "") -> None:
    """A date the step records as having happened cannot be in the future. `prefix`:
    where the fields are in the request body (a correction's `/content`)."""
    problems = [
        FieldProblem(pointer=f"{prefix}/{name}", detail="cannot be in the future", code="in_future")
        for name in payloads.FACT_DATES
        if isinstance(fields.get(name), str) and dt.date.fromisoformat(fields[name]) > today
    ]
    if problems:
        raise Unprocessable("A recorded date lies in the future.", errors=problems)


async def milestones(
    session: AsyncSession, case: Case, wanted: set[Milestone]
) -> dict[Milestone, dt.date | None]:
    """The days of the case's timeline so far (None: not reached); the inspection and the
    latest rejection are read only when `wanted`."""
    found: dict[Milestone, dt.date | None] = {
        Milestone.opened: clock.as_utc(case.created_at).astimezone(clock.BUSINESS_TZ).date(),
        Milestone.publication: case.published_on,
        # Kept once the mark clears: the record that the deadline was missed by then.
        Milestone.overdue_mark: case.overdue_since,
        Milestone.report: case.completed_on,
        Milestone.decision: case.decided_on,
    }
    if Milestone.inspection in wanted:
        found[Milestone.inspection] = case.publicity_clock_start
        if found[Milestone.inspection] is None and case.inspection_id is not None:
            cited = await inspections.get_in_scope(
                session, case.inspection_id, (case.jurisdiction_code,)
            )  # a forced exit keeps no publicity clock, but cites the inspection
            found[Milestone.inspection] = cited.completed_on if cited is not None else None
    if Milestone.rejection in wanted:
        found[Milestone.rejection] = await repository.last_step_day(
            session, case.id, machine.CaseAction.reject_acceptance
        )
    return found


def _raise_before_timeline(problems: list[FieldProblem]) -> None:
    if problems:
        pointers = ", ".join(p.pointer or "" for p in problems)
        raise Unprocessable(
            f"Dated before the case's own timeline: {pointers}.",
            code=timeline.BEFORE_TIMELINE,
            errors=problems,
        )


async def check_timeline(
    session: AsyncSession, case: Case, action: CaseAction, content: Mapping[str, Any]
) -> None:
    """The dates `action` records (in `content`, the case as it would be after the step)
    follow the case's timeline (`timeline.TIMELINE`): 422 `before_timeline` otherwise."""
    rules = timeline.TIMELINE.get(action, ())
    if rules:
        found = await milestones(session, case, timeline.needed(rules))
        _raise_before_timeline(timeline.violations(rules, content, found))


async def check_corrected_dates(
    session: AsyncSession, case: Case, content: Mapping[str, Any], prefix: str
) -> None:
    """A correction's dates (`content`: the case's content as corrected) keep to the rules
    of the steps that recorded them: not in the future, not before the timeline, measured
    against the corrected dates where it moves a milestone (a corrected completion for
    the acceptance). `prefix`: where the content is in the request body."""
    category = case.category
    changed = {name for name, value in content.items() if case.payload.get(name) != value}
    check_fact_dates({name: content.get(name) for name in changed}, clock.business_today(), prefix)
    rules = timeline.correction_rules(category, changed)
    if not rules:
        return
    found = await milestones(session, case, timeline.needed(rules))
    for milestone, field in timeline.MILESTONE_FIELDS[category].items():
        if field in changed and isinstance(content.get(field), str):
            found[milestone] = dt.date.fromisoformat(content[field])
    problems = timeline.violations(rules, content, found)
    _raise_before_timeline(
        [p.model_copy(update={"pointer": f"{prefix}{p.pointer or ''}"}) for p in problems]
    )


def check_deadline_ahead(
    category: Category, next_state: CaseState, content: Mapping[str, Any], today: dt.date
) -> None:
    """A step that starts the wait for the enterprise (a publication, a rejected acceptance)
    sets a completion deadline after today: a deadline already passed would make the case
    overdue the moment it is published, before the enterprise was told (decisions.md)."""
    if AWAITING_COMPLETION.get(category) != next_state:
        return
    field = COMPLETION_DEADLINE_FIELD[category]
    deadline = deadline_of(category, content)
    if deadline is None or deadline <= today:
        raise Unprocessable.at(
            f"/{field}",
            f"the deadline must lie after today ({today.isoformat()})",
            "deadline_passed",
        )


def nested_missing(category: Category, draft: BaseModel) -> Any:
    def missing(required: tuple[str, ...]) -> list[str]:
        fields = tuple(f for f in required if f in payloads.DRAFT_MODELS[category].model_fields)
        return [
            (p.pointer or "")[1:]
            for p in payloads.missing_fields(category, draft, fields)
            if (p.pointer or "").count("/") > 1
        ]

    return missing


def check_findings(action: CaseAction, fields: Mapping[str, Any]) -> None:
    """A re-inspection's findings must agree with the step that records them."""
    findings = fields.get("findings") or []
    failing = [f for f in findings if isinstance(f, dict) and not f.get("compliant")]
    if action == CaseAction.record_reinspection_pass and failing:
        raise Unprocessable.at(
            "/findings", "a passed re-inspection cannot list failing items", "findings_fail"
        )
    if action == CaseAction.record_reinspection_fail and not failing:
        raise Unprocessable.at(
            "/findings", "a failed re-inspection lists the items still failing", "findings_pass"
        )


def deadline_of(category: Category, content: Mapping[str, Any]) -> dt.date | None:
    field = COMPLETION_DEADLINE_FIELD.get(category)
    value = content.get(field) if field else None
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def check_source_case(case: Case, content: Mapping[str, Any]) -> None:
    """A forced exit comes from the rectification case that opened it (`parent_case_id`):
    its content cannot cite another case, of its county or another (a 422 whatever the
    cited id names, so it tells nothing of other counties' cases)."""
    if case.category != Category.forced_exit:
        return
    if content.get("rectification_case_id") != str(case.parent_case_id):
        raise Unprocessable.at(
            "/rectification_case_id",
            f"a forced exit comes from the rectification case that opened it "
            f"({case.parent_case_id})",
            "not_the_source_case",
        )
