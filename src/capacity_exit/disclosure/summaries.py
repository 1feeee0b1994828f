"""City-level notices (一(四)): a city department republishes the targets or the
completion its counties disclosed, each with the city's latest review of it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.core.actor import current_actor
from capacity_exit.core.clock import as_utc
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.problems import FieldProblem
from capacity_exit.disclosure import repository
from capacity_exit.disclosure.models import CitySummary, Disclosure, DisclosureStatus, SummaryScope
from capacity_exit.disclosure.schemas import CitySummaryIn
from capacity_exit.org import repository as org

KIND_OF_SCOPE = {SummaryScope.targets: "publicity", SummaryScope.completion: "announcement"}


async def _entry(session: AsyncSession, notice: Disclosure) -> dict[str, Any]:
    review = await repository.latest_review(session, notice.series_id)
    return {
        "disclosure_id": str(notice.id),
        "county": {"code": notice.jurisdiction_code, "name": notice.jurisdiction_name},
        "department": {"code": notice.department_code, "name": notice.department_name},
        "enterprise": {
            "name": notice.enterprise_name,
            "credit_code": notice.enterprise_credit_code,
            "address": notice.enterprise_address,
        },
        "kind": notice.kind,
        "published_at": as_utc(notice.published_at).isoformat(),
        "on_time": notice.on_time,
        "review": None
        if review is None
        else {
            "kind": review.kind,
            "outcome": review.outcome,
            "reviewed_on": review.reviewed_on.isoformat(),
            "discrepancies": review.discrepancies,
        },
    }


async def publish(session: AsyncSession, principal: Principal, data: CitySummaryIn) -> CitySummary:
    if principal.level != "city" or not principal.can_write(principal.jurisdiction_code):
        raise Forbidden("City-level notices are published by city departments.", code="not_city")
    problems, entries = [], []
    seen: set[uuid.UUID] = set()
    for i, disclosure_id in enumerate(data.disclosures):  # i: the position in the request
        if disclosure_id in seen:
            continue
        seen.add(disclosure_id)
        notice = await repository.get_of_counties(
            session, disclosure_id, principal.jurisdiction_code
        )
        if notice is None:
            # Not a notice of this city's counties: as if it did not exist.
            raise NotFound.referenced(f"disclosures/{i}", "disclosure", disclosure_id)
        if notice.status != DisclosureStatus.current:
            raise Conflict(
                f"Notice {notice.id} is {notice.status}: cover its current version.",
                code=f"disclosure_{notice.status}",
                errors=[
                    FieldProblem(
                        pointer=f"/disclosures/{i}", detail=notice.status, code="not_current"
                    )
                ],
            )
        if notice.category != data.category or notice.kind != KIND_OF_SCOPE[data.scope]:
            problems.append(
                FieldProblem(
                    pointer=f"/disclosures/{i}",
                    detail=f"a {notice.category} {notice.kind}, not {data.category} {data.scope}",
                    code="not_covered",
                )
            )
            continue
        entries.append(await _entry(session, notice))
    if problems:
        raise Unprocessable("Some notices cannot be covered.", code="not_covered", errors=problems)
    department = await org.get_department(session, principal.department_code)
    summary = CitySummary(
        category=data.category,
        scope=data.scope,
        title=data.title,
        department_code=principal.department_code,
        department_name=department.name if department else principal.department_code,
        jurisdiction_code=principal.jurisdiction_code,
        entries=entries,
        published_by=current_actor().subject,
    )
    await repository.add(session, summary)
    await audit.record(
        session,
        action="disclosure.city_summary",
        object_type="city_summary",
        object_id=str(summary.id),
        jurisdiction=summary.jurisdiction_code,
        after=audit.snapshot(summary),
    )
    return summary


async def get(session: AsyncSession, summary_id: uuid.UUID) -> CitySummary:
    summary = await repository.get_city_summary(session, summary_id)
    if summary is None:
        raise NotFound(f"No city-level notice {summary_id}.")
    return summary


async def page(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int, category: str | None
) -> Sequence[CitySummary]:
    return await repository.city_summaries(session, after=after, limit=limit, category=category)
