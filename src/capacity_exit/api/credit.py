"""HTTP: the credit targets, and the pushes to them (一(二))."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.principal import Principal
from capacity_exit.case.pushers import CREDIT_PUSH_ROLES
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfMatch, Precondition, etag_response, set_etag
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate, uuid_position
from capacity_exit.core.problems import problem_responses
from capacity_exit.credit import service, targets
from capacity_exit.credit.machine import PushStatus
from capacity_exit.credit.models import CreditPush
from capacity_exit.credit.records import CreditRecord, PushKind
from capacity_exit.credit.schemas import (
    CreditPushDetail,
    CreditPushList,
    CreditPushOut,
    CreditTargetList,
    CreditTargetOut,
    ManualPushIn,
    ManualPushOut,
)

router = APIRouter(tags=["credit"])

_PUSHERS = (
    "Only the departments of the case push for it (一(二)): those the case table names in "
    "its category's `credit_pushers` (`GET /case-lifecycles`), the case's own department "
    "and, for a forced exit, the departments its decision involves; any other is 403 "
    "`not_case_party`."
)


def _out(push: CreditPush) -> CreditPushOut:
    return CreditPushOut(
        id=push.id,
        target=push.target,
        kind=push.kind,
        trigger=push.trigger,
        status=push.status,
        case_id=push.case_id,
        enterprise_id=push.enterprise_id,
        jurisdiction=push.jurisdiction_code,
        idempotency_key=push.idempotency_key,
        record=CreditRecord.model_validate(push.payload),
        attempts=push.claims,
        attempt_budget=push.claim_budget,
        next_attempt_at=push.next_attempt_at,
        last_status_code=push.last_status_code,
        last_error=push.last_error,
        delivered_at=push.delivered_at,
        created_by=push.created_by,
        created_at=push.created_at,
        updated_at=push.updated_at,
    )


async def _detail(
    session: AsyncSession, principal: Principal, response: Response, push: CreditPush
) -> CreditPushDetail:
    set_etag(response, push.version)
    log = await service.attempt_log(session, principal, push.id)
    return CreditPushDetail(**_out(push).model_dump(), attempt_log=log)


@router.get(
    "/credit-targets",
    operation_id="list_credit_targets",
    summary="The credit platforms pushed to (secrets never shown)",
    description="The credit platforms this deployment pushes to (全国信用信息共享平台, 信用中国, "
    "信用吉林 …): code, name, base URL without any credentials, kind of "
    "authentication, timeout, rate and answer size cap. Changes nothing. Serves "
    "一(二).",
    response_model=CreditTargetList,
    **access(scope="global"),
)
async def list_credit_targets() -> CreditTargetList:
    return CreditTargetList(
        items=[
            CreditTargetOut(
                code=t.code,
                name=t.name,
                base_url=t.shown_base_url,
                auth=t.auth,
                timeout_seconds=t.timeout_seconds,
                rate_per_second=t.rate_per_second,
                max_response_bytes=t.max_response_bytes,
            )
            for t in targets.configured()
        ]
    )


@router.get(
    "/credit-pushes",
    operation_id="list_credit_pushes",
    summary="Pushes to the credit platforms in the caller's jurisdictions, oldest first",
    description="Pushes in the caller's jurisdictions, oldest first, by target, status, "
    "enterprise, case (a case's `links.credit_pushes`) and kind (listing, update, "
    "withdrawal). Each push is a job the worker delivers, with retries. Changes "
    "nothing. Serves 一(二).",
    response_model=CreditPushList,
    responses=problem_responses(422),
    **access(),
)
async def list_credit_pushes(
    session: Session,
    principal: CurrentPrincipal,
    target: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_-]{1,31}$")] = None,
    status: PushStatus | None = None,
    enterprise: uuid.UUID | None = None,
    case: uuid.UUID | None = None,
    kind: PushKind | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CreditPushList:
    filters = service.PushFilters(target, status, enterprise, case, kind)
    page, next_cursor = await paginate(
        cursor,
        limit,
        {"target": target, "status": status, "enterprise": enterprise, "case": case, "kind": kind},
        lambda after, n: service.page(session, principal, filters, after=after, limit=n),
        position=uuid_position,
        key=lambda p: str(p.id),
    )
    return CreditPushList(items=[_out(p) for p in page], next_cursor=next_cursor)


@router.get(
    "/credit-pushes/{push_id}",
    operation_id="get_credit_push",
    summary="One push, with every attempt",
    description="Any role reads the pushes of its jurisdictions. What each attempt got back from "
    "the platform (`response_excerpt`, credentials redacted) is shown to approvers "
    "and administrators only; for other roles it is null. Its `ETag` is the "
    "`If-Match` of a retry or cancellation. Changes nothing. Serves 一(二).",
    response_model=CreditPushDetail,
    responses={**etag_response(), **problem_responses(404, 422)},
    **access(),
)
async def get_credit_push(
    session: Session, principal: CurrentPrincipal, response: Response, push_id: uuid.UUID
) -> CreditPushDetail:
    push = await service.get(session, principal, push_id)
    return await _detail(session, principal, response, push)


@router.post(
    "/credit-pushes/{push_id}/retry",
    operation_id="retry_credit_push",
    summary="Send a dead or cancelled push again, with fresh attempts (If-Match required)",
    description="Puts a `dead` or `cancelled` push back in the queue, due now, with a fresh "
    "allowance of attempts; the worker sends it with the same `Idempotency-Key`, so the "
    f"platform applies it once. {_PUSHERS} Audited as `credit_push.retry`. Serves 一(二).",
    response_model=CreditPushDetail,
    responses={**etag_response(), **problem_responses(403, 404, 409, 412, 422, 428)},
    **access(*CREDIT_PUSH_ROLES),
)
async def retry_credit_push(
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    push_id: uuid.UUID,
    if_match: IfMatch = None,
) -> CreditPushDetail:
    push = await service.retry(session, principal, push_id, Precondition(if_match))
    return await _detail(session, principal, response, push)


@router.post(
    "/credit-pushes/{push_id}/cancel",
    operation_id="cancel_credit_push",
    summary="Stop a push that is not delivered or in flight (If-Match required)",
    description="Stops a `pending`, `retrying` or `dead` push: it is `cancelled` and no worker "
    "sends it (409 once delivered or while in flight); a retry sends it again. "
    f"{_PUSHERS} Audited as `credit_push.cancel`. Serves 一(二).",
    response_model=CreditPushDetail,
    responses={**etag_response(), **problem_responses(403, 404, 409, 412, 422, 428)},
    **access(*CREDIT_PUSH_ROLES),
)
async def cancel_credit_push(
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    push_id: uuid.UUID,
    if_match: IfMatch = None,
) -> CreditPushDetail:
    push = await service.cancel(session, principal, push_id, Precondition(if_match))
    return await _detail(session, principal, response, push)


@router.post(
    "/credit-pushes",
    operation_id="push_to_credit_platforms",
    summary="Push a case's listing, a joint punishment update or a withdrawal by hand",
    description="Queues, one push per configured target, a case's listing, an update of it (a "
    "joint punishment measure, 联合惩戒, applied or lifted) or the withdrawal of its listing "
    "(信用修复), and answers with the pushes; the worker delivers them. A case whose "
    f"listing was withdrawn is not pushed again (409). {_PUSHERS} Audited as "
    "`credit_push.create`. Serves 一(二).",
    status_code=201,
    response_model=ManualPushOut,
    responses=problem_responses(403, 404, 409, 413, 422),
    **access(*CREDIT_PUSH_ROLES, creates=True),
)
async def push_to_credit_platforms(
    session: Session, principal: CurrentPrincipal, body: ManualPushIn
) -> ManualPushOut:
    pushes = await service.push_by_hand(session, principal, body)
    return ManualPushOut(items=[_out(p) for p in pushes])
