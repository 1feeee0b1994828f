"""Every query on accounts and the login throttle."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.models import Account, LoginThrottle
from capacity_exit.auth.throttle import Reservation, ThrottleRules
from capacity_exit.org.models import Department


async def get_by_login(session: AsyncSession, login: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.login == login))


async def get_by_id(session: AsyncSession, account_id: uuid.UUID) -> Account | None:
    """The account a verified token names (its own subject: no scope to apply)."""
    return await session.get(Account, account_id)


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


async def refresh(session: AsyncSession, account: Account) -> Account:
    """Reload `account` after a conditional update changed its row."""
    await session.refresh(account)
    return account


async def reserve_guess(
    session: AsyncSession, login: str, now: datetime, rules: ThrottleRules
) -> Reservation:
    """Count one guess at `login` in a single upsert and return the count and the lock.

    A locked name is left as it is; a name whose lock has expired or whose window has
    closed starts a new count at 1; otherwise the count goes up by one, and a count past
    the limit locks the name. `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` is atomic
    on PostgreSQL and SQLite alike, and the row stays locked (PostgreSQL) or the database
    write-locked (SQLite) until the request's transaction ends, so concurrent guesses at
    one name are counted one after another, none lost and none refused with a conflict."""
    row = LoginThrottle.__table__.c
    moment = literal(now, row.locked_until.type)
    locked = row.locked_until > moment
    stale = or_(
        row.locked_until.is_not(None),  # a lock that has expired
        row.window_started_at.is_(None),
        row.window_started_at <= literal(now - rules.window, row.window_started_at.type),
    )
    over_limit = row.failures + 1 > rules.max_failures
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(LoginThrottle)
        .values(login=login, failures=1, window_started_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[row.login],
            set_={
                "failures": case((locked, row.failures), (stale, 1), else_=row.failures + 1),
                "window_started_at": case(
                    (locked, row.window_started_at), (stale, moment), else_=row.window_started_at
                ),
                "locked_until": case(
                    (locked, row.locked_until),
                    (stale, None),
                    (over_limit, literal(now + rules.lockout, row.locked_until.type)),
                    else_=None,
                ),
            },
        )
        .returning(row.failures, row.locked_until)
    )
    failures, locked_until = (await session.execute(statement)).one()
    return Reservation(int(failures), locked_until)


async def lock_login(session: AsyncSession, login: str, until: datetime) -> None:
    """Lock `login` until `until`, or later if a concurrent guess already locked it so."""
    later = literal(until, LoginThrottle.locked_until.type)
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.login == login)
        .values(
            locked_until=case(
                (LoginThrottle.locked_until > later, LoginThrottle.locked_until), else_=later
            )
        )
    )


async def clear_throttle(session: AsyncSession, login: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.login == login))
