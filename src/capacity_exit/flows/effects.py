"""The handlers of the transition table's cross-domain effects, and the one registry of
every effect's handler (`EFFECTS`), checked here at import: an effect of
`case.machine.Effect` without exactly one handler stops the service from starting."""

from __future__ import annotations

from typing import Any

from capacity_exit.calendar.service import current_index
from capacity_exit.case import effects as case_effects
from capacity_exit.case.effects import Handlers, Step
from capacity_exit.case.machine import Effect
from capacity_exit.credit import triggers
from capacity_exit.disclosure import service as disclosures


async def _publish_notice(step: Step) -> dict[str, Any]:
    notice = step.rule.notice
    assert notice is not None  # the table pairs the effect with its notice (machine._build)
    await disclosures.publish_for_step(
        step.session,
        step.case,
        step.rule.action,
        notice,
        await current_index(step.session),
        batch_id=step.batch_id,
        period_working_days=step.publicity_working_days,
    )
    return {}


async def _withdraw_notices(step: Step) -> dict[str, Any]:
    await disclosures.withdraw_for_case(step.session, step.case, step.reason or "")
    return {}


async def _credit_listing(step: Step) -> dict[str, Any]:
    pushes = await triggers.list_after_step(step.session, step.case, step.rule.action, step.today)
    return triggers.history_note(pushes)


async def _credit_repair(step: Step) -> dict[str, Any]:
    pushes = await triggers.repair_after_acceptance(step.session, step.case, step.today)
    return triggers.history_note(pushes)


async def _credit_withdrawal(step: Step) -> dict[str, Any]:
    pushes = await triggers.withdraw_after_closing(step.session, step.case, step.today)
    return triggers.history_note(pushes)


HANDLERS = Handlers(
    follow_ups={
        Effect.publish_notice: _publish_notice,
        Effect.withdraw_notices: _withdraw_notices,
        Effect.credit_listing: _credit_listing,
        Effect.credit_repair: _credit_repair,
        Effect.credit_withdrawal: _credit_withdrawal,
    }
)

EFFECTS = case_effects.registry(case_effects.HANDLERS, HANDLERS)
