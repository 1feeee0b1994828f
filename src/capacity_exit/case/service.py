"""Cases: reading them with what the caller may do next, opening and editing drafts,
and a notice's correction carried into its case.

Taking a step is `steps`; content checks live in `checks`, the write-and-record path in
`history`.
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
from capacity_exit.case import checks, history, machine, payloads, repository
from capacity_exit.case.deadlines import (
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
from capacity_exit.case.schemas import CaseCreate, DraftEdit
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.etag import Precondition
from capacity_exit.enterprise import service as enterprises
from capacity_exit.inspection import repository as inspections
from capacity_exit.org.schemas import DepartmentKind


@dataclass(frozen=True)
class CaseView:
    case: Case
    allowed_actions: list[CaseAction]
    deadlines: list[Deadline]
    forced_exit_case_id: uuid.UUID | None


# --- reading ------------------------------------------------------------------------------


def not_party_reason(principal: Principal, case: Case, rule: Transition) -> str | None:
    """Why the caller's department may not take `rule` on this case, if it may not: the
    case is outside its jurisdiction, or it lacks the part in the case the row names
    (`parties`: the case's own department, or one the case involves)."""
    if not principal.can_write(case.jurisdiction_code):
        return f"Cases of {case.jurisdiction_code} are outside the jurisdiction you act in."
    parties = machine.party_departments(rule.parties, case.department_code, case.payload)
    if principal.department_code in parties:
        return None
    if rule.parties == (machine.Party.owner,):
        return f"Only {case.department_code}, whose case it is, may {rule.action} it."
    return f"Only a department involved in case {case.id} may {rule.action} it."


def allowed_actions(principal: Principal, case: Case) -> list[CaseAction]:
    """The actions the caller may take on the case now (payload and guards aside)."""
    category, state = case.category, case.status
    return [
        action
        for action in machine.allowed_actions(
            category, state, principal.roles, DepartmentKind(principal.department_kind)
        )
        if not_party_reason(principal, case, TRANSITIONS[(category, state, action)]) is None
    ]


async def _views(
    session: AsyncSession, principal: Principal, cases: Sequence[Case]
) -> list[CaseView]:
    index = await current_index(session)  # once per page, not once per row
    children = await repository.forced_exits_of(
        session, [c.id for c in cases if c.category == Category.rectification]
    )
    return [
        CaseView(c, allowed_actions(principal, c), case_deadlines(index, c), children.get(c.id))
        for c in cases
    ]


async def view(session: AsyncSession, principal: Principal, case: Case) -> CaseView:
    return (await _views(session, principal, [case]))[0]


async def readable(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> Case:
    """The case, if the caller may read it (404 otherwise)."""
    case = await repository.get_in_scope(session, case_id, principal.readable)
    if case is None:
        raise NotFound(f"No case {case_id}.")
    return case


async def get(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> CaseView:
    return await view(session, principal, await readable(session, principal, case_id))


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
    case = await readable(session, principal, case_id)
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
    content = payloads.stored_content(data.payload)
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
    return await view(session, principal, case)


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
    edit: DraftEdit,
) -> CaseView:
    """Change a draft's content (a merge: absent keeps, null clears). The edit names the
    case's category: another is 422 `category_mismatch`, after the 403, 409 and the
    If-Match checks, as any other problem of the body's content."""
    case = await readable(session, principal, case_id)
    _require_owner(principal, case)
    precondition.require()  # 428 before the state is judged (as steps.act)
    category = case.category
    if case.status != INITIAL_STATE[category]:
        raise Conflict(
            f"Case {case.id} is {case.status}: only a {INITIAL_STATE[category]} case is "
            "edited; a published one changes through its lifecycle's steps.",
            code="not_a_draft",
        )
    version = precondition.version_to_change(case.version)
    if edit.category != category:
        raise Unprocessable.at(
            "/category", f"case {case.id} is a {category} case", "category_mismatch"
        )
    changes = edit.changes()
    content = payloads.stored_content(
        payloads.validated_draft(category, {**case.payload, **changes})
    )
    checks.check_source_case(case, content)
    await checks.check_departments(session, content)
    if content == case.payload:
        return await view(session, principal, case)
    before = audit.snapshot(case)
    await history.update_at_version(
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
    return await view(session, principal, case)


async def carry_notice_correction(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    changes: Mapping[str, Any],
    reason: str,
) -> Case:
    """Carry a notice's correction into its case, so later steps, the overdue scan and
    the next notice use the corrected facts; recorded in the case's history."""
    case = await repository.get_in_scope(session, case_id, principal.readable)
    if case is None:
        raise NotFound(f"No case {case_id}.")
    category = case.category
    content = payloads.stored_content(
        payloads.validated_draft(category, {**case.payload, **changes})
    )
    # The correction's body holds the fields under `content`.
    await checks.check_corrected_dates(session, case, content, "/content")
    before = audit.snapshot(case)
    await history.update_at_version(
        session,
        case,
        case.version,
        {"payload": content, "completion_deadline": checks.deadline_of(category, content)},
    )
    await history.record(
        session,
        case,
        kind="corrected",
        audit_action="case.correct",
        before=before,
        from_state=case.status,
        reason=reason,
        changes=dict(changes),
    )
    return case
