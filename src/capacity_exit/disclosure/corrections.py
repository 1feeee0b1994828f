"""Changes to a notice that reach the case it was published from: a correction carries
its facts into the case; a withdrawal of an open case's notice withdraws the case."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.case import followups
from capacity_exit.core.etag import Precondition
from capacity_exit.disclosure import service
from capacity_exit.disclosure.content import case_content
from capacity_exit.disclosure.models import Disclosure
from capacity_exit.disclosure.schemas import CorrectionIn, WithdrawalIn


async def correct(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: CorrectionIn,
) -> Disclosure:
    new = await service.correct(session, principal, disclosure_id, precondition, data)
    if data.content:
        await followups.apply_correction(
            session, new.case_id, case_content(new.content), data.reason
        )
    return new


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: WithdrawalIn,
) -> Disclosure:
    withdrawn = await service.withdraw(session, principal, disclosure_id, precondition, data)
    await followups.withdraw_with_notice(session, withdrawn.case_id, data.reason)
    return withdrawn
