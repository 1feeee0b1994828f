"""Taking a step of a case's lifecycle: the table's row (`machine.transition`), the checks
the table leaves to the service, one conditional write, the row's effects (through the
registry the caller gives, `flows.effects.EFFECTS`), and one history event."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.principal import Principal
from capacity_exit.case import checks, guards, history, machine, payloads, repository, service
from capacity_exit.case.deadlines import AWAITING_COMPLETION
from capacity_exit.case.effects import EffectRegistry, Step
from capacity_exit.case.machine import INITIAL_STATE, TRANSITIONS, CaseAction
from capacity_exit.case.models import Case
from capacity_exit.case.step_requests import PUBLICITY_DAYS, StepRequest, step_request
from capacity_exit.core import clock
from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.etag import Precondition
from capacity_exit.core.problems import FieldProblem
from capacity_exit.org.schemas import DepartmentKind


async def act(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    precondition: Precondition,
    request: StepRequest,
    *,
    effects: EffectRegistry,
    batch_id: uuid.UUID | None = None,
) -> service.CaseView:
    """Take one step of the case's lifecycle; 409, 403 or 422 when it may not be taken.

    `batch_id`: the concentrated publication (集中公示) the step's notice belongs to."""
    case = await service.readable(session, principal, case_id)
    precondition.require()  # 428 before the action is judged; a stale tag after (409 first)
    step = await _transition(session, principal, case, request, batch_id=batch_id)
    await _take(step, precondition.version_to_change(case.version), request, effects)
    return await service.view(session, principal, case)


async def withdraw_after_notice(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    reason: str,
    *,
    effects: EffectRegistry,
) -> Case | None:
    """A notice withdrawn while its case is still open withdraws the case too (the table's
    `withdraw`, with its effects: the case's other notices, its credit listing). The
    notice's withdrawal already checked the caller, so this step does not again. A case
    that has already ended stays as it is. Returns the case when it was withdrawn."""
    case = await repository.get_in_scope(session, case_id, principal.readable)
    if case is None:
        return None
    if (case.category, case.status, CaseAction.withdraw) not in TRANSITIONS:
        return None
    request = step_request(CaseAction.withdraw, reason=reason)
    step = await _transition(session, principal, case, request, skip_caller_check=True)
    await _take(step, case.version, request, effects)
    return case


async def _transition(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    request: StepRequest,
    *,
    batch_id: uuid.UUID | None = None,
    skip_caller_check: bool = False,
) -> Step:
    """The step `request` asks of `case`, once the table and every check allow it."""
    category, state, action = case.category, case.status, request.action
    if skip_caller_check:
        if (category, state, action) not in TRANSITIONS:
            raise machine.InvalidTransition(category, state, action)
    else:
        # The table's order: the caller (403) before anything about the payload (422).
        check_caller_may_take(principal, case, action)
    kind = DepartmentKind(principal.department_kind)
    fields = request.content()
    reason = request.member("reason")
    draft = payloads.validated_draft(category, {**case.payload, **fields})
    content = payloads.stored_content(draft)
    today = clock.business_today()
    rule = machine.transition(
        category,
        state,
        action,
        roles=principal.roles,
        department_kind=kind,
        payload={**content, "reason": reason},
        guards_passed=guards.passed(case, content, today),
        request_fields={*fields, *(["reason"] if reason else [])},
        nested_missing=checks.nested_missing(category, draft),
        skip_caller_check=skip_caller_check,
    )
    if state != INITIAL_STATE[category]:
        # Past the draft the content is settled (published, or confirmed for publication):
        # a step records only its own fresh fields; corrections go through the notice.
        _refuse_unrecorded(action, sorted(set(fields) - set(rule.fresh_fields)))
    checks.check_findings(action, fields)
    checks.check_fact_dates({k: content.get(k) for k in fields}, today)
    await checks.check_timeline(session, case, action, content)
    checks.check_deadline_ahead(category, rule.next_state, content, today)
    checks.check_source_case(case, content)
    await checks.check_departments(session, content)
    return Step(
        session,
        case,
        rule,
        content,
        reason,
        today,
        publicity_working_days=request.member(PUBLICITY_DAYS),
        batch_id=batch_id,
    )


def check_caller_may_take(principal: Principal, case: Case, action: CaseAction) -> None:
    """The caller checks of a step, before anything about its payload: the row must exist
    in the case's state (409 `invalid_transition`, whatever the body holds), the case be
    in a jurisdiction the caller acts in and its department have one of the row's parts
    in it, and the caller hold one of its roles in one of its department kinds (403
    `action_forbidden`). What `GET /case-lifecycles` publishes of each row."""
    category, state = case.category, case.status
    rule = TRANSITIONS.get((category, state, action))
    if rule is None:
        raise machine.InvalidTransition(category, state, action)
    if (reason := service.not_party_reason(principal, case, rule)) is not None:
        raise machine.ActionForbidden(reason)
    machine.check_caller(rule, principal.roles, DepartmentKind(principal.department_kind))


def _refuse_unrecorded(action: CaseAction, extra: list[str]) -> None:
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


async def _take(step: Step, version: int, request: StepRequest, effects: EffectRegistry) -> None:
    """The step's one write (at `version`), its follow-ups, and its history event."""
    case, rule, state = step.case, step.rule, step.case.status
    before = audit.snapshot(case)
    await history.update_at_version(
        step.session, case, version, {**_state_values(step), **effects.values(step)}
    )
    notes = await effects.follow_up(step)
    await history.record(
        step.session,
        case,
        kind="action",
        audit_action=f"case.{rule.action}",
        before=before,
        action=rule.action,
        from_state=state,
        reason=step.reason,
        changes={**request.content(), **notes},
    )


def _state_values(step: Step) -> dict[str, Any]:
    """What every step writes: the next state, the content and its completion deadline,
    and the overdue mark off once the case no longer waits for the enterprise
    (`overdue_since` stays as the record that it once was)."""
    category = step.case.category
    values: dict[str, Any] = {
        "status": step.rule.next_state,
        "payload": step.content,
        "completion_deadline": checks.deadline_of(category, step.content),
    }
    if AWAITING_COMPLETION.get(category) != step.rule.next_state:
        values["overdue"] = False
    return values
