"""Every query on enterprises."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.enterprise.models import Enterprise


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_enterprises(
    session: AsyncSession,
    readable: Iterable[str],
    *,
    limit: int,
    after: uuid.UUID | None,
    jurisdiction_code: str | None = None,
    name_contains: str | None = None,
    credit_code: str | None = None,
) -> Sequence[Enterprise]:
    """Up to `limit` enterprises after `after`, oldest first (ids are time-ordered)."""
    query = (
        select(Enterprise)
        .where(Enterprise.jurisdiction_code.in_(list(readable)))
        .order_by(Enterprise.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Enterprise.id > after)
    if jurisdiction_code is not None:
        query = query.where(Enterprise.jurisdiction_code == jurisdiction_code)
    if name_contains is not None:
        query = query.where(Enterprise.name.ilike(f"%{_escape_like(name_contains)}%", escape="\\"))
    if credit_code is not None:
        query = query.where(Enterprise.credit_code == credit_code)
    return (await session.scalars(query)).all()


async def get_in_scope(
    session: AsyncSession, enterprise_id: uuid.UUID, readable: Iterable[str]
) -> Enterprise | None:
    return await session.scalar(
        select(Enterprise).where(
            Enterprise.id == enterprise_id, Enterprise.jurisdiction_code.in_(list(readable))
        )
    )


async def get_by_credit_code(session: AsyncSession, code: str) -> Enterprise | None:
    return await session.scalar(select(Enterprise).where(Enterprise.credit_code == code))


async def add(session: AsyncSession, enterprise: Enterprise) -> Enterprise:
    session.add(enterprise)
    await session.flush()
    return enterprise


async def refresh(session: AsyncSession, enterprise: Enterprise) -> Enterprise:
    await session.refresh(enterprise)
    return enterprise
