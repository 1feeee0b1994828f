"""Changes to a notice that reach the case it was published from: a correction carries
its facts into the case; a withdrawal of an open case's notice withdraws the case."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.case import service as cases
from capacity_exit.case import steps
from capacity_exit.core.etag import Precondition
from capacity_exit.disclosure import service as disclosures
from capacity_exit.disclosure.content import case_content
from capacity_exit.disclosure.models import Disclosure
from capacity_exit.disclosure.schemas import CorrectionIn, WithdrawalIn
from capacity_exit.flows.effects import EFFECTS


async def correct_notice_and_case(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: CorrectionIn,
) -> Disclosure:
    """A new version of the notice (`disclosure.service.correct_notice`), its content
    changes carried into the case."""
    new = await disclosures.correct_notice(session, principal, disclosure_id, precondition, data)
    if data.content:
        await cases.carry_notice_correction(
            session, principal, new.case_id, case_content(new.content), data.reason
        )
    return new


async def withdraw_notice_and_case(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: WithdrawalIn,
) -> Disclosure:
    """The notice withdrawn, and its case with it while the case is open: the table's
    `withdraw` step, whose caller the notice's withdrawal has checked."""
    withdrawn = await disclosures.withdraw(session, principal, disclosure_id, precondition, data)
    await steps.withdraw_after_notice(
        session, principal, withdrawn.case_id, data.reason, effects=EFFECTS
    )
    return withdrawn
