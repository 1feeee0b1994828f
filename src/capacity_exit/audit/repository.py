"""Every query on the audit log: the chain's events and head, and the published checkpoints.

The log is read in the caller's scope (`list_events`: the jurisdictions it may read, in
the statement); the chain itself (`stream_events`, the head) is read whole, by the
verification only administrators and the operator run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncScalarResult, AsyncSession

from capacity_exit.audit.chain import Checkpoint
from capacity_exit.audit.models import AuditCheckpoint, AuditEvent, AuditHead

HEAD_ID = 1  # the one row of audit_head


async def claim_position(session: AsyncSession) -> tuple[int, str]:
    """The next position and the hash it chains to, claimed by moving the head on.

    The head row is updated first: its row lock (PostgreSQL) or the write lock (SQLite)
    is held until commit, so positions are assigned one at a time, without gaps."""
    claimed = await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(position=AuditHead.position + 1)
        .returning(AuditHead.position, AuditHead.hash)
    )
    position, prev_hash = claimed.one()
    return int(position), str(prev_hash)


async def append(session: AsyncSession, event: AuditEvent) -> AuditEvent:
    """Store `event` at the position claimed for it and make its hash the head's."""
    session.add(event)
    await session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=event.hash))
    await session.flush()
    return event


async def find_head(session: AsyncSession) -> Checkpoint | None:
    row = await session.get(AuditHead, HEAD_ID)
    return None if row is None else Checkpoint(row.position, row.hash)


async def head(session: AsyncSession) -> Checkpoint:
    found = await find_head(session)
    if found is None:
        raise LookupError("the audit head row is missing: run capacity-exit migrate")
    return found


async def stream_events(
    session: AsyncSession, *, first: int, last: int | None = None
) -> AsyncScalarResult[AuditEvent]:
    """The chain's events from position `first` (to `last`, inclusive), in order, read
    500 at a time."""
    query = select(AuditEvent).where(AuditEvent.position >= first)
    if last is not None:
        query = query.where(AuditEvent.position <= last)
    return await session.stream_scalars(
        query.order_by(AuditEvent.position).execution_options(yield_per=500)
    )


async def list_events(
    session: AsyncSession,
    *,
    jurisdictions: frozenset[str],
    include_unscoped: bool,
    after: int | None,
    limit: int,
    object_type: str | None,
    object_id: str | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Sequence[AuditEvent]:
    """Events about objects in `jurisdictions` (and, with `include_unscoped`, those
    about no jurisdiction), oldest first, after the position `after`."""
    in_scope = AuditEvent.jurisdiction.in_(list(jurisdictions))
    query = select(AuditEvent).where(
        in_scope | AuditEvent.jurisdiction.is_(None) if include_unscoped else in_scope
    )
    query = query.order_by(AuditEvent.position).limit(limit)
    if after is not None:
        query = query.where(AuditEvent.position > after)
    if object_type is not None:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return (await session.scalars(query)).all()


async def add_checkpoint(session: AsyncSession, row: AuditCheckpoint) -> AuditCheckpoint:
    """Store a signed head; a periodic one whose period has one already fails here
    (IntegrityError: the period's unique key decides between workers)."""
    session.add(row)
    await session.flush()
    return row


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
