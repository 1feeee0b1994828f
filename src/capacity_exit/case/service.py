"""Cases: drafting, taking the lifecycle's steps, following deadlines and overdue.

The transition table (`machine`) says what a step needs; this module supplies what the
table leaves to it: whose case it is, what the stored draft already holds, the named
guards, the dates a step meets, the follow-up a step causes (escalation opens a forced
exit), and the history and audit of every change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.calendar.service import current_index
from capacity_exit.case import machine, payloads, repository
from capacity_exit.case.deadlines import (
    AWAITING_COMPLETION,
    COMPLETION_DEADLINE_FIELD,
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
from capacity_exit.core.actor import current_actor
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.etag import Precondition, stale
from capacity_exit.core.problems import FieldProblem
from capacity_exit.core.versioned import current_version, update_if_version
from capacity_exit.disclosure import service as disclosures
from capacity_exit.enterprise import service as enterprises
from capacity_exit.inspection import repository as inspections
from capacity_exit.org import repository as org
from capacity_exit.org.schemas import DepartmentKind

OBJECT_TYPE = "case"

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
    category, state = Category(case.category), CaseState(case.status)
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


# --- payload checks -----------------------------------------------------------------------


def _stored(draft: BaseModel) -> dict[str, Any]:
    return draft.model_dump(mode="json", exclude_none=True)


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


async def _check_departments(session: AsyncSession, content: Mapping[str, Any]) -> None:
    problems = [
        FieldProblem(pointer=pointer, detail=f"no department {code}", code="unknown_department")
        for pointer, code in _department_fields(content)
        if await org.get_department(session, code) is None
    ]
    if problems:
        raise Unprocessable("The case names unknown departments.", errors=problems)


def _check_fact_dates(fields: Mapping[str, Any], today: dt.date) -> None:
    """A date the step records as having happened cannot be in the future."""
    problems = [
        FieldProblem(pointer=f"/{name}", detail="cannot be in the future", code="in_future")
        for name in payloads.FACT_DATES
        if isinstance(fields.get(name), str) and dt.date.fromisoformat(fields[name]) > today
    ]
    if problems:
        raise Unprocessable("A recorded date lies in the future.", errors=problems)


def _guards(case: Case, content: Mapping[str, Any], today: dt.date) -> frozenset[str]:
    """The named guards that hold. Confirmations count when they come from a department
    of the case's own jurisdiction (codes are `{division}-{kind}`, and every named
    department exists) and are dated no later than today."""
    passed = set()
    confirmed_kinds = {
        item["department"].rsplit("-", 1)[-1]
        for item in content.get("confirmations") or []
        if item.get("department", "").startswith(f"{case.jurisdiction_code}-")
        and item.get("confirmed_on")
        and dt.date.fromisoformat(item["confirmed_on"]) <= today
    }
    if confirmed_kinds >= machine.CONFIRMING_KINDS:
        passed.add(machine.ALL_CONFIRMATIONS_PRESENT)
    return frozenset(passed)


def _nested_missing(category: Category, draft: BaseModel) -> Any:
    def missing(required: tuple[str, ...]) -> list[str]:
        fields = tuple(f for f in required if f in payloads.DRAFT_MODELS[category].model_fields)
        return [
            (p.pointer or "")[1:]
            for p in payloads.missing_fields(category, draft, fields)
            if (p.pointer or "").count("/") > 1
        ]

    return missing


def _check_findings(action: CaseAction, fields: Mapping[str, Any]) -> None:
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


def _deadline_of(category: Category, content: Mapping[str, Any]) -> dt.date | None:
    field = COMPLETION_DEADLINE_FIELD.get(category)
    value = content.get(field) if field else None
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


# --- writing ------------------------------------------------------------------------------


async def _record(
    session: AsyncSession,
    case: Case,
    *,
    kind: str,
    audit_action: str,
    before: dict[str, Any] | None,
    action: CaseAction | None = None,
    from_state: str | None = None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    actor = current_actor()
    await repository.add_event(
        session,
        CaseEvent(
            case_id=case.id,
            sequence=case.version,
            kind=kind,
            action=action.value if action else None,
            from_state=from_state,
            to_state=case.status,
            subject=actor.subject,
            department=actor.department,
            business_date=clock.business_today(),
            reason=reason,
            changes=changes or {},
        ),
    )
    await audit.record(
        session,
        action=audit_action,
        object_type=OBJECT_TYPE,
        object_id=str(case.id),
        jurisdiction=case.jurisdiction_code,
        before=before,
        after=audit.snapshot(case),
    )


async def _update(session: AsyncSession, case: Case, version: int, values: dict[str, Any]) -> None:
    if not await update_if_version(session, Case, case.id, version, values):
        raise stale(await current_version(session, Case, case.id))  # another writer won
    await repository.refresh(session, case)


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
    content = _stored(data.payload)
    await _check_departments(session, content)
    case = Case(
        category=category.value,
        status=INITIAL_STATE[category].value,
        enterprise_id=enterprise.id,
        jurisdiction_code=enterprise.jurisdiction_code,
        department_code=principal.department_code,
        inspection_id=inspection.id,
        payload=content,
        completion_deadline=_deadline_of(category, content),
        publicity_clock_start=inspection.completed_on,
    )
    await repository.add(session, case)
    await _record(
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
    category = Category(case.category)
    if case.status != INITIAL_STATE[category]:
        raise Conflict(
            f"Case {case.id} is {case.status}: only a {INITIAL_STATE[category]} case is "
            "edited; a published one changes through its lifecycle's steps.",
            code="not_a_draft",
        )
    version = precondition.version_to_change(case.version)
    content = _stored(payloads.validated_draft(category, {**case.payload, **changes}))
    await _check_departments(session, content)
    if content == case.payload:
        return await _view(session, principal, case)
    before = audit.snapshot(case)
    await _update(
        session,
        case,
        version,
        {"payload": content, "completion_deadline": _deadline_of(category, content)},
    )
    await _record(
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
    category, state, action = Category(case.category), CaseState(case.status), request.action
    rule = TRANSITIONS.get((category, state, action))
    if rule is None:  # the state answers first, whatever the body holds
        raise machine.InvalidTransition(category, state, action)
    if (reason := _not_owner_reason(principal, case, rule)) is not None:
        raise machine.ActionForbidden(reason)
    # The table's order: the caller (403) before anything about the payload (422).
    machine.check_caller(rule, principal.roles, DepartmentKind(principal.department_kind))
    fields = dict(request.model_extra or {})
    draft = payloads.validated_draft(category, {**case.payload, **fields})
    content = _stored(draft)
    rule = machine.transition(
        category,
        state,
        action,
        roles=principal.roles,
        department_kind=DepartmentKind(principal.department_kind),
        payload={**content, "reason": request.reason},
        guards_passed=_guards(case, content, clock.business_today()),
        request_fields={*fields, *(["reason"] if request.reason else [])},
        nested_missing=_nested_missing(category, draft),
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
    _check_findings(action, fields)
    if request.publicity_working_days is not None and action != CaseAction.publish:
        raise Unprocessable.at(
            "/publicity_working_days", "only a publication has a publicity period", "not_publish"
        )
    today = clock.business_today()
    _check_fact_dates({k: content.get(k) for k in fields}, today)
    if action == CaseAction.reject_acceptance:
        new_deadline = _deadline_of(category, content)
        if new_deadline is None or new_deadline <= today:
            raise Unprocessable.at(
                "/completion_deadline", "the new deadline must lie after today", "deadline_passed"
            )
    await _check_departments(session, content)
    version = precondition.version_to_change(case.version)
    before = audit.snapshot(case)
    await _update(session, case, version, _step_values(case, rule, content, request, today))
    await _record(
        session,
        case,
        kind="action",
        audit_action=f"case.{action}",
        before=before,
        action=action,
        from_state=state,
        reason=request.reason,
        changes=fields,
    )
    if machine.OPEN_FORCED_EXIT in rule.effects:
        await _open_forced_exit(session, case, action)
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
    category = Category(case.category)
    values: dict[str, Any] = {
        "status": rule.next_state.value,
        "payload": content,
        "completion_deadline": _deadline_of(category, content),
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


UNFINISHED_MAX_LENGTH = 2_000  # a summary; the failing items themselves travel in full


async def _open_forced_exit(session: AsyncSession, rectification: Case, action: CaseAction) -> Case:
    """Escalation (一(一)3 → 一(一)4): a forced-exit proposal for the local government."""
    gov = f"{rectification.jurisdiction_code}-{DepartmentKind.gov}"
    if await org.get_department(session, gov) is None:
        raise Conflict(
            f"{rectification.jurisdiction_code} has no government department to decide a "
            "forced exit.",
            code="no_deciding_government",
        )
    content = rectification.payload
    if action == CaseAction.record_refusal:
        grounds = content["refusal_facts"]
    else:  # a failed re-inspection: what still fails
        failing = "；".join(f["item"] for f in content.get("findings", []) if not f["compliant"])
        grounds = f"复查仍不达标：{failing or '见复查结果'}"
    grounds = (
        grounds[: UNFINISHED_MAX_LENGTH - 1] + "…"
        if len(grounds) > UNFINISHED_MAX_LENGTH
        else grounds
    )
    proposal = _stored(
        payloads.ForcedExitDraft.model_validate(
            {
                "rectification_case_id": str(rectification.id),
                "failing_items": content.get("problems"),
                "unfinished_rectification": grounds,
                "involved_departments": content.get("responsible_departments"),
            }
        )
    )
    case = Case(
        category=Category.forced_exit.value,
        status=INITIAL_STATE[Category.forced_exit].value,
        enterprise_id=rectification.enterprise_id,
        jurisdiction_code=rectification.jurisdiction_code,
        department_code=gov,
        inspection_id=rectification.inspection_id,
        parent_case_id=rectification.id,
        payload=proposal,
    )
    await repository.add(session, case)
    await _record(
        session,
        case,
        kind="opened",
        audit_action="case.open_forced_exit",
        before=None,
        changes={"rectification_case_id": str(rectification.id)},
    )
    return case


async def apply_correction(
    session: AsyncSession, case_id: uuid.UUID, changes: Mapping[str, Any], reason: str
) -> Case:
    """Carry a notice's correction into its case, so later steps, the overdue scan and
    the next notice use the corrected facts; recorded in the case's history."""
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound(f"No case {case_id}.")
    category = Category(case.category)
    content = _stored(payloads.validated_draft(category, {**case.payload, **changes}))
    before = audit.snapshot(case)
    await _update(
        session,
        case,
        case.version,
        {"payload": content, "completion_deadline": _deadline_of(category, content)},
    )
    await _record(
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


async def withdraw_with_notice(
    session: AsyncSession, case_id: uuid.UUID, reason: str
) -> Case | None:
    """A notice withdrawn while its case is still open withdraws the case too (and its
    other notices): the public record and the case it stands on end together. A case
    that has already ended stays as it is. Returns the case when it was withdrawn."""
    case = await session.get(Case, case_id)
    if case is None:
        return None
    state = CaseState(case.status)
    if (Category(case.category), state, CaseAction.withdraw) not in TRANSITIONS:
        return None
    before = audit.snapshot(case)
    await _update(
        session,
        case,
        case.version,
        {
            "status": CaseState.withdrawn.value,
            "closing_reason": reason,
            "overdue": False,
            "overdue_since": None,
        },
    )
    await _record(
        session,
        case,
        kind="action",
        audit_action="case.withdraw",
        before=before,
        action=CaseAction.withdraw,
        from_state=state,
        reason=reason,
    )
    await disclosures.withdraw_for_case(session, case, reason)
    return case


async def scan_overdue(session: AsyncSession, today: dt.date | None = None) -> list[Case]:
    """Mark the cases whose completion deadline passed while still awaiting completion.

    Each mark is a conditional update, so a concurrent step or a second scan never marks
    a case twice or marks one that has just completed."""
    today = today or clock.business_today()
    waiting = [(c.value, s.value) for c, s in AWAITING_COMPLETION.items()]
    marked = []
    for case in await repository.overdue_candidates(session, waiting, today):
        before = audit.snapshot(case)
        if not await update_if_version(
            session, Case, case.id, case.version, {"overdue": True, "overdue_since": today}
        ):
            continue
        await repository.refresh(session, case)
        await _record(
            session,
            case,
            kind="overdue",
            audit_action="case.mark_overdue",
            before=before,
            from_state=case.status,
            changes={"completion_deadline": str(case.completion_deadline)},
        )
        marked.append(case)
    return marked
