"""HTTP: recording and reading inspections."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import WRITERS
from capacity_exit.core.clock import Day
from capacity_exit.core.db import Session
from capacity_exit.core.etag import etag_header, etag_response, set_etag
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate, uuid_position
from capacity_exit.core.problems import problem_responses
from capacity_exit.core.urls import absolute_url_for, location_header
from capacity_exit.inspection import service
from capacity_exit.inspection.schemas import (
    CheckedItem,
    DueDate,
    InspectionCreate,
    InspectionKind,
    InspectionList,
    InspectionOut,
)

router = APIRouter(prefix="/inspections", tags=["inspections"])


def inspection_out(view: service.InspectionView) -> InspectionOut:
    inspection = view.inspection
    return InspectionOut(
        id=inspection.id,
        enterprise_id=inspection.enterprise_id,
        jurisdiction=inspection.jurisdiction_code,
        kind=inspection.kind,
        recorded_by_department=inspection.recorded_by_department,
        departments=inspection.departments,
        completed_on=inspection.completed_on,
        items=[CheckedItem.model_validate(item) for item in inspection.items],
        conclusion=inspection.conclusion,
        publicity_due=DueDate(
            date=view.publicity_due.date, provisional=view.publicity_due.provisional
        ),
        version=inspection.version,
        created_at=inspection.created_at,
    )


@router.post(
    "",
    operation_id="create_inspection",
    summary="Record an inspection of an enterprise (核查检查)",
    description="Records a finished inspection (核查检查; a city department's 复核 or 抽查 of a "
    "county's enterprise, 一(四)): the departments taking part (the caller's among "
    "them), the day it was completed (not in the future), each item checked with its "
    "measured value and limit, and the conclusion. An inspection never changes "
    "afterwards. The answer's `publicity_due` is the 10th working day after "
    "completion, by which the notice of its findings is due (一(三)). Audited as "
    "`inspection.create`.",
    status_code=status.HTTP_201_CREATED,
    response_model=InspectionOut,
    responses={
        201: {
            "headers": {**etag_header(), **location_header()},
            "links": {
                "OpenCase": {
                    "operationId": "create_case",
                    "requestBody": {
                        "enterprise_id": "$response.body#/enterprise_id",
                        "inspection_id": "$response.body#/id",
                    },
                }
            },
        },
        **problem_responses(404, 409, 413, 422),
    },
    **access(*WRITERS, creates=True),
)
async def create_inspection(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    body: InspectionCreate,
) -> InspectionOut:
    view = await service.create(session, principal, body)
    set_etag(response, view.inspection.version)
    response.headers["Location"] = absolute_url_for(
        request, "get_inspection", inspection_id=view.inspection.id
    )
    return inspection_out(view)


@router.get(
    "",
    operation_id="list_inspections",
    summary="List inspections in the caller's jurisdictions",
    description="Inspections in the caller's jurisdictions, by enterprise, kind, jurisdiction and "
    "completion day, oldest first, each with its publicity due date. Changes nothing. "
    "Serves 一(三).",
    response_model=InspectionList,
    responses=problem_responses(422),
    **access(),
)
async def list_inspections(
    session: Session,
    principal: CurrentPrincipal,
    enterprise_id: uuid.UUID | None = None,
    kind: InspectionKind | None = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    completed_from: Day | None = None,
    completed_to: Day | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> InspectionList:
    filters = {
        "enterprise_id": enterprise_id,
        "kind": kind,
        "jurisdiction": jurisdiction,
        "completed_from": completed_from,
        "completed_to": completed_to,
    }
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: service.list_page(
            session,
            principal,
            limit=n,
            after=after,
            enterprise_id=enterprise_id,
            kind=kind,
            jurisdiction=jurisdiction,
            completed_from=completed_from,
            completed_to=completed_to,
        ),
        position=uuid_position,
        key=lambda v: str(v.inspection.id),
    )
    return InspectionList(items=[inspection_out(v) for v in page], next_cursor=next_cursor)


@router.get(
    "/{inspection_id}",
    operation_id="get_inspection",
    summary="Get one inspection, with its publicity due date",
    description="One inspection with its publicity due date, computed from the current calendar "
    "(`provisional` until the year's schedule is confirmed). Changes nothing. Serves "
    "一(三).",
    response_model=InspectionOut,
    responses={**etag_response(), **problem_responses(404, 422)},
    **access(),
)
async def get_inspection(
    session: Session, principal: CurrentPrincipal, response: Response, inspection_id: uuid.UUID
) -> InspectionOut:
    view = await service.get(session, principal, inspection_id)
    set_etag(response, view.inspection.version)
    return inspection_out(view)
