"""A concentrated publication's record (集中公示, 一(三)): the batch its cases' notices
join (publishing them is `flows.batches`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.principal import Principal
from capacity_exit.disclosure import repository
from capacity_exit.disclosure.models import Disclosure, DisclosureBatch
from capacity_exit.disclosure.schemas import BatchIn


async def open_batch(session: AsyncSession, principal: Principal, data: BatchIn) -> DisclosureBatch:
    batch = DisclosureBatch(
        category=data.category,
        department_code=principal.department_code,
        jurisdiction_code=principal.jurisdiction_code,
        title=data.title,
    )
    await repository.add(session, batch)
    return batch


async def notices_in_batch(
    session: AsyncSession, batch: DisclosureBatch, case_id: uuid.UUID
) -> list[Disclosure]:
    """The case's current notices that the batch published."""
    return [n for n in await repository.current_of_case(session, case_id) if n.batch_id == batch.id]


async def record_batch(session: AsyncSession, batch: DisclosureBatch) -> None:
    await audit.record(
        session,
        action="disclosure.batch",
        object_type="disclosure_batch",
        object_id=str(batch.id),
        jurisdiction=batch.jurisdiction_code,
        after=audit.snapshot(batch),
    )
