"""The credit pushes as the API sees them: read, retried, cancelled, pushed by hand."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.auth.roles import Role
from capacity_exit.case import repository as cases
from capacity_exit.case.machine import CaseState, Category
from capacity_exit.case.models import Case
from capacity_exit.case.pushers import check_credit_pusher
from capacity_exit.core import clock
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.etag import Precondition, stale
from capacity_exit.core.problems import FieldProblem
from capacity_exit.credit import outbox, redaction, repository, targets
from capacity_exit.credit.machine import TRANSITIONS, PushEvent, PushStatus
from capacity_exit.credit.models import CreditPush
from capacity_exit.credit.records import CreditRecord, PushKind, Trigger, follow_up, listing_for
from capacity_exit.credit.schemas import AttemptOut, ManualPushIn

OBJECT_TYPE = "credit_push"
# Who reads what a platform answered (each attempt's excerpt): those who act on the
# answer (approvers retry and cancel) and administrators, who configure the targets.
# Other roles see the attempts without it. Excerpts are redacted before they are stored.
EXCERPT_READERS = frozenset({Role.approver, Role.admin})


@dataclass(frozen=True)
class PushFilters:
    target: str | None = None
    status: PushStatus | None = None
    enterprise_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    kind: PushKind | None = None


async def page(
    session: AsyncSession,
    principal: Principal,
    filters: PushFilters,
    *,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[CreditPush]:
    """Pushes in the caller's jurisdictions, oldest first."""
    return await repository.list_in_scope(
        session,
        principal.readable,
        limit=limit,
        after=after,
        target=filters.target,
        status=filters.status,
        enterprise_id=filters.enterprise_id,
        case_id=filters.case_id,
        kind=filters.kind,
    )


async def get(session: AsyncSession, principal: Principal, push_id: uuid.UUID) -> CreditPush:
    """A push in the caller's jurisdictions (404 otherwise, as for one that does not exist)."""
    push = await repository.get_in_scope(session, push_id, principal.readable)
    if push is None:
        raise NotFound(f"No credit push {push_id}.")
    return push


async def attempt_log(
    session: AsyncSession, principal: Principal, push_id: uuid.UUID
) -> list[AttemptOut]:
    """A push's attempts as `principal` may read them: the answers' excerpts only for
    `EXCERPT_READERS`. What is shown is redacted again with the secrets in force, for
    rows stored before answers were redacted."""
    shown = principal.has_any(EXCERPT_READERS)
    redact = redaction.Redactor(redaction.our_secrets())
    log = []
    for attempt in await repository.attempts_in_scope(session, push_id, principal.readable):
        excerpt = attempt.response_excerpt if shown else None
        log.append(
            AttemptOut.model_validate(attempt, from_attributes=True).model_copy(
                update={
                    "response_excerpt": None if excerpt is None else redact(excerpt),
                    "error": None if attempt.error is None else redact(attempt.error),
                }
            )
        )
    return log


def _check_pusher(principal: Principal, case: Case) -> None:
    """The case table's rule of who pushes for a case (403 otherwise)."""
    check_credit_pusher(
        case.category,
        owner=case.department_code,
        content=case.payload,
        roles=principal.roles,
        department_code=principal.department_code,
    )


async def _change(
    session: AsyncSession,
    principal: Principal,
    push_id: uuid.UUID,
    event: PushEvent,
    precondition: Precondition,
) -> CreditPush:
    push = await get(session, principal, push_id)
    if not principal.can_write(push.jurisdiction_code):
        raise Forbidden("Only an approver of the push's jurisdiction may change it.")
    if push.case_id is not None:  # what reaches the platforms for a case is its departments'
        case = await cases.get_in_scope(session, push.case_id, principal.readable)
        if case is None:
            raise NotFound(f"No credit push {push_id}.")
        _check_pusher(principal, case)
    version = precondition.version_to_change(push.version)
    after = TRANSITIONS.get((push.status, event))
    if after is None:
        raise Conflict(
            f"A {push.status} push cannot be {event.value}ed.",
            code="invalid_transition",
            extra={"status": push.status, "action": event.value},
        )
    before = audit.snapshot(push)
    changes: dict[str, object] = {"status": after}
    if event is PushEvent.retry:  # due now, with a fresh allowance of attempts
        changes |= {
            "next_attempt_at": clock.utcnow(),
            "claim_budget": push.claims + targets.current_settings().credit_max_attempts,
        }
    if not await repository.change_if_version(session, push.id, version, changes):
        raise stale(await repository.version_of(session, push.id))  # a worker moved it
    await repository.refresh(session, push)
    await audit.record(
        session,
        action=f"credit_push.{event.value}",
        object_type=OBJECT_TYPE,
        object_id=str(push.id),
        jurisdiction=push.jurisdiction_code,
        before=before,
        after=audit.snapshot(push),
    )
    return push


async def retry(
    session: AsyncSession, principal: Principal, push_id: uuid.UUID, precondition: Precondition
) -> CreditPush:
    return await _change(session, principal, push_id, PushEvent.retry, precondition)


async def cancel(
    session: AsyncSession, principal: Principal, push_id: uuid.UUID, precondition: Precondition
) -> CreditPush:
    return await _change(session, principal, push_id, PushEvent.cancel, precondition)


def _listing_trigger(case: Case) -> Trigger | None:
    """Which listing a case stands for, if any (a manual push of one never listed)."""
    category, status = case.category, case.status
    if status in (CaseState.withdrawn, CaseState.revoked, CaseState.accepted, CaseState.announced):
        return None  # ended, or its completion accepted: nothing to list
    if category in (Category.illegal, Category.elimination) and case.overdue_since is not None:
        return Trigger.overdue
    if category == Category.rectification and status == CaseState.escalated:
        refused = case.payload.get("refusal_date")
        return Trigger.refusal if refused else Trigger.failed_reinspection
    if category == Category.forced_exit and case.decided_on is not None:
        return Trigger.forced_exit_decision
    return None


async def _record(session: AsyncSession, case: Case, data: ManualPushIn) -> CreditRecord:
    listing = await outbox.standing_listing(session, case.id)
    today = clock.business_today()
    if data.kind is PushKind.listing:
        if listing is not None:  # a re-push of the listing as it was sent
            return CreditRecord.model_validate(listing.payload)
        if await outbox.latest_listing(session, case.id) is not None:
            raise Conflict(
                "The case's listing was withdrawn (信用修复); it is not listed again by hand.",
                code="not_listable",
            )
        trigger = _listing_trigger(case)
        if trigger is None:
            raise Conflict(
                "This case does not call for a listing (not overdue, refused, failed or decided).",
                code="not_listable",
            )
        enterprise, department = await outbox.parties(session, case)
        return listing_for(case, enterprise, department, trigger, today)
    if listing is None:
        raise Conflict(
            f"The case is not listed (never was, or withdrawn): nothing to {data.kind.value}.",
            code="not_listed",
        )
    if data.kind is PushKind.update and data.measure is None:
        raise Unprocessable.at("/measure", "an update names its measure", "missing_field")
    return follow_up(listing.payload, data.kind, data.reason, today, data.measure)


async def push_by_hand(
    session: AsyncSession, principal: Principal, data: ManualPushIn
) -> list[CreditPush]:
    case = await cases.get_in_scope(session, data.case_id, principal.readable)
    if case is None:
        raise NotFound.referenced("case_id", "case", data.case_id)
    if not principal.can_write(case.jurisdiction_code):
        raise Forbidden("Only an approver of the case's jurisdiction pushes it.")
    _check_pusher(principal, case)
    known = {t.code for t in targets.configured()}
    unknown = [
        FieldProblem(pointer=f"/targets/{i}", detail="not a configured target", code="unknown")
        for i, code in enumerate(data.targets or [])
        if code not in known
    ]
    if unknown:
        raise Unprocessable("Unknown credit targets.", code="unknown_target", errors=unknown)
    record = await _record(session, case, data)
    pushes = await outbox.add(
        session,
        record,
        trigger=Trigger.manual,
        enterprise_id=case.enterprise_id,
        jurisdiction_code=case.jurisdiction_code,
        case_id=case.id,
        target_codes=data.targets,
    )
    for push in pushes:
        await audit.record(
            session,
            action="credit_push.create",
            object_type=OBJECT_TYPE,
            object_id=str(push.id),
            jurisdiction=push.jurisdiction_code,
            after=audit.snapshot(push),
        )
    return pushes
