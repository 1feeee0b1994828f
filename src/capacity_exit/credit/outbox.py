"""Creating pushes: one per configured target, in the caller's transaction.

Whatever changes a case and calls for a push calls these within the same unit of work,
so the change and its pushes commit together or not at all (a transactional outbox):
a rolled-back change leaves no push, and a committed one always has its pushes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case.machine import Category
from capacity_exit.case.models import Case
from capacity_exit.core.actor import current_actor
from capacity_exit.core.clock import utcnow
from capacity_exit.core.ids import uuid7
from capacity_exit.credit import repository, targets
from capacity_exit.credit.machine import PushStatus
from capacity_exit.credit.models import CreditPush
from capacity_exit.credit.records import CreditRecord, PushKind, Trigger, follow_up, listing_for
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.org.models import Department

# The listings each category's triggers send (一(二)).
LISTED = {
    Trigger.overdue: (Category.illegal, Category.elimination),
    Trigger.refusal: (Category.rectification,),
    Trigger.failed_reinspection: (Category.rectification,),
    Trigger.forced_exit_decision: (Category.forced_exit,),
}


async def add(
    session: AsyncSession,
    record: CreditRecord,
    *,
    trigger: Trigger,
    enterprise_id: uuid.UUID,
    jurisdiction_code: str,
    case_id: uuid.UUID | None,
    target_codes: Sequence[str] | None = None,
) -> list[CreditPush]:
    """A push of `record` to every configured target (or those named), due now."""
    settings = targets.current_settings()
    now = utcnow()
    payload = record.model_dump(mode="json")
    pushes = [
        CreditPush(
            id=(push_id := uuid7()),  # time-ordered: a case's pushes go out in order
            target=target.code,
            kind=record.kind,
            trigger=trigger,
            status=PushStatus.pending,
            case_id=case_id,
            enterprise_id=enterprise_id,
            jurisdiction_code=jurisdiction_code,
            idempotency_key=str(push_id),
            payload=payload,
            claims=0,
            claim_budget=settings.credit_max_attempts,
            next_attempt_at=now,
            created_by=current_actor().subject,
            version=1,
            created_at=now,
            updated_at=now,
        )
        for target in targets.configured(settings)
        if target_codes is None or target.code in target_codes
    ]
    await repository.add_all(session, pushes)
    return pushes


async def parties(session: AsyncSession, case: Case) -> tuple[Enterprise, Department]:
    enterprise, department = await repository.parties(
        session, case.enterprise_id, case.department_code
    )
    assert enterprise is not None and department is not None  # foreign keys
    return enterprise, department


async def list_case(
    session: AsyncSession, case: Case, trigger: Trigger, today: dt.date
) -> list[CreditPush]:
    """The listing of `case` for `trigger`, when its category is listed for it."""
    if case.category not in LISTED[trigger]:
        return []
    enterprise, department = await parties(session, case)
    record = listing_for(case, enterprise, department, trigger, today)
    return await add(
        session,
        record,
        trigger=trigger,
        enterprise_id=case.enterprise_id,
        jurisdiction_code=case.jurisdiction_code,
        case_id=case.id,
    )


async def latest_listing(session: AsyncSession, case_id: uuid.UUID) -> CreditPush | None:
    return await _latest(session, case_id, (PushKind.listing,))


async def standing_listing(session: AsyncSession, case_id: uuid.UUID) -> CreditPush | None:
    """The case's listing on the platforms: its latest, unless withdrawn since."""
    latest = await _latest(session, case_id, (PushKind.listing, PushKind.withdrawal))
    return latest if latest is not None and latest.kind == PushKind.listing else None


async def _latest(
    session: AsyncSession, case_id: uuid.UUID, kinds: Sequence[PushKind]
) -> CreditPush | None:
    return await repository.latest_of_case(session, case_id, [k.value for k in kinds])


async def follow_listing(
    session: AsyncSession,
    case: Case,
    kind: PushKind,
    trigger: Trigger,
    reason: str,
    today: dt.date,
    measure: str | None = None,
) -> list[CreditPush]:
    """An update or withdrawal of the case's listing; nothing when it is not listed (never
    was, or was withdrawn already)."""
    listing = await standing_listing(session, case.id)
    if listing is None:
        return []
    record = follow_up(listing.payload, kind, reason, today, measure)
    return await add(
        session,
        record,
        trigger=trigger,
        enterprise_id=case.enterprise_id,
        jurisdiction_code=case.jurisdiction_code,
        case_id=case.id,
    )
