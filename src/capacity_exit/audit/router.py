"""HTTP: reading the audit log and verifying its chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from capacity_exit.audit import service
from capacity_exit.audit.schemas import AuditEventList, AuditEventOut, VerificationOut
from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import Role
from capacity_exit.core.clock import Timestamp
from capacity_exit.core.db import Session
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, int_position, paginate
from capacity_exit.core.problems import problem_responses
from capacity_exit.core.text import SearchTerm

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get(
    "",
    operation_id="list_audit_events",
    summary="Audit events of objects in the caller's jurisdictions, oldest first",
    response_model=AuditEventList,
    responses=problem_responses(422),
    **access(),
)
async def list_audit_events(
    session: Session,
    principal: CurrentPrincipal,
    object_type: Annotated[SearchTerm | None, Query()] = None,
    object_id: Annotated[SearchTerm | None, Query()] = None,
    subject: Annotated[SearchTerm | None, Query(description="Who acted")] = None,
    since: Annotated[Timestamp | None, Query(description="RFC 3339, inclusive")] = None,
    until: Annotated[Timestamp | None, Query(description="RFC 3339, exclusive")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AuditEventList:
    filters = {
        "object_type": object_type,
        "object_id": object_id,
        "subject": subject,
        "since": since,
        "until": until,
    }
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: service.list_events(
            session,
            jurisdictions=principal.readable,
            include_unscoped=Role.admin in principal.roles,
            after=after,
            limit=n,
            object_type=object_type,
            object_id=object_id,
            subject=subject,
            since=since,
            until=until,
        ),
        position=int_position,
        key=lambda e: e.position,
    )
    return AuditEventList(
        items=[AuditEventOut.model_validate(e) for e in page], next_cursor=next_cursor
    )


@router.get(
    "/verify",
    operation_id="verify_audit_chain",
    summary="Recompute the whole chain and report the first bad position",
    response_model=VerificationOut,
    **access(Role.admin, scope="global"),
)
async def verify_audit_chain(session: Session) -> VerificationOut:
    result = await service.verify(session)
    return VerificationOut(**result.__dict__)
