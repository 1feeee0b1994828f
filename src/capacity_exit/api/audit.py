"""HTTP: reading the audit log and verifying its chain; the published signed heads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from capacity_exit.audit import checkpoint, keys, publication, service
from capacity_exit.audit.models import AuditCheckpoint
from capacity_exit.audit.schemas import (
    AuditEventList,
    AuditEventOut,
    CheckpointList,
    CheckpointOut,
    VerificationOut,
)
from capacity_exit.auth.dependencies import CurrentPrincipal, access
from capacity_exit.auth.roles import Role
from capacity_exit.auth.schemas import Jwks
from capacity_exit.config import Settings
from capacity_exit.core.clock import Timestamp
from capacity_exit.core.db import Session
from capacity_exit.core.keys import ALGORITHM, verification_key
from capacity_exit.core.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    int_position,
    paginate,
    uuid_position,
)
from capacity_exit.core.problems import problem_responses, public
from capacity_exit.core.text import SearchTerm

router = APIRouter(prefix="/audit-events", tags=["audit"])
public_router = APIRouter(prefix="/audit-checkpoints", tags=["audit"])
# Heads are signed periodically: a minute's caching loses nothing a verifier needs.
_CACHE = "public, max-age=60"


@router.get(
    "",
    operation_id="list_audit_events",
    summary="Audit events of objects in the caller's jurisdictions, oldest first",
    description="The audit log of objects in the caller's jurisdictions, oldest first, by object, "
    "subject and time: who changed what and when, with the states before and after "
    "(secrets redacted). Administrators also see events with no jurisdiction (logins, "
    "the calendar, reference data). Changes nothing. No clause of the regulation: the "
    "record of every change made under it.",
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
    description="Recomputes every event's keyed hash, checks that each links to the one before, "
    "that the head row matches the chain's end, and that the chain still holds every "
    "checkpoint published in the database (each signature checked). Checkpoints kept "
    "outside (the witness file, copies others fetched) are checked by `capacity-exit "
    "audit verify --against`. No clause of the regulation: the record of every change "
    "made under it.",
    response_model=VerificationOut,
    **access(Role.admin, scope="global"),
)
async def verify_audit_chain(request: Request, session: Session) -> VerificationOut:
    settings: Settings = request.app.state.settings
    try:
        stored = await publication.stored_heads(session, settings)
    except checkpoint.BadCheckpoint as exc:
        return VerificationOut(
            ok=False, checked=0, head_position=0, first_bad_position=None, reason=str(exc)
        )
    result = await service.verify(
        session,
        stored,
        key=keys.chain_key(settings),
        unkeyed_until=settings.audit_unkeyed_until,
    )
    return VerificationOut(**result.__dict__)


def _checkpoint_out(row: AuditCheckpoint) -> CheckpointOut:
    return CheckpointOut(**publication.signed(row).to_dict())


@public_router.get(
    "",
    operation_id="list_audit_checkpoints",
    summary="Signed heads of the audit chain, oldest first (public)",
    description="Every checkpoint the service has signed, in the order it signed them: the "
    "chain's length and last hash at a time, signed with the audit key (the worker "
    "signs one each `CAPEXIT_AUDIT_CHECKPOINT_SECONDS`). Keep them: a chain rewritten "
    "or cut back before a kept checkpoint no longer matches it (`capacity-exit audit "
    "verify --against`). Cached for a minute; changes nothing. No clause of the "
    "regulation: it lets outsiders check the record of every step taken under it.",
    response_model=CheckpointList,
    **public(),
)
async def list_audit_checkpoints(
    session: Session, response: Response, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> CheckpointList:
    page, next_cursor = await paginate(
        cursor,
        limit,
        {},
        lambda after, n: service.checkpoints_page(session, after=after, limit=n),
        position=uuid_position,
        key=lambda row: str(row.id),
    )
    response.headers["Cache-Control"] = _CACHE
    return CheckpointList(items=[_checkpoint_out(row) for row in page], next_cursor=next_cursor)


@public_router.get(
    "/latest",
    operation_id="get_latest_audit_checkpoint",
    summary="The latest signed head of the audit chain (public)",
    description="The most recently signed checkpoint; 404 before the first one is made. Cached "
    "for a minute; changes nothing. No clause of the regulation: it lets outsiders "
    "check the record of every step taken under it.",
    response_model=CheckpointOut,
    responses=problem_responses(404),
    **public(),
)
async def get_latest_audit_checkpoint(session: Session, response: Response) -> CheckpointOut:
    latest = await service.latest_checkpoint(session)
    response.headers["Cache-Control"] = _CACHE
    return _checkpoint_out(latest)


@public_router.get(
    "/keys",
    operation_id="get_audit_checkpoint_keys",
    summary="The public key that verifies the audit checkpoints (JWKS, public)",
    description="The audit key's public half as a JSON Web Key Set, `kid` as in the checkpoints. "
    "Pin it once; a checkpoint whose signature it does not verify was not signed by "
    "this service. Cached for five minutes; changes nothing. No clause of the "
    "regulation: it lets outsiders check the record of every step taken under it.",
    response_model=Jwks,
    **public(),
)
async def get_audit_checkpoint_keys(request: Request, response: Response) -> Jwks:
    key = verification_key(keys.key_pem(request.app.state.settings))
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks(keys=[{**key.jwk, "kid": key.kid, "use": "sig", "alg": ALGORITHM}])
