"""HTTP: from reports to cases (一(一)5). The handling department records an inspection
and opens a case from a report it investigates; the lead department revokes the
compliant case whose notice a substantiated report disputed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status

from capacity_exit.api.case import case_answer
from capacity_exit.api.inspection import inspection_out
from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import WRITERS, Role
from capacity_exit.case import examples as case_examples
from capacity_exit.case.schemas import CaseCreate, CaseOut
from capacity_exit.core.db import Session
from capacity_exit.core.etag import set_etag
from capacity_exit.core.problems import problem_responses
from capacity_exit.core.urls import absolute_url_for
from capacity_exit.flows import report_cases
from capacity_exit.inspection.schemas import InspectionCreate, InspectionOut
from capacity_exit.report.link_schemas import RevocationIn

router = APIRouter(tags=["reports"])

_FROM_REPORT = (
    " Only a handling department of the report (403 `not_handling` for another; another "
    "county's report is 404), while the report is `investigating` (409 "
    "`report_not_investigating`). If the report names a registered enterprise, it is "
    "that one (422 `enterprise_mismatch`). The report links it (`links` on `GET "
    "/reports/{report_id}`; audited as `report.link`); the report's version does not "
    "change, so its ETag stays valid. Serves 一(一)5."
)


@router.post(
    "/reports/{report_id}/inspections",
    operation_id="create_report_inspection",
    summary="Record an inspection from a report under investigation",
    description="The body and answer of `POST /inspections` (audited as "
    "`inspection.create`), recorded by the report's handling department." + _FROM_REPORT,
    status_code=status.HTTP_201_CREATED,
    response_model=InspectionOut,
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(403, 404, 409, 413, 422),
    },
    **access(*WRITERS, creates=True),
)
async def create_report_inspection(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    report_id: uuid.UUID,
    body: InspectionCreate,
) -> InspectionOut:
    view = await report_cases.record_inspection(session, principal, report_id, body)
    set_etag(response, view.inspection.version)
    response.headers["Location"] = absolute_url_for(
        request, "get_inspection", inspection_id=view.inspection.id
    )
    return inspection_out(view)


@router.post(
    "/reports/{report_id}/cases",
    operation_id="create_report_case",
    summary="Open a case from a report under investigation, of a category that fits it",
    description="The body and answer of `POST /cases` (a draft, audited as `case.create`; "
    "the department kinds that own the category open it), opened by the report's "
    "handling department. The category must fit the report's: 死灰复燃 (`resurgence`) and "
    "应退未退 (`should_exit`) open `illegal` or `elimination`; 应改未改 (`should_rectify`) "
    "`rectification`; the others any of the three; never `compliant`. A misfit is 422 "
    "`category_not_fitting` with the `allowed` list. The case's `report_id` names the "
    "report." + _FROM_REPORT,
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(403, 404, 409, 413, 422),
    },
    **access(*WRITERS, creates=True),
)
async def create_report_case(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    report_id: uuid.UUID,
    body: Annotated[
        CaseCreate,
        Body(openapi_examples={"rectification": {"value": case_examples.RECTIFICATION_CREATE}}),
    ],
) -> CaseOut:
    view = await report_cases.open_case(session, principal, report_id, body)
    response.headers["Location"] = absolute_url_for(request, "get_case", case_id=view.case.id)
    return await case_answer(session, request, response, view)


@router.post(
    "/reports/{report_id}/revocations",
    operation_id="revoke_reported_compliant_case",
    summary="Revoke the compliant notice a substantiated report disputed",
    description="When a report that disputes a compliant notice (`disputed_notice_id`, "
    "a notice of a `compliant` case) was concluded `substantiated` or "
    "`partly_substantiated` (409 `report_not_substantiated` before; 409 "
    "`no_disputed_compliant_notice` without such a notice), its lead department (工信, "
    "which owns compliant cases; 403 `not_lead` for another) revokes the case by the "
    "case's own `revoke` step: the case's table decides (an `approver` of the case's "
    "department; 409 when the case is no longer `publicized`), its notice is withdrawn "
    "with the reason and its credit listing taken off. The step is taken at the case's "
    "current version; the report's does not change. The report links the case and the "
    "notice (audited as `case.revoke` and `report.link`). Serves 一(一)5.",
    response_model=CaseOut,
    responses=problem_responses(403, 404, 409, 413, 422),
    **access(Role.approver),
)
async def revoke_reported_compliant_case(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    report_id: uuid.UUID,
    body: RevocationIn,
) -> CaseOut:
    view = await report_cases.revoke_compliant(session, principal, report_id, body)
    return await case_answer(session, request, response, view)
