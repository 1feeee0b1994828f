"""Every query on cases and their history."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case.models import Case, CaseEvent


async def add(session: AsyncSession, case: Case) -> Case:
    session.add(case)
    await session.flush()
    return case


async def refresh(session: AsyncSession, case: Case) -> Case:
    await session.refresh(case)
    return case


async def get_in_scope(
    session: AsyncSession, case_id: uuid.UUID, readable: Iterable[str]
) -> Case | None:
    return await session.scalar(
        select(Case).where(Case.id == case_id, Case.jurisdiction_code.in_(list(readable)))
    )


async def list_in_scope(
    session: AsyncSession,
    readable: Iterable[str],
    *,
    limit: int,
    after: uuid.UUID | None,
    category: str | None,
    status: str | None,
    jurisdiction: str | None,
    department: str | None,
    enterprise_id: uuid.UUID | None,
    overdue: bool | None,
    due_before: dt.date | None,
) -> Sequence[Case]:
    query = (
        select(Case)
        .where(Case.jurisdiction_code.in_(list(readable)))
        .order_by(Case.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Case.id > after)
    for column, value in (
        (Case.category, category),
        (Case.status, status),
        (Case.jurisdiction_code, jurisdiction),
        (Case.department_code, department),
        (Case.enterprise_id, enterprise_id),
        (Case.overdue, overdue),
    ):
        if value is not None:
            query = query.where(column == value)
    if due_before is not None:
        query = query.where(Case.completion_deadline < due_before)
    return (await session.scalars(query)).all()


async def forced_exits_of(
    session: AsyncSession, parent_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The forced-exit case opened from each of these rectification cases."""
    ids = list(parent_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Case.parent_case_id, Case.id).where(Case.parent_case_id.in_(ids))
    )
    return {parent: child for parent, child in rows if parent is not None}


async def overdue_candidates(
    session: AsyncSession, waiting: Iterable[tuple[str, str]], today: dt.date
) -> Sequence[Case]:
    """Cases in a (category, state) that waits for completion, whose deadline has passed
    and that are not yet marked overdue."""
    pairs = [and_(Case.category == c, Case.status == s) for c, s in waiting]
    return (
        await session.scalars(
            select(Case)
            .where(
                or_(*pairs),
                Case.overdue.is_(False),
                Case.completion_deadline.is_not(None),
                Case.completion_deadline < today,
            )
            .order_by(Case.id)
        )
    ).all()


async def add_event(session: AsyncSession, event: CaseEvent) -> CaseEvent:
    session.add(event)
    await session.flush()
    return event


async def events_of(
    session: AsyncSession, case_id: uuid.UUID, *, after: int | None, limit: int
) -> Sequence[CaseEvent]:
    query = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.sequence)
        .limit(limit)
    )
    if after is not None:
        query = query.where(CaseEvent.sequence > after)
    return (await session.scalars(query)).all()


async def last_step_day(session: AsyncSession, case_id: uuid.UUID, action: str) -> dt.date | None:
    """The business day the case last took `action`, from its history."""
    return await session.scalar(
        select(CaseEvent.business_date)
        .where(CaseEvent.case_id == case_id, CaseEvent.action == action)
        .order_by(CaseEvent.sequence.desc())
        .limit(1)
    )
