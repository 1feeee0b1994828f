"""Every query on disclosures, their history, reviews and correction requests.

The reads a department makes take the jurisdictions it may read (`Principal.readable`)
and filter on them in the statement; the public reads take what was published."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, RowMapping, Text, cast, insert, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.clock import utcnow
from capacity_exit.disclosure.models import (
    CitySummary,
    CorrectionRequest,
    Disclosure,
    DisclosureEvent,
    DisclosurePublisher,
    DisclosureReview,
    DisclosureStatus,
    PublishingRole,
)
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.org.models import Jurisdiction

# Every stored version is a published notice: the current one, those a correction
# superseded and those withdrawn; the public record shows them all.
PUBLISHED = (DisclosureStatus.current, DisclosureStatus.superseded, DisclosureStatus.withdrawn)

# What a correction carries over from the version it corrects.
COPIED_ON_CORRECTION = (
    "series_id",
    "kind",
    "category",
    "case_id",
    "step",
    "enterprise_id",
    "enterprise_name",
    "enterprise_credit_code",
    "enterprise_address",
    "department_code",
    "department_name",
    "level",
    "jurisdiction_code",
    "jurisdiction_name",
    "due_date",
    "on_time",
    "period_end",
    "batch_id",
    "co_publishers",
)
_CREDIT_CODE_LENGTH = 18
# The column of the public page saying in which role the filtered department carries it.
PUBLISHING_ROLE = "publishing_role"


async def add(session: AsyncSession, row: Any) -> Any:
    session.add(row)
    await session.flush()
    return row


async def add_notice(session: AsyncSession, disclosure: Disclosure) -> Disclosure:
    """A notice version, with who carries it: its publisher and each co-publisher."""
    await add(session, disclosure)
    await session.execute(
        insert(DisclosurePublisher),
        [
            {
                "disclosure_id": disclosure.id,
                "department_code": disclosure.department_code,
                "role": PublishingRole.publisher,
            },
            *(
                {
                    "disclosure_id": disclosure.id,
                    "department_code": co["code"],
                    "role": PublishingRole.co_publisher,
                }
                for co in disclosure.co_publishers
                if co["code"] != disclosure.department_code
            ),
        ],
    )
    return disclosure


async def refresh(session: AsyncSession, row: Any) -> Any:
    await session.refresh(row)
    return row


async def get_published(session: AsyncSession, disclosure_id: uuid.UUID) -> Disclosure | None:
    """A notice of the public record, whichever its status."""
    return await session.scalar(
        select(Disclosure).where(Disclosure.id == disclosure_id, Disclosure.status.in_(PUBLISHED))
    )


async def get_in_scope(
    session: AsyncSession, disclosure_id: uuid.UUID, readable: Iterable[str]
) -> Disclosure | None:
    """A notice of the jurisdictions the caller may read."""
    return await session.scalar(
        select(Disclosure).where(
            Disclosure.id == disclosure_id, Disclosure.jurisdiction_code.in_(list(readable))
        )
    )


async def get_of_counties(
    session: AsyncSession, disclosure_id: uuid.UUID, city_code: str
) -> Disclosure | None:
    """A notice of one of the city's counties (divisions whose parent it is)."""
    counties = select(Jurisdiction.code).where(Jurisdiction.parent_code == city_code)
    return await session.scalar(
        select(Disclosure).where(
            Disclosure.id == disclosure_id, Disclosure.jurisdiction_code.in_(counties)
        )
    )


async def enterprise_of_case(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise | None:
    """The enterprise a case is about, for the notice the case publishes: the case was
    read in the caller's scope, and its enterprise is named wherever it is now."""
    return await session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id))


async def current_of_case(session: AsyncSession, case_id: uuid.UUID) -> Sequence[Disclosure]:
    return (
        await session.scalars(
            select(Disclosure).where(
                Disclosure.case_id == case_id, Disclosure.status == DisclosureStatus.current
            )
        )
    ).all()


async def supersede(session: AsyncSession, disclosure_id: uuid.UUID) -> bool:
    """Mark the current version superseded; False when another change got there first."""
    result = await session.execute(
        update(Disclosure)
        .where(Disclosure.id == disclosure_id, Disclosure.status == DisclosureStatus.current)
        .values(status=DisclosureStatus.superseded)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def mark_withdrawn(
    session: AsyncSession, disclosure_id: uuid.UUID, reason: str, at: dt.datetime
) -> bool:
    result = await session.execute(
        update(Disclosure)
        .where(Disclosure.id == disclosure_id, Disclosure.status == DisclosureStatus.current)
        .values(status=DisclosureStatus.withdrawn, withdrawn_reason=reason, withdrawn_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def versions(session: AsyncSession, series_id: uuid.UUID) -> Sequence[Disclosure]:
    return (
        await session.scalars(
            select(Disclosure).where(Disclosure.series_id == series_id).order_by(Disclosure.version)
        )
    ).all()


async def history(session: AsyncSession, series_id: uuid.UUID) -> Sequence[DisclosureEvent]:
    return (
        await session.scalars(
            select(DisclosureEvent)
            .where(DisclosureEvent.series_id == series_id)
            .order_by(DisclosureEvent.id)
        )
    ).all()


def _public_query(
    *selected: Any,
    after: uuid.UUID | None,
    limit: int,
    category: str | None,
    kind: str | None,
    jurisdiction: str | None,
    department: str | None,
    enterprise: str | None,
    published_from: dt.datetime | None,
    published_to: dt.datetime | None,
    include_withdrawn: bool,
    batch: uuid.UUID | None = None,
    case: uuid.UUID | None = None,
) -> Any:
    """Current notices (and withdrawn ones when asked), newest first, keyset-paged on id
    (ids are time-ordered), each with `publishing_role`: the role in which `department`
    carries it (publisher or co-publisher), or null when no department is asked for.

    A department's notices are read through `disclosure_publishers`, whose key
    (department, disclosure id) gives them newest first: the order and the cursor are on
    that key's column, so the database walks the index and stops at the page's end."""
    statuses = (
        [DisclosureStatus.current, DisclosureStatus.withdrawn]
        if include_withdrawn
        else [DisclosureStatus.current]
    )
    position: Any = Disclosure.id
    role: Any = null()
    if department is not None:
        position, role = DisclosurePublisher.disclosure_id, DisclosurePublisher.role
    query = (
        select(*selected, role.label(PUBLISHING_ROLE))
        .where(Disclosure.status.in_(statuses))
        .order_by(position.desc())
        .limit(limit)
    )
    if department is not None:
        query = query.join(
            DisclosurePublisher, DisclosurePublisher.disclosure_id == Disclosure.id
        ).where(DisclosurePublisher.department_code == department)
    if after is not None:
        query = query.where(position < after)
    for column, value in (
        (Disclosure.category, category),
        (Disclosure.kind, kind),
        (Disclosure.jurisdiction_code, jurisdiction),
    ):
        if value is not None:
            query = query.where(column == value)
    if enterprise:
        # A credit code is matched exactly; anything else is the start of the name.
        pattern = enterprise.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        by_name = Disclosure.enterprise_name.like(pattern + "%", escape="\\")
        query = query.where(
            or_(Disclosure.enterprise_credit_code == enterprise.upper(), by_name)
            if len(enterprise) == _CREDIT_CODE_LENGTH
            else by_name
        )
    if batch is not None:
        query = query.where(Disclosure.batch_id == batch)
    if case is not None:
        query = query.where(Disclosure.case_id == case)
    if published_from is not None:
        query = query.where(Disclosure.published_at >= published_from)
    if published_to is not None:
        query = query.where(Disclosure.published_at < published_to)
    return query


async def public_page(session: AsyncSession, **filters: Any) -> list[tuple[Disclosure, str | None]]:
    """The page as notices, each with the role the filtered department carries it in."""
    rows = (await session.execute(_public_query(Disclosure, **filters))).all()
    return [(row[0], row[1]) for row in rows]


async def public_rows(session: AsyncSession, **filters: Any) -> Sequence[RowMapping]:
    """The same page as plain rows: the public list reads many and needs no objects."""
    # One statement reads a consistent snapshot by itself: no BEGIN and COMMIT round trips
    # around it, and Core rows rather than ORM objects. (Must be the session's first use.)
    connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    result = await connection.execute(_public_query(*_PUBLIC_ROW_COLUMNS, **filters))
    return result.mappings().all()


# The stored JSON columns as their text: the list passes them through as they are, rather
# than decoding each and encoding it again (see `disclosure.public_json`).
_PUBLIC_ROW_COLUMNS = [
    cast(column, Text).label(column.name) if isinstance(column.type, JSON) else column
    for column in Disclosure.__table__.columns
]


async def get_correction_request(
    session: AsyncSession, request_id: uuid.UUID, series_id: uuid.UUID
) -> CorrectionRequest | None:
    """A correction request made of a notice of this series (the one being corrected)."""
    return await session.scalar(
        select(CorrectionRequest).where(
            CorrectionRequest.id == request_id, CorrectionRequest.series_id == series_id
        )
    )


async def resolve_correction_request(
    session: AsyncSession, request: CorrectionRequest, resolved_by: uuid.UUID
) -> None:
    await session.execute(
        update(CorrectionRequest)
        .where(CorrectionRequest.id == request.id, CorrectionRequest.status == "open")
        .values(
            status="resolved",
            resolved_by_id=resolved_by,
            version=CorrectionRequest.version + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(request)


async def correction_requests(
    session: AsyncSession,
    readable: Iterable[str],
    *,
    status: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[CorrectionRequest]:
    query = (
        select(CorrectionRequest)
        .where(CorrectionRequest.jurisdiction_code.in_(list(readable)))
        .order_by(CorrectionRequest.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(CorrectionRequest.status == status)
    if after is not None:
        query = query.where(CorrectionRequest.id > after)
    return (await session.scalars(query)).all()


async def latest_review(session: AsyncSession, series_id: uuid.UUID) -> DisclosureReview | None:
    return await session.scalar(
        select(DisclosureReview)
        .join(Disclosure, Disclosure.id == DisclosureReview.disclosure_id)
        .where(Disclosure.series_id == series_id)
        .order_by(DisclosureReview.id.desc())
        .limit(1)
    )


async def get_city_summary(session: AsyncSession, summary_id: uuid.UUID) -> CitySummary | None:
    return await session.get(CitySummary, summary_id)


async def city_summaries(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int, category: str | None
) -> Sequence[CitySummary]:
    query = select(CitySummary).order_by(CitySummary.id.desc()).limit(limit)
    if after is not None:
        query = query.where(CitySummary.id < after)
    if category is not None:
        query = query.where(CitySummary.category == category)
    return (await session.scalars(query)).all()
