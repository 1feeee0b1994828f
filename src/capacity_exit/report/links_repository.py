"""Every query of a report's links: the links, and what they point at."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case.models import Case
from capacity_exit.disclosure.models import Disclosure, DisclosureStatus
from capacity_exit.inspection.models import Inspection
from capacity_exit.report.models import LinkKind, ReportLink


async def add(session: AsyncSession, link: ReportLink) -> None:
    session.add(link)
    await session.flush()


async def links_of(
    session: AsyncSession, report_ids: Collection[uuid.UUID]
) -> Sequence[ReportLink]:
    if not report_ids:
        return []
    return (
        await session.scalars(
            select(ReportLink)
            .where(ReportLink.report_id.in_(list(report_ids)))
            .order_by(ReportLink.created_at, ReportLink.id)
        )
    ).all()


async def reports_of_cases(
    session: AsyncSession, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The report each case was linked to (the first, if several), by case id."""
    if not case_ids:
        return {}
    rows = await session.execute(
        select(ReportLink.target_id, ReportLink.report_id)
        .where(ReportLink.kind == LinkKind.case, ReportLink.target_id.in_(list(case_ids)))
        .order_by(ReportLink.created_at.desc(), ReportLink.id.desc())
    )
    return {case_id: report_id for case_id, report_id in rows.all()}


async def inspections(session: AsyncSession, ids: Collection[uuid.UUID]) -> Sequence[Inspection]:
    if not ids:
        return []
    return (await session.scalars(select(Inspection).where(Inspection.id.in_(list(ids))))).all()


async def cases(session: AsyncSession, ids: Collection[uuid.UUID]) -> Sequence[Case]:
    if not ids:
        return []
    return (await session.scalars(select(Case).where(Case.id.in_(list(ids))))).all()


async def notices(
    session: AsyncSession, case_ids: Collection[uuid.UUID], notice_ids: Collection[uuid.UUID]
) -> Sequence[Disclosure]:
    """The notices of the public record the cases published (current or withdrawn: a
    superseded version is replaced by its correction), and the notices named directly."""
    if not case_ids and not notice_ids:
        return []
    return (
        await session.scalars(
            select(Disclosure)
            .where(
                or_(
                    Disclosure.case_id.in_(list(case_ids))
                    & Disclosure.status.in_([DisclosureStatus.current, DisclosureStatus.withdrawn]),
                    Disclosure.id.in_(list(notice_ids)),
                )
            )
            .order_by(Disclosure.published_at, Disclosure.id)
        )
    ).all()


async def notice(session: AsyncSession, notice_id: uuid.UUID) -> Disclosure | None:
    return await session.scalar(select(Disclosure).where(Disclosure.id == notice_id))
