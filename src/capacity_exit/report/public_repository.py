"""Every query of the report platform's public side: concluded reports, statistics,
the links a report led to.

The list selects the columns it publishes and no others, so what the reporter wrote
(`what_was_seen`), the contact, the location and the tracking code are never read on the
public path. The statistics are one `GROUP BY` each, portable between SQLite and
PostgreSQL (`extract` compiles to `strftime` on SQLite).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import RowMapping, and_, case, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case.machine import Category
from capacity_exit.disclosure.models import Disclosure, DisclosureStatus
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.org.models import Department, Jurisdiction
from capacity_exit.org.schemas import Level
from capacity_exit.report.machine import ReportState
from capacity_exit.report.models import LinkKind, Report, ReportLink

# What the public list shows: a conclusion stands (concluded, or closed after it).
PUBLIC_STATES = (ReportState.concluded, ReportState.closed)
# A case's notices on the public record (a superseded version is reached from its current one).
LISTED_NOTICES = (DisclosureStatus.current, DisclosureStatus.withdrawn)

_LIST_COLUMNS = (
    Report.id,
    Report.category,
    Report.status,
    Report.jurisdiction_code,
    Jurisdiction.name.label("jurisdiction_name"),
    func.coalesce(Enterprise.name, Report.enterprise_name).label("enterprise_name"),
    func.coalesce(Enterprise.credit_code, Report.enterprise_credit_code).label(
        "enterprise_credit_code"
    ),
    Report.received_on,
    Report.acceptance_due,
    Report.accepted_on,
    Report.conclusion_due,
    Report.concluded_on,
    Report.closed_on,
    Report.result,
    Report.public_text,
    Report.handling_departments,
    Report.disputed_notice_id,
)


async def concluded_page(
    session: AsyncSession,
    *,
    after: tuple[dt.date, uuid.UUID] | None,
    limit: int,
    category: str | None,
    county: str | None,
    result: str | None,
    concluded_from: dt.date | None,
    concluded_to: dt.date | None,
) -> Sequence[RowMapping]:
    """Concluded and closed reports, latest conclusion first (then newest report),
    keyset-paged on (concluded_on, id)."""
    query = (
        select(*_LIST_COLUMNS)
        .join(Jurisdiction, Jurisdiction.code == Report.jurisdiction_code)
        .outerjoin(Enterprise, Enterprise.id == Report.enterprise_id)
        .where(
            Report.status.in_(list(PUBLIC_STATES)),
            Report.concluded_on.is_not(None),
            Report.result.is_not(None),
        )
        .order_by(Report.concluded_on.desc(), Report.id.desc())
        .limit(limit)
    )
    if after is not None:
        day, report_id = after
        query = query.where(
            or_(
                Report.concluded_on < day,
                and_(Report.concluded_on == day, Report.id < report_id),
            )
        )
    for column, value in (
        (Report.category, category),
        (Report.jurisdiction_code, county),
        (Report.result, result),
    ):
        if value is not None:
            query = query.where(column == value)
    if concluded_from is not None:
        query = query.where(Report.concluded_on >= concluded_from)
    if concluded_to is not None:
        query = query.where(Report.concluded_on <= concluded_to)
    return (await session.execute(query)).mappings().all()


async def department_names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Department.code, Department.name).where(Department.code.in_(wanted))
    )
    return {code: name for code, name in rows.all()}


async def linked_case_ids(
    session: AsyncSession, report_ids: Sequence[uuid.UUID]
) -> Mapping[uuid.UUID, list[uuid.UUID]]:
    """THE ONE PLACE the public list learns which cases each report led to: the case
    links of `report_links` (opened from the report, or revoked by it). The public list
    shows a case only once it has published a notice, and those notices
    (`notices_of_cases`), so a case still in draft stays internal."""
    if not report_ids:
        return {}
    rows = await session.execute(
        select(ReportLink.report_id, ReportLink.target_id)
        .where(ReportLink.kind == LinkKind.case, ReportLink.report_id.in_(list(report_ids)))
        .order_by(ReportLink.created_at, ReportLink.id)
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for report_id, case_id in rows.all():
        found.setdefault(report_id, []).append(case_id)
    return found


async def notices_of_cases(
    session: AsyncSession, case_ids: Iterable[uuid.UUID]
) -> Sequence[RowMapping]:
    wanted = list(set(case_ids))
    if not wanted:
        return []
    query = (
        select(
            Disclosure.id,
            Disclosure.case_id,
            Disclosure.kind,
            Disclosure.category,
            Disclosure.status,
        )
        .where(Disclosure.case_id.in_(wanted), Disclosure.status.in_(list(LISTED_NOTICES)))
        .order_by(Disclosure.id)
    )
    return (await session.execute(query)).mappings().all()


# --- statistics ------------------------------------------------------------------------


def _received_in(
    received_from: dt.date | None, received_to: dt.date | None, county: str | None
) -> list[Any]:
    where: list[Any] = []
    if received_from is not None:
        where.append(Report.received_on >= received_from)
    if received_to is not None:
        where.append(Report.received_on <= received_to)
    if county is not None:
        where.append(Report.jurisdiction_code == county)
    return where


async def counts_by(
    session: AsyncSession,
    dimension: str,
    *,
    received_from: dt.date | None,
    received_to: dt.date | None,
    county: str | None,
) -> list[tuple[Any, ...]]:
    """(key, count) per `category`, `status` or `county` (with its name: key, name,
    count), or per `month` of receipt (year, month, count); keys ascending."""
    where = _received_in(received_from, received_to, county)
    count = func.count(Report.id)
    query: Any
    if dimension == "month":
        year, month = extract("year", Report.received_on), extract("month", Report.received_on)
        query = select(year, month, count).group_by(year, month).order_by(year, month)
    elif dimension == "county":
        query = (
            select(Report.jurisdiction_code, Jurisdiction.name, count)
            .join(Jurisdiction, Jurisdiction.code == Report.jurisdiction_code)
            .group_by(Report.jurisdiction_code, Jurisdiction.name)
            .order_by(Report.jurisdiction_code)
        )
    else:
        column = {"category": Report.category, "status": Report.status}[dimension]
        query = select(column, count).group_by(column).order_by(column)
    return [tuple(row) for row in (await session.execute(query.where(*where))).all()]


async def on_time_by_county(
    session: AsyncSession,
    *,
    received_from: dt.date | None,
    received_to: dt.date | None,
    county: str | None,
) -> list[tuple[str, str, int, int]]:
    """(county, name, concluded, concluded on time) for each county with a conclusion:
    a report counts once it was concluded (`concluded_on` set, whatever came after)."""
    on_time = func.sum(case((Report.concluded_on <= Report.conclusion_due, 1), else_=0))
    query = (
        select(Report.jurisdiction_code, Jurisdiction.name, func.count(Report.id), on_time)
        .join(Jurisdiction, Jurisdiction.code == Report.jurisdiction_code)
        .where(Report.concluded_on.is_not(None), *_received_in(received_from, received_to, county))
        .group_by(Report.jurisdiction_code, Jurisdiction.name)
        .order_by(Report.jurisdiction_code)
    )
    return [
        (code, name, int(concluded), int(timely or 0))
        for code, name, concluded, timely in (await session.execute(query)).all()
    ]


async def current_compliant(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    county: str | None,
) -> Sequence[tuple[Disclosure, str | None]]:
    """The compliant notices (一(一)5) currently standing, newest first, each with the
    enterprise's county (None when the enterprise is registered at city level): a
    revoked case's notice is withdrawn and leaves the list; a corrected notice is here
    as its current version."""
    county_code = case(
        (Jurisdiction.level == Level.county, Enterprise.jurisdiction_code), else_=None
    )
    query = (
        select(Disclosure, county_code)
        .join(Enterprise, Enterprise.id == Disclosure.enterprise_id)
        .join(Jurisdiction, Jurisdiction.code == Enterprise.jurisdiction_code)
        .where(
            Disclosure.status == DisclosureStatus.current,
            Disclosure.category == Category.compliant,
        )
        .order_by(Disclosure.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(Disclosure.id < after)
    if county is not None:
        query = query.where(Enterprise.jurisdiction_code == county)
    return [(notice, code) for notice, code in (await session.execute(query)).all()]
