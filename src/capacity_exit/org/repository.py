"""Every query on divisions and departments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.org.models import Department, Jurisdiction


async def list_jurisdictions(
    session: AsyncSession,
    *,
    level: str | None = None,
    parent_code: str | None = None,
    include_retired: bool = False,
) -> Sequence[Jurisdiction]:
    query = select(Jurisdiction).order_by(Jurisdiction.code)
    if level is not None:
        query = query.where(Jurisdiction.level == level)
    if parent_code is not None:
        query = query.where(Jurisdiction.parent_code == parent_code)
    if not include_retired:
        query = query.where(Jurisdiction.retired_year.is_(None))
    return (await session.scalars(query)).all()


async def get_jurisdiction(session: AsyncSession, code: str) -> Jurisdiction | None:
    return await session.get(Jurisdiction, code)


async def save_jurisdiction(session: AsyncSession, row: Jurisdiction) -> Jurisdiction:
    """Insert or update a division (flushed: departments reference it by key)."""
    session.add(row)
    await session.flush()
    return row


async def list_departments(
    session: AsyncSession, *, jurisdiction_code: str | None = None, kind: str | None = None
) -> Sequence[Department]:
    query = select(Department).order_by(Department.jurisdiction_code, Department.code)
    if jurisdiction_code is not None:
        query = query.where(Department.jurisdiction_code == jurisdiction_code)
    if kind is not None:
        query = query.where(Department.kind == kind)
    return (await session.scalars(query)).all()


async def get_department(session: AsyncSession, code: str) -> Department | None:
    return await session.get(Department, code)


async def save_department(session: AsyncSession, row: Department) -> Department:
    session.add(row)
    await session.flush()
    return row


async def current_descendants(session: AsyncSession, code: str) -> set[str]:
    """Codes of the current divisions below `code` (children and grandchildren)."""
    children = set(
        (
            await session.scalars(
                select(Jurisdiction.code).where(
                    Jurisdiction.parent_code == code, Jurisdiction.retired_year.is_(None)
                )
            )
        ).all()
    )
    if not children:
        return children
    grandchildren = set(
        (
            await session.scalars(
                select(Jurisdiction.code).where(
                    Jurisdiction.parent_code.in_(children), Jurisdiction.retired_year.is_(None)
                )
            )
        ).all()
    )
    return children | grandchildren
