"""Every change of a case goes through here: a conditional update at the version held,
then one history event and one audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.case import repository
from capacity_exit.case.machine import (
    CaseAction,
)
from capacity_exit.case.models import Case, CaseEvent
from capacity_exit.core import clock
from capacity_exit.core.actor import current_actor
from capacity_exit.core.etag import stale
from capacity_exit.core.versioned import current_version, update_if_version

OBJECT_TYPE = "case"


async def record(
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
            action=action,
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


async def update_at_version(
    session: AsyncSession, case: Case, version: int, values: dict[str, Any]
) -> None:
    """Write `values` if the case is still at `version` (otherwise another writer won, naming the
    current one: 412 `version_mismatch`), and refresh `case` from the row."""
    if not await update_if_version(session, Case, case.id, version, values):
        raise stale(await current_version(session, Case, case.id))  # another writer won
    await repository.refresh(session, case)
