"""A correction of a notice, carried into the case it was published from."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.case import service as cases
from capacity_exit.core.etag import Precondition
from capacity_exit.disclosure import service
from capacity_exit.disclosure.models import Disclosure
from capacity_exit.disclosure.schemas import CorrectionIn


async def correct(
    session: AsyncSession,
    principal: Principal,
    disclosure_id: uuid.UUID,
    precondition: Precondition,
    data: CorrectionIn,
) -> Disclosure:
    new = await service.correct(session, principal, disclosure_id, precondition, data)
    if data.content:
        await cases.apply_correction(session, new.case_id, new.content, data.reason)
    return new
