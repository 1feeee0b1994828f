"""A case step with everything that follows it: the table's row, taken by the case
domain, with every effect's handler (`effects.EFFECTS`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.case import steps
from capacity_exit.case.service import CaseView
from capacity_exit.case.step_requests import StepRequest
from capacity_exit.core.etag import Precondition
from capacity_exit.flows.effects import EFFECTS


async def take_step(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    precondition: Precondition,
    request: StepRequest,
    *,
    batch_id: uuid.UUID | None = None,
) -> CaseView:
    """Take one step of the case's lifecycle and carry out its effects; 409, 403 or 422
    when it may not be taken. `batch_id`: the concentrated publication it belongs to."""
    return await steps.act(
        session, principal, case_id, precondition, request, effects=EFFECTS, batch_id=batch_id
    )
