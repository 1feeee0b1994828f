"""Cases: drafting, taking the lifecycle's steps, following deadlines and overdue.

The transition table (`machine`) says what a step needs; this module supplies what the
table leaves to it: whose case it is, what the stored draft already holds, the named
guards, the dates a step meets and the follow-up a step causes. Content checks live in
`checks`, the write-and-record path in `history`, and what other steps and jobs do to a
case (escalation, corrections, the overdue scan) in `followups`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.calendar.service import current_index
from capacity_exit.case import checks, followups, history, machine, payloads, repository
from capacity_exit.case.deadlines import (
    AWAITING_COMPLETION,
    Deadline,
    case_deadlines,
)
from capacity_exit.case.machine import (
    INITIAL_STATE,
    OWNER_KINDS,
    TRANSITIONS,
    CaseAction,
    CaseState,
    Category,
    Transition,
)
from capacity_exit.case.models import Case, CaseEvent
from capacity_exit.case.schemas import CaseCreate, CaseTransitionRequest
from capacity_exit.core import clock
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.etag import Precondition
from capacity_exit.core.problems import FieldProblem
from capacity_exit.credit import triggers as credit
from capacity_exit.disclosure import service as disclosures
from capacity_exit.enterprise import service as enterprises
from capacity_exit.inspection import repository as inspections
from capacity_exit.org.schemas import DepartmentKind

# The date a step meets, and where it comes from: a payload field the request carries,
# or (None) the day the step is taken.
MILESTONES: dict[CaseAction, tuple[str, str | None]] = {
    CaseAction.publish: ("published_on", None),
    CaseAction.report_completion: ("completed_on", "completion_date"),
    CaseAction.report_rectification: ("completed_on", "rectification_date"),
    CaseAction.report_closure: ("completed_on", "closure_date"),
    CaseAction.accept: ("accepted_on", "acceptance_date"),
    CaseAction.decide: ("decided_on", "decision_date"),
    CaseAction.announce: ("announced_on", None),
    CaseAction.announce_completion: ("completion_announced_on", None),
}
CLOSING_ACTIONS = frozenset({CaseAction.withdraw, CaseAction.revoke})


@dataclass(frozen=True)
class CaseView:
    case: Case
    allowed_actions: list[CaseAction]
    deadlines: list[Deadline]
    forced_exit_case_id: uuid.UUID | None


# --- reading ------------------------------------------------------------------------------


def _not_owner_reason(principal: Principal, case: Case, rule: Transition) -> str | None:
    """Why the caller's department may not take `rule` on this case, if it may not."""
    if not principal.can_write(case.jurisdiction_code):
        return f"Cases of {case.jurisdiction_code} are outside the jurisdiction you act in."
    if rule.department_kinds is None:  # e.g. a closure, recorded by any involved department
        involved = {case.department_code, *case.payload.get("involved_departments", [])}
        if principal.department_code not in involved:
            return f"Only a department involved in case {case.id} may {rule.action} it."
    elif principal.department_code != case.department_code:
        return f"Only {case.department_code}, whose case it is, may {rule.action} it."
    return None


def _allowed(principal: Principal, case: Case) -> list[CaseAction]:
    category, state = case.category, case.status
    return [
        action
        for action in machine.allowed_actions(
            category, state, principal.roles, DepartmentKind(principal.department_kind)
        )
        if _not_owner_reason(principal, case, TRANSITIONS[(category, state, action)]) is None
    ]


async def _views(
    session: AsyncSession, principal: Principal, cases: Sequence[Case]
) -> list[CaseView]:
    index = await current_index(session)  # once per page, not once per row
    children = await repository.forced_exits_of(
        session, [c.id for c in cases if c.category == Category.rectification]
    )
    return [
        CaseView(c, _allowed(principal, c), case_deadlines(index, c), children.get(c.id))
        for c in cases
    ]


async def _view(session: AsyncSession, principal: Principal, case: Case) -> CaseView:
    return (await _views(session, principal, [case]))[0]


async def _get(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Case:
    case = await repository.get_in_scope(session, case_id, principal.readable)
    if case is None:
        raise NotFound(f"No case {case_id}.")
    return case


async def get(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> CaseView:
    return await _view(session, principal, await _get(session, principal, case_id))


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    after: uuid.UUID | None,
    category: Category | None,
    status: CaseState | None,
    jurisdiction: str | None,
    department: str | None,
    enterprise_id: uuid.UUID | None,
    overdue: bool | None,
    due_before: dt.date | None,
) -> list[CaseView]:
    rows = await repository.list_in_scope(
        session,
        principal.readable,
        limit=limit,
        after=after,
        category=category.value if category else None,
        status=status.value if status else None,
        jurisdiction=jurisdiction,
        department=department,
        enterprise_id=enterprise_id,
        overdue=overdue,
        due_before=due_before,
    )
    return await _views(session, principal, rows)


async def events_page(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    after: int | None,
    limit: int,
) -> Sequence[CaseEvent]:
    case = await _get(session, principal, case_id)
    return await repository.events_of(session, case.id, after=after, limit=limit)


async def create(session: AsyncSession, principal: Principal, data: CaseCreate) -> CaseView:
    category = Category(data.category)
    enterprise = await enterprises.referenced(session, principal, data.enterprise_id)
    inspection = await inspections.get_in_scope(session, data.inspection_id, principal.readable)
    if inspection is None:
        raise NotFound.referenced("inspection_id", "inspection", data.inspection_id)
    if inspection.enterprise_id != enterprise.id:
        raise Unprocessable.at(
            "/inspection_id", "an inspection of another enterprise", "inspection_mismatch"
        )
    if not principal.can_write(enterprise.jurisdiction_code):
        raise Forbidden(
            f"Cases about enterprises of {enterprise.jurisdiction_code} are recorded by that "
            "jurisdiction's departments.",
            code="out_of_scope",
        )
    if principal.department_kind not in OWNER_KINDS[category]:
        kinds = ", ".join(sorted(OWNER_KINDS[category]))
        raise Forbidden(
            f"A {principal.department_kind} department does not open {category} cases "
            f"(allowed: {kinds}).",
            code="action_forbidden",
        )
    content = checks.stored(data.payload)
    await checks.check_departments(session, content)
    case = Case(
        category=category,
        status=INITIAL_STATE[category],
        enterprise_id=enterprise.id,
        jurisdiction_code=enterprise.jurisdiction_code,
        department_code=principal.department_code,
        inspection_id=inspection.id,
        payload=content,
        completion_deadline=checks.deadline_of(category, content),
        publicity_clock_start=inspection.completed_on,
    )
    await repository.add(session, case)
    await history.record(
        session, case, kind="created", audit_action="case.create", before=None, changes=content
    )
    return await _view(session, principal, case)


def _require_owner(principal: Principal, case: Case) -> None:
    if not principal.can_write(case.jurisdiction_code):
        raise Forbidden(
            f"Cases of {case.jurisdiction_code} are outside the jurisdiction you act in.",
            code="out_of_scope",
        )
    if principal.department_code != case.department_code:
        raise Forbidden(
            f"Only {case.department_code}, whose case it is, edits it.", code="not_case_owner"
        )


async def edit_draft(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    precondition: Precondition,
    changes: Mapping[str, Any],
) -> CaseView:
    """Change a draft's content (a merge: absent keeps, null clears)."""
    case = await _get(session, principal, case_id)
    _require_owner(principal, case)
    category = case.category
    if case.status != INITIAL_STATE[category]:
        raise Conflict(
            f"Case {case.id} is {case.status}: only a {INITIAL_STATE[category]} case is "
            "edited; a published one changes through its lifecycle's steps.",
            code="not_a_draft",
        )
    version = precondition.version_to_change(case.version)
    content = checks.stored(payloads.validated_draft(category, {**case.payload, **changes}))
    checks.check_source_case(case, content)
    await checks.check_departments(session, content)
    if content == case.payload:
        return await _view(session, principal, case)
    before = audit.snapshot(case)
    await history.update(
        session,
        case,
        version,
        {"payload": content, "completion_deadline": checks.deadline_of(category, content)},
    )
    await history.record(
        session,
        case,
        kind="edited",
        audit_action="case.edit",
        before=before,
        from_state=case.status,
        changes=dict(changes),
    )
    return await _view(session, principal, case)


async def act(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    precondition: Precondition,
    request: CaseTransitionRequest,
    batch_id: uuid.UUID | None = None,
) -> CaseView:
    """Take one step of the case's lifecycle; 409, 403 or 422 when it may not be taken.

    `batch_id`: the concentrated publication (集中公示) the step's notice belongs to."""
    case = await _get(session, principal, case_id)
    category, state, action = case.category, case.status, request.action
    rule = TRANSITIONS.get((category, state, action))
    if rule is None:  # the state answers first, whatever the body holds
        raise machine.InvalidTransition(category, state, action)
    if (reason := _not_owner_reason(principal, case, rule)) is not None:
        raise machine.ActionForbidden(reason)
    # The table's order: the caller (403) before anything about the payload (422).
    machine.check_caller(rule, principal.roles, DepartmentKind(principal.department_kind))
    fields = dict(request.model_extra or {})
    draft = payloads.validated_draft(category, {**case.payload, **fields})
    content = checks.stored(draft)
    rule = machine.transition(
        category,
        state,
        action,
        roles=principal.roles,
        department_kind=DepartmentKind(principal.department_kind),
        payload={**content, "reason": request.reason},
        guards_passed=checks.guards(case, content, clock.business_today()),
        request_fields={*fields, *(["reason"] if request.reason else [])},
        nested_missing=checks.nested_missing(category, draft),
    )
    if state != INITIAL_STATE[category]:
        # Past the draft the content is settled (published, or confirmed for publication):
        # a step records only its own fresh fields; corrections go through the notice.
        extra = sorted(set(fields) - set(rule.fresh_fields))
        if extra:
            raise Unprocessable(
                f"{action} does not record these fields.",
                code="field_not_recorded_by_action",
                errors=[
                    FieldProblem(
                        pointer=f"/{name}",
                        detail=f"not recorded by {action}",
                        code="field_not_recorded_by_action",
                    )
                    for name in extra
                ],
            )
    checks.check_findings(action, fields)
    if request.publicity_working_days is not None and action != CaseAction.publish:
        raise Unprocessable.at(
            "/publicity_working_days", "only a publication has a publicity period", "not_publish"
        )
    today = clock.business_today()
    checks.check_fact_dates({k: content.get(k) for k in fields}, today)
    await checks.check_timeline(session, case, action, content)
    checks.check_deadline_ahead(category, rule.next_state, content, today)
    checks.check_source_case(case, content)
    await checks.check_departments(session, content)
    version = precondition.version_to_change(case.version)
    before = audit.snapshot(case)
    await history.update(session, case, version, _step_values(case, rule, content, request, today))
    pushes = await credit.after_step(session, case, rule, today)
    await history.record(
        session,
        case,
        kind="action",
        audit_action=f"case.{action}",
        before=before,
        action=action,
        from_state=state,
        reason=request.reason,
        changes={**fields, **credit.noted(pushes)},
    )
    if machine.OPEN_FORCED_EXIT in rule.effects:
        await followups.open_forced_exit(session, case, action)
    if action in CLOSING_ACTIONS:
        await disclosures.withdraw_for_case(session, case, request.reason or "")
    await disclosures.publish_for_step(
        session,
        case,
        action,
        await current_index(session),
        batch_id=batch_id,
        period_working_days=request.publicity_working_days,
    )
    return await _view(session, principal, case)


def _step_values(
    case: Case,
    rule: Transition,
    content: dict[str, Any],
    request: CaseTransitionRequest,
    today: dt.date,
) -> dict[str, Any]:
    category = case.category
    values: dict[str, Any] = {
        "status": rule.next_state,
        "payload": content,
        "completion_deadline": checks.deadline_of(category, content),
    }
    if rule.action in MILESTONES:
        column, source = MILESTONES[rule.action]
        values[column] = today if source is None else dt.date.fromisoformat(content[source])
    if rule.action == CaseAction.reject_acceptance:
        values["completed_on"] = None  # the next report meets the new deadline
    if rule.action in CLOSING_ACTIONS:
        values["closing_reason"] = request.reason
    waits = AWAITING_COMPLETION.get(category) == rule.next_state
    if not waits or rule.action == CaseAction.reject_acceptance:  # done, or a new deadline
        # No longer overdue; `overdue_since` stays as the record that it once was.
        values["overdue"] = False
    return values
