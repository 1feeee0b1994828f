"""Every query on accounts and the login throttle."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.models import Account, LoginThrottle
from capacity_exit.org.models import Department


async def get_by_login(session: AsyncSession, login: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.login == login))


async def get_in_scope(
    session: AsyncSession, account_id: uuid.UUID, jurisdictions: Iterable[str]
) -> Account | None:
    return await session.scalar(
        select(Account)
        .join(Department, Department.code == Account.department_code)
        .where(Account.id == account_id, Department.jurisdiction_code.in_(list(jurisdictions)))
    )


async def list_in_scope(
    session: AsyncSession,
    jurisdictions: Iterable[str],
    *,
    limit: int,
    after: uuid.UUID | None,
    department: str | None,
    kind: str | None,
    include_disabled: bool,
) -> Sequence[Account]:
    query = (
        select(Account)
        .join(Department, Department.code == Account.department_code)
        .where(Department.jurisdiction_code.in_(list(jurisdictions)))
        .order_by(Account.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Account.id > after)
    if department is not None:
        query = query.where(Account.department_code == department)
    if kind is not None:
        query = query.where(Account.kind == kind)
    if not include_disabled:
        query = query.where(Account.disabled.is_(False))
    return (await session.scalars(query)).all()


async def add(session: AsyncSession, account: Account) -> Account:
    session.add(account)
    await session.flush()
    return account


async def throttle_state(session: AsyncSession, login: str) -> LoginThrottle | None:
    return await session.get(LoginThrottle, login)


async def save_throttle(session: AsyncSession, state: LoginThrottle) -> None:
    session.add(state)
    await session.flush()


async def clear_throttle(session: AsyncSession, login: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.login == login))
