"""Enterprise registry rules: one record per credit code, changes only at the held version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.errors import Forbidden
from capacity_exit.auth.principal import Principal
from capacity_exit.core.errors import Conflict, NotFound
from capacity_exit.core.etag import Precondition, stale
from capacity_exit.core.problems import FieldProblem
from capacity_exit.core.versioned import current_version, update_if_version
from capacity_exit.enterprise import repository
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.enterprise.schemas import EnterpriseCreate, EnterprisePatch
from capacity_exit.org.service import require_record_jurisdiction


def _duplicate(code: str, existing: Enterprise | None, principal: Principal) -> Conflict:
    """The code is unique city-wide, so the conflict cannot be hidden; the existing
    record's id is named only to a caller who may read it (another county's is not)."""
    detail = f"An enterprise with credit code {code} is already registered."
    extra = None
    if existing is not None and principal.can_read(existing.jurisdiction_code):
        extra = {"existing_id": str(existing.id)}
    return Conflict(
        detail,
        code="credit_code_taken",
        errors=[FieldProblem(pointer="/credit_code", detail=detail, code="credit_code_taken")],
        extra=extra,
    )


def _require_writable(principal: Principal, jurisdiction: str) -> None:
    if not principal.can_write(jurisdiction):
        raise Forbidden(
            f"Enterprises of {jurisdiction} are outside the jurisdiction you act in.",
            code="out_of_scope",
        )


async def create(session: AsyncSession, principal: Principal, data: EnterpriseCreate) -> Enterprise:
    await require_record_jurisdiction(session, data.jurisdiction)
    _require_writable(principal, data.jurisdiction)
    existing = await repository.get_by_credit_code(session, data.credit_code)
    if existing is not None:
        raise _duplicate(data.credit_code, existing, principal)
    enterprise = Enterprise(
        name=data.name,
        credit_code=data.credit_code,
        address=data.address,
        jurisdiction_code=data.jurisdiction,
        industry=data.industry,
        legal_representative=data.legal_representative,
    )
    try:
        async with session.begin_nested():
            await repository.add(session, enterprise)
    except IntegrityError as exc:  # a concurrent create with the same code won the race
        raise _duplicate(data.credit_code, None, principal) from exc
    await audit.record(
        session,
        action="enterprise.create",
        object_type="enterprise",
        object_id=str(enterprise.id),
        jurisdiction=enterprise.jurisdiction_code,
        after=audit.snapshot(enterprise),
    )
    return enterprise


async def get(session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID) -> Enterprise:
    """The enterprise if the caller may see it; 404 otherwise, so existence does not leak."""
    enterprise = await repository.get_in_scope(session, enterprise_id, principal.readable)
    if enterprise is None:
        raise NotFound(f"No enterprise with id {enterprise_id}.")
    return enterprise


async def referenced(
    session: AsyncSession, principal: Principal, enterprise_id: uuid.UUID
) -> Enterprise:
    """The enterprise a record refers to (`/enterprise_id`), if the caller may see it."""
    enterprise = await repository.get_in_scope(session, enterprise_id, principal.readable)
    if enterprise is None:
        raise NotFound.referenced("enterprise_id", "enterprise", enterprise_id)
    return enterprise


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    after: uuid.UUID | None,
    jurisdiction: str | None,
    name_contains: str | None,
    credit_code: str | None,
) -> Sequence[Enterprise]:
    return await repository.list_enterprises(
        session,
        principal.readable,
        limit=limit,
        after=after,
        jurisdiction_code=jurisdiction,
        name_contains=name_contains,
        credit_code=credit_code,
    )


async def patch(
    session: AsyncSession,
    principal: Principal,
    enterprise_id: uuid.UUID,
    precondition: Precondition,
    data: EnterprisePatch,
) -> Enterprise:
    enterprise = await get(session, principal, enterprise_id)
    _require_writable(principal, enterprise.jurisdiction_code)
    version = precondition.version_to_change(enterprise.version)
    before = audit.snapshot(enterprise)
    changes = data.model_dump(exclude_unset=True)
    if "jurisdiction" in changes:
        await require_record_jurisdiction(session, changes["jurisdiction"])
        _require_writable(principal, changes["jurisdiction"])
        changes["jurisdiction_code"] = changes.pop("jurisdiction")
    changes = {k: v for k, v in changes.items() if getattr(enterprise, k) != v}
    if not changes:
        return enterprise
    if "credit_code" in changes:
        other = await repository.get_by_credit_code(session, changes["credit_code"])
        if other is not None:
            raise _duplicate(changes["credit_code"], other, principal)
    try:
        async with session.begin_nested():
            updated = await update_if_version(session, Enterprise, enterprise_id, version, changes)
    except IntegrityError as exc:
        raise _duplicate(changes.get("credit_code", ""), None, principal) from exc
    if not updated:  # another writer committed first
        raise stale(await current_version(session, Enterprise, enterprise_id))
    await repository.refresh(session, enterprise)
    await audit.record(
        session,
        action="enterprise.update",
        object_type="enterprise",
        object_id=str(enterprise.id),
        jurisdiction=enterprise.jurisdiction_code,
        before=before,
        after=audit.snapshot(enterprise),
    )
    return enterprise
