"""HTTP: the enterprise registry."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import WRITERS
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfMatch, Precondition, set_etag
from capacity_exit.core.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    paginate,
    uuid_position,
)
from capacity_exit.core.problems import problem_responses
from capacity_exit.core.text import SearchTerm
from capacity_exit.core.urls import absolute_url_for, location_header
from capacity_exit.enterprise import service
from capacity_exit.enterprise.schemas import (
    EnterpriseCreate,
    EnterpriseList,
    EnterpriseOut,
    EnterprisePatch,
)

router = APIRouter(prefix="/enterprises", tags=["enterprises"])

_ETAG_HEADER = {"ETag": {"description": "Version of the enterprise", "schema": {"type": "string"}}}


@router.post(
    "",
    operation_id="create_enterprise",
    summary="Register an enterprise",
    description="Registers an enterprise in one of the caller's writable jurisdictions (a current "
    "city or county-level unit), identified by its unified social credit code "
    "(统一社会信用代码), which is checked rule by rule (422 with the failing rule's "
    "code, e.g. `credit_code_checksum`); a code already registered is 409 "
    "`credit_code_taken` with `existing_id`. Answers with its `ETag` and `Location`. "
    "Audited as `enterprise.create`. Every inspection, case and notice names an "
    "enterprise (一(一)).",
    status_code=status.HTTP_201_CREATED,
    response_model=EnterpriseOut,
    responses={
        201: {
            "headers": {**_ETAG_HEADER, **location_header()},
            "links": {
                "InspectEnterprise": {
                    "operationId": "create_inspection",
                    "requestBody": {"enterprise_id": "$response.body#/id"},
                }
            },
        },
        **problem_responses(409, 413, 422),
    },
    **access(*WRITERS, creates=True),
)
async def create_enterprise(
    session: Session,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    body: EnterpriseCreate,
) -> EnterpriseOut:
    enterprise = await service.create(session, principal, body)
    set_etag(response, enterprise.version)
    response.headers["Location"] = absolute_url_for(
        request, "get_enterprise", enterprise_id=enterprise.id
    )
    return EnterpriseOut.model_validate(enterprise)


@router.get(
    "",
    operation_id="list_enterprises",
    summary="List enterprises",
    description="Enterprises in the caller's jurisdictions, by jurisdiction, part of the name or "
    "exact credit code, oldest first. Changes nothing. Serves 一(一): the subjects of "
    "inspections and cases.",
    response_model=EnterpriseList,
    responses=problem_responses(422),
    **access(),
)
async def list_enterprises(
    session: Session,
    principal: CurrentPrincipal,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    name_contains: Annotated[SearchTerm | None, Query(description="Part of the name")] = None,
    credit_code: Annotated[
        str | None, Query(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="Exact credit code")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> EnterpriseList:
    filters = {
        "jurisdiction": jurisdiction,
        "name_contains": name_contains,
        "credit_code": credit_code,
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
            jurisdiction=jurisdiction,
            name_contains=name_contains,
            credit_code=credit_code,
        ),
        position=uuid_position,
        key=lambda e: str(e.id),
    )
    return EnterpriseList(
        items=[EnterpriseOut.model_validate(e) for e in page], next_cursor=next_cursor
    )


@router.get(
    "/{enterprise_id}",
    operation_id="get_enterprise",
    summary="Get one enterprise",
    description="One enterprise, with its version as `ETag` (the `If-Match` of an update). "
    "Changes nothing. Serves 一(一).",
    response_model=EnterpriseOut,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(404, 422)},
    **access(),
)
async def get_enterprise(
    session: Session, principal: CurrentPrincipal, response: Response, enterprise_id: uuid.UUID
) -> EnterpriseOut:
    enterprise = await service.get(session, principal, enterprise_id)
    set_etag(response, enterprise.version)
    return EnterpriseOut.model_validate(enterprise)


@router.patch(
    "/{enterprise_id}",
    operation_id="update_enterprise",
    summary="Change an enterprise's registry data (If-Match required)",
    description="Changes the enterprise's registry data: a field given replaces the stored one, "
    "an absent one stays. Notices already published keep the name, code and address "
    "they were published with. Audited as `enterprise.update`. Serves 一(一).",
    response_model=EnterpriseOut,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(404, 409, 412, 413, 422, 428)},
    **access(*WRITERS),
)
async def update_enterprise(
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    enterprise_id: uuid.UUID,
    body: EnterprisePatch,
    if_match: IfMatch = None,
) -> EnterpriseOut:
    enterprise = await service.patch(
        session, principal, enterprise_id, Precondition(if_match), body
    )
    set_etag(response, enterprise.version)
    return EnterpriseOut.model_validate(enterprise)
