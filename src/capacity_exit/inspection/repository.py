"""Every query on inspections."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.inspection.models import Inspection


async def add(session: AsyncSession, inspection: Inspection) -> Inspection:
    session.add(inspection)
    await session.flush()
    return inspection


async def get_in_scope(
    session: AsyncSession, inspection_id: uuid.UUID, readable: Iterable[str]
) -> Inspection | None:
    return await session.scalar(
        select(Inspection).where(
            Inspection.id == inspection_id, Inspection.jurisdiction_code.in_(list(readable))
        )
    )


async def list_in_scope(
    session: AsyncSession,
    readable: Iterable[str],
    *,
    limit: int,
    after: uuid.UUID | None,
    enterprise_id: uuid.UUID | None,
    kind: str | None,
    jurisdiction: str | None,
    completed_from: dt.date | None,
    completed_to: dt.date | None,
) -> Sequence[Inspection]:
    query = (
        select(Inspection)
        .where(Inspection.jurisdiction_code.in_(list(readable)))
        .order_by(Inspection.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Inspection.id > after)
    if enterprise_id is not None:
        query = query.where(Inspection.enterprise_id == enterprise_id)
    if kind is not None:
        query = query.where(Inspection.kind == kind)
    if jurisdiction is not None:
        query = query.where(Inspection.jurisdiction_code == jurisdiction)
    if completed_from is not None:
        query = query.where(Inspection.completed_on >= completed_from)
    if completed_to is not None:
        query = query.where(Inspection.completed_on <= completed_to)
    return (await session.scalars(query)).all()
