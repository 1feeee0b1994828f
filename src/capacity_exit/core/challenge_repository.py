"""Every query on the spent proof-of-work challenges (`core.challenge`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.models import SpentChallenge


async def spend(session: AsyncSession, signature: str, expires_at: datetime) -> bool:
    """Record the challenge as spent; False when it already was.

    `INSERT ... ON CONFLICT DO NOTHING`: on PostgreSQL a concurrent spend of the same
    signature waits for the first transaction, then inserts nothing (or, if the first
    rolled back, inserts); the transaction stays usable either way, unlike after an
    IntegrityError. The row commits with the request's transaction, so a submission
    that fails later leaves the solution unspent."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SpentChallenge)
        .values(signature=signature, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[SpentChallenge.signature])
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def delete_expired_before(session: AsyncSession, cutoff: datetime) -> int:
    """Prune challenges that expired before `cutoff`; how many went."""
    result = await session.execute(delete(SpentChallenge).where(SpentChallenge.expires_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
