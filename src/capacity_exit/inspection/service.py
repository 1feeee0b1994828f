"""Recording inspections: who may inspect whom, and when publicity falls due."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.calendar import rules
from capacity_exit.calendar.index import CalendarIndex, Result
from capacity_exit.calendar.service import current_index
from capacity_exit.core import clock
from capacity_exit.core.errors import NotFound, Unprocessable
from capacity_exit.enterprise import service as enterprises
from capacity_exit.inspection import repository
from capacity_exit.inspection.models import Inspection
from capacity_exit.inspection.schemas import REVIEW_KINDS, InspectionCreate, InspectionKind
from capacity_exit.org import repository as org_repository


@dataclass(frozen=True)
class InspectionView:
    inspection: Inspection
    publicity_due: Result


def _view(index: CalendarIndex, inspection: Inspection) -> InspectionView:
    return InspectionView(inspection, rules.publicity_due(index, inspection.completed_on))


async def create(
    session: AsyncSession, principal: Principal, data: InspectionCreate
) -> InspectionView:
    enterprise = await enterprises.referenced(session, principal, data.enterprise_id)
    # A city department re-checks and spot-checks its counties (一(四)); every other
    # inspection is recorded where the department acts.
    if data.kind not in REVIEW_KINDS and not principal.can_write(enterprise.jurisdiction_code):
        raise Forbidden(
            f"A {InspectionKind(data.kind).value} of an enterprise in "
            f"{enterprise.jurisdiction_code} is recorded by that jurisdiction's departments; "
            "city departments record recheck and spot_check there.",
            code="out_of_scope",
        )
    if data.completed_on > clock.business_today():
        raise Unprocessable.at(
            "/completed_on", "an inspection cannot be completed in the future", "in_future"
        )
    departments = list(dict.fromkeys([principal.department_code, *data.departments]))
    for i, code in enumerate(data.departments):
        if await org_repository.get_department(session, code) is None:
            raise Unprocessable.at(
                f"/departments/{i}", f"no department {code}", "unknown_department"
            )
    inspection = Inspection(
        enterprise_id=enterprise.id,
        jurisdiction_code=enterprise.jurisdiction_code,
        kind=data.kind,
        recorded_by_department=principal.department_code,
        departments=departments,
        completed_on=data.completed_on,
        items=[item.model_dump(mode="json") for item in data.items],
        conclusion=data.conclusion,
    )
    await repository.add(session, inspection)
    await audit.record(
        session,
        action="inspection.create",
        object_type="inspection",
        object_id=str(inspection.id),
        jurisdiction=inspection.jurisdiction_code,
        after=audit.snapshot(inspection),
    )
    return _view(await current_index(session), inspection)


async def get(
    session: AsyncSession, principal: Principal, inspection_id: uuid.UUID
) -> InspectionView:
    inspection = await repository.get_in_scope(session, inspection_id, principal.readable)
    if inspection is None:
        raise NotFound(f"No inspection {inspection_id}.")
    return _view(await current_index(session), inspection)


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    after: uuid.UUID | None,
    enterprise_id: uuid.UUID | None,
    kind: InspectionKind | None,
    jurisdiction: str | None,
    completed_from: dt.date | None,
    completed_to: dt.date | None,
) -> Sequence[InspectionView]:
    rows = await repository.list_in_scope(
        session,
        principal.readable,
        limit=limit,
        after=after,
        enterprise_id=enterprise_id,
        kind=kind.value if kind else None,
        jurisdiction=jurisdiction,
        completed_from=completed_from,
        completed_to=completed_to,
    )
    index = await current_index(session)  # once per page, not once per row
    return [_view(index, row) for row in rows]
