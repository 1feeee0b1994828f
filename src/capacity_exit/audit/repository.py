"""Queries on the chain's head and its published checkpoints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit.models import AuditCheckpoint, AuditHead
from capacity_exit.audit.service import HEAD_ID, Checkpoint


async def head(session: AsyncSession) -> Checkpoint:
    row = await session.get(AuditHead, HEAD_ID)
    if row is None:
        raise LookupError("the audit head row is missing: run capacity-exit migrate")
    return Checkpoint(row.position, row.hash)


async def latest_checkpoint(session: AsyncSession) -> AuditCheckpoint | None:
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    return (await session.scalars(query)).first()


async def list_checkpoints(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[AuditCheckpoint]:
    """Oldest first (ids are time-ordered), after the id `after`."""
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.id).limit(limit)
    if after is not None:
        query = query.where(AuditCheckpoint.id > after)
    return (await session.scalars(query)).all()


async def all_checkpoints(session: AsyncSession) -> Sequence[AuditCheckpoint]:
    return (await session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))).all()


async def has_period(session: AsyncSession, period_start: datetime) -> bool:
    query = select(AuditCheckpoint.id).where(AuditCheckpoint.period_start == period_start)
    return (await session.scalars(query)).first() is not None
