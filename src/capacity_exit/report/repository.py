"""Every query of the report platform."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from capacity_exit.report.machine import AWAITING_ACCEPTANCE, AWAITING_CONCLUSION
from capacity_exit.report.models import Report, ReportEvent, ReportEvidence


async def add(session: AsyncSession, row: Report | ReportEvent | ReportEvidence) -> None:
    session.add(row)
    await session.flush()


async def refresh(session: AsyncSession, report: Report) -> None:
    await session.refresh(report)


async def lock(session: AsyncSession, report: Report) -> None:
    """Hold `report`'s row until the transaction ends, its attributes re-read (PostgreSQL:
    `SELECT ... FOR UPDATE`; SQLite has one writer and no row locks: the caller's
    version check and retry serve there)."""
    await session.execute(
        select(Report)
        .where(Report.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def by_code(session: AsyncSession, code: str) -> Report | None:
    return await session.scalar(select(Report).where(Report.tracking_code == code))


async def by_idempotency(session: AsyncSession, digest: str) -> Report | None:
    return await session.scalar(select(Report).where(Report.idempotency_digest == digest))


async def get_in_scope(
    session: AsyncSession, report_id: uuid.UUID, readable: Iterable[str]
) -> Report | None:
    return await session.scalar(
        select(Report).where(Report.id == report_id, Report.jurisdiction_code.in_(list(readable)))
    )


async def similar_in_scope(
    session: AsyncSession,
    report: Report,
    readable: Iterable[str],
    *,
    received_from: dt.date,
    received_to: dt.date,
    limit: int,
) -> Sequence[Report]:
    """Other reports the caller may read, of `report`'s category, received in the window,
    about the same enterprise: the same registered enterprise, credit code or name."""
    same = [
        column == value
        for column, value in (
            (Report.enterprise_id, report.enterprise_id),
            (Report.enterprise_credit_code, report.enterprise_credit_code),
            (Report.enterprise_name, report.enterprise_name),
        )
        if value is not None
    ]
    if not same:
        return []
    return (
        await session.scalars(
            select(Report)
            .where(
                Report.id != report.id,
                Report.jurisdiction_code.in_(list(readable)),
                Report.category == report.category,
                Report.received_on >= received_from,
                Report.received_on <= received_to,
                or_(*same),
            )
            .order_by(Report.id)
            .limit(limit)
        )
    ).all()


def _overdue_clause(today: dt.date):  # type: ignore[no-untyped-def]
    return or_(
        and_(Report.status.in_(list(AWAITING_ACCEPTANCE)), Report.acceptance_due < today),
        and_(Report.status.in_(list(AWAITING_CONCLUSION)), Report.conclusion_due < today),
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
    lead_department: str | None,
    overdue_on: dt.date | None,
) -> Sequence[Report]:
    query = (
        select(Report)
        .where(Report.jurisdiction_code.in_(list(readable)))
        .order_by(Report.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Report.id > after)
    for column, value in (
        (Report.category, category),
        (Report.status, status),
        (Report.jurisdiction_code, jurisdiction),
        (Report.lead_department_code, lead_department),
    ):
        if value is not None:
            query = query.where(column == value)
    if overdue_on is not None:
        query = query.where(_overdue_clause(overdue_on))
    return (await session.scalars(query)).all()


async def events_of(
    session: AsyncSession,
    report_id: uuid.UUID,
    *,
    after: int | None,
    limit: int | None,
    public_only: bool = False,
) -> Sequence[ReportEvent]:
    query = select(ReportEvent).where(ReportEvent.report_id == report_id)
    if public_only:
        query = query.where(ReportEvent.public.is_(True))
    if after is not None:
        query = query.where(ReportEvent.sequence > after)
    query = query.order_by(ReportEvent.sequence)
    if limit is not None:
        query = query.limit(limit)
    return (await session.scalars(query)).all()


# --- the worker's scans (report.jobs, report.retention) --------------------------------


async def overdue_unmarked(
    session: AsyncSession, states: Iterable[str], due_column: str, today: dt.date
) -> Sequence[Report]:
    """Reports in `states` whose `due_column` passed before `today` and that carry no
    `overdue` event recorded in one of those states since the reporter last objected (one
    mark per stage; the review after an objection is a stage of its own)."""
    states = list(states)
    due = getattr(Report, due_column)
    objection = aliased(ReportEvent)
    last_objection = (
        select(func.coalesce(func.max(objection.sequence), 0))
        .where(objection.report_id == Report.id, objection.action == "object")
        .scalar_subquery()
    )
    marked = (
        select(ReportEvent.id)
        .where(
            ReportEvent.report_id == Report.id,
            ReportEvent.kind == "overdue",
            ReportEvent.from_state.in_(states),
            ReportEvent.sequence > last_objection,
        )
        .exists()
    )
    query = (
        select(Report)
        .where(Report.status.in_(states), due.is_not(None), due < today, ~marked)
        .order_by(Report.id)
    )
    return (await session.scalars(query)).all()


async def contacts_due_for_erasure(
    session: AsyncSession, states: Iterable[str], closed_by: dt.date
) -> Sequence[Report]:
    """Ended reports closed on or before `closed_by` that still hold a sealed contact."""
    query = (
        select(Report)
        .where(
            Report.status.in_(list(states)),
            Report.closed_on.is_not(None),
            Report.closed_on <= closed_by,
            Report.contact_sealed.is_not(None),
        )
        .order_by(Report.id)
    )
    return (await session.scalars(query)).all()


async def evidence_of(session: AsyncSession, report_id: uuid.UUID) -> Sequence[ReportEvidence]:
    query = select(ReportEvidence).where(ReportEvidence.report_id == report_id)
    return (await session.scalars(query.order_by(ReportEvidence.id))).all()


async def evidence_by_id(
    session: AsyncSession, report_id: uuid.UUID, evidence_id: uuid.UUID
) -> ReportEvidence | None:
    return await session.scalar(
        select(ReportEvidence).where(
            ReportEvidence.id == evidence_id, ReportEvidence.report_id == report_id
        )
    )
