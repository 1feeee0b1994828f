"""What case changes push, called by the case service inside the change's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case import machine
from capacity_exit.case.machine import CaseAction, Transition
from capacity_exit.case.models import Case
from capacity_exit.credit import outbox
from capacity_exit.credit.models import CreditPush
from capacity_exit.credit.records import PushKind, Trigger

LISTING_TRIGGERS = {
    CaseAction.record_refusal: Trigger.refusal,
    CaseAction.record_reinspection_fail: Trigger.failed_reinspection,
    CaseAction.decide: Trigger.forced_exit_decision,
}


async def after_step(
    session: AsyncSession, case: Case, rule: Transition, today: dt.date
) -> list[CreditPush]:
    """The pushes a step's credit effect calls for (none when it has none)."""
    if machine.CREDIT_LISTING in rule.effects:
        return await outbox.list_case(session, case, LISTING_TRIGGERS[rule.action], today)
    if machine.CREDIT_WITHDRAWAL in rule.effects and rule.action == CaseAction.accept:
        reason = (
            f"已于{case.payload.get('completion_date')}完成，"
            f"{case.payload.get('acceptance_date')}通过验收。"
        )
        return await withdraw_listing(session, case, Trigger.completion_accepted, reason, today)
    if machine.CREDIT_WITHDRAWAL in rule.effects:  # the case itself withdrawn or revoked
        reason = f"案件已撤销：{case.closing_reason or ''}"
        return await withdraw_listing(session, case, Trigger.case_withdrawn, reason, today)
    return []


async def withdraw_listing(
    session: AsyncSession, case: Case, trigger: Trigger, reason: str, today: dt.date
) -> list[CreditPush]:
    """The withdrawal of the case's listing (nothing when it was never listed)."""
    return await outbox.follow_listing(session, case, PushKind.withdrawal, trigger, reason, today)


async def after_overdue(session: AsyncSession, case: Case, today: dt.date) -> list[CreditPush]:
    return await outbox.list_case(session, case, Trigger.overdue, today)


def noted(pushes: list[CreditPush]) -> dict[str, Any]:
    """What a case's history records of the pushes a change created."""
    if not pushes:
        return {}
    return {"credit_pushes": {"kind": pushes[0].kind, "targets": [p.target for p in pushes]}}
