"""Every query on the idempotency keys.

A key belongs to its owner (the subject acting for its department, `idempotency._owner`):
the owner is half the primary key, so every read and write names it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete as delete_statement
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.models import IdempotencyRecord


async def get(session: AsyncSession, owner: str, key: str) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, (owner, key))


async def claim(
    session: AsyncSession, owner: str, key: str, request_hash: str, now: datetime
) -> IdempotencyRecord:
    """Insert the key, in flight; IntegrityError when a concurrent request claimed it."""
    record = IdempotencyRecord(
        subject=owner, key=key, request_hash=request_hash, state="in_flight", created_at=now
    )
    session.add(record)
    await session.flush()
    return record


async def delete(session: AsyncSession, record: IdempotencyRecord) -> None:
    await session.delete(record)


async def delete_created_before(session: AsyncSession, cutoff: datetime) -> int:
    """Prune keys claimed before `cutoff`; how many went."""
    result = await session.execute(
        delete_statement(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)
