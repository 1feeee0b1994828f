"""From reports to cases (一(一)5): an inspection recorded and a case opened from a
report by its handling department, and a compliant case revoked by a substantiated
report against its notice. Each reuses its domain's own path (the inspection and case
services, the case's `revoke` step) and adds the report's link in the same
transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.case import service as cases
from capacity_exit.case.machine import CaseAction, Category
from capacity_exit.case.schemas import CaseCreate
from capacity_exit.case.step_requests import step_request
from capacity_exit.core.etag import Precondition, etag
from capacity_exit.flows.steps import take_step
from capacity_exit.inspection import service as inspections
from capacity_exit.inspection.schemas import InspectionCreate
from capacity_exit.report import links
from capacity_exit.report.link_schemas import RevocationIn
from capacity_exit.report.models import LinkKind


async def record_inspection(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, data: InspectionCreate
) -> inspections.InspectionView:
    report = await links.linkable(session, principal, report_id)
    links.check_enterprise(report, data.enterprise_id)
    view = await inspections.create(session, principal, data)
    await links.link(session, principal, report, LinkKind.inspection, view.inspection.id)
    return view


async def open_case(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, data: CaseCreate
) -> cases.CaseView:
    report = await links.linkable(session, principal, report_id)
    links.check_category(report, Category(data.category))
    links.check_enterprise(report, data.enterprise_id)
    view = await cases.create(session, principal, data)
    await links.link(session, principal, report, LinkKind.case, view.case.id)
    return view


async def revoke_compliant(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, data: RevocationIn
) -> cases.CaseView:
    """The compliant case revoked by its own `revoke` step (its notice withdrawn, its
    listing taken off), at the version read here; the case and the notice linked."""
    report, case_id, notice_id = await links.revocable(session, principal, report_id)
    case = await cases.readable(session, principal, case_id)
    view = await take_step(
        session,
        principal,
        case.id,
        Precondition(etag(case.version)),
        step_request(CaseAction.revoke, reason=data.reason),
    )
    await links.link(session, principal, report, LinkKind.case, case_id)
    await links.link(session, principal, report, LinkKind.notice, notice_id)
    return view
