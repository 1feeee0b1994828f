"""What case changes push, called by the flows inside the change's transaction: a step's
`credit_listing`, `credit_repair` or `credit_withdrawal` effect, and the overdue mark."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case.machine import TRANSITIONS, CaseAction, Effect
from capacity_exit.case.models import Case
from capacity_exit.credit import outbox
from capacity_exit.credit.models import CreditPush
from capacity_exit.credit.records import PushKind, Trigger

# Why a step that lists the enterprise (`credit_listing`) does so, by the step.
LISTING_TRIGGERS = {
    CaseAction.record_refusal: Trigger.refusal,
    CaseAction.record_reinspection_fail: Trigger.failed_reinspection,
    CaseAction.decide: Trigger.forced_exit_decision,
}
# Checked at import: a row that lists without a trigger here would fail on its first step.
_UNEXPLAINED = {
    rule.action for rule in TRANSITIONS.values() if Effect.credit_listing in rule.effects
} - set(LISTING_TRIGGERS)
if _UNEXPLAINED:
    raise RuntimeError(f"credit_listing steps without a listing trigger: {sorted(_UNEXPLAINED)}")


async def list_after_step(
    session: AsyncSession, case: Case, action: CaseAction, today: dt.date
) -> list[CreditPush]:
    """The listing a step with the `credit_listing` effect pushes."""
    return await outbox.list_case(session, case, LISTING_TRIGGERS[action], today)


async def repair_after_acceptance(
    session: AsyncSession, case: Case, today: dt.date
) -> list[CreditPush]:
    """The withdrawal a step with the `credit_repair` effect pushes: the completion the
    case reported has been accepted (信用修复)."""
    reason = (
        f"已于{case.payload.get('completion_date')}完成，"
        f"{case.payload.get('acceptance_date')}通过验收。"
    )
    return await withdraw_listing(session, case, Trigger.completion_accepted, reason, today)


async def withdraw_after_closing(
    session: AsyncSession, case: Case, today: dt.date
) -> list[CreditPush]:
    """The withdrawal a step with the `credit_withdrawal` effect pushes: the case itself
    withdrawn or revoked."""
    reason = f"案件已撤销：{case.closing_reason or ''}"
    return await withdraw_listing(session, case, Trigger.case_withdrawn, reason, today)


async def withdraw_listing(
    session: AsyncSession, case: Case, trigger: Trigger, reason: str, today: dt.date
) -> list[CreditPush]:
    """The withdrawal of the case's listing (nothing when it was never listed)."""
    return await outbox.follow_listing(session, case, PushKind.withdrawal, trigger, reason, today)


async def list_overdue(session: AsyncSession, case: Case, today: dt.date) -> list[CreditPush]:
    """The listing of a case just marked overdue."""
    return await outbox.list_case(session, case, Trigger.overdue, today)


def history_note(pushes: list[CreditPush]) -> dict[str, Any]:
    """What a case's history event records of the pushes its change created."""
    if not pushes:
        return {}
    return {"credit_pushes": {"kind": pushes[0].kind, "targets": [p.target for p in pushes]}}
