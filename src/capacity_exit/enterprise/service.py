"""Enterprise registry rules: one record per credit code, changes only at the held version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.errors import Conflict, NotFound
from capacity_exit.core.etag import Precondition, stale
from capacity_exit.core.problems import FieldProblem
from capacity_exit.enterprise import repository
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.enterprise.schemas import EnterpriseCreate, EnterprisePatch
from capacity_exit.org.service import require_record_jurisdiction


def _duplicate(code: str, existing: Enterprise | None) -> Conflict:
    detail = f"An enterprise with credit code {code} is already registered."
    return Conflict(
        detail,
        code="credit_code_taken",
        errors=[FieldProblem(pointer="/credit_code", detail=detail, code="credit_code_taken")],
        extra={"existing_id": str(existing.id)} if existing is not None else None,
    )


async def create(session: AsyncSession, data: EnterpriseCreate) -> Enterprise:
    await require_record_jurisdiction(session, data.jurisdiction)
    existing = await repository.get_by_credit_code(session, data.credit_code)
    if existing is not None:
        raise _duplicate(data.credit_code, existing)
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
            return await repository.add(session, enterprise)
    except IntegrityError as exc:  # a concurrent create with the same code won the race
        raise _duplicate(data.credit_code, None) from exc


async def get(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise:
    enterprise = await repository.get(session, enterprise_id)
    if enterprise is None:
        raise NotFound(f"No enterprise with id {enterprise_id}.")
    return enterprise


async def list_page(
    session: AsyncSession,
    *,
    limit: int,
    after: uuid.UUID | None,
    jurisdiction: str | None,
    name_contains: str | None,
    credit_code: str | None,
) -> Sequence[Enterprise]:
    return await repository.list_enterprises(
        session,
        limit=limit,
        after=after,
        jurisdiction_code=jurisdiction,
        name_contains=name_contains,
        credit_code=credit_code,
    )


async def patch(
    session: AsyncSession,
    enterprise_id: uuid.UUID,
    precondition: Precondition,
    data: EnterprisePatch,
) -> Enterprise:
    enterprise = await get(session, enterprise_id)
    version = precondition.version_to_change(enterprise.version)
    changes = data.model_dump(exclude_unset=True)
    if "jurisdiction" in changes:
        await require_record_jurisdiction(session, changes["jurisdiction"])
        changes["jurisdiction_code"] = changes.pop("jurisdiction")
    changes = {k: v for k, v in changes.items() if getattr(enterprise, k) != v}
    if not changes:
        return enterprise
    if "credit_code" in changes:
        other = await repository.get_by_credit_code(session, changes["credit_code"])
        if other is not None:
            raise _duplicate(changes["credit_code"], other)
    try:
        async with session.begin_nested():
            updated = await repository.update_if_version(session, enterprise_id, version, changes)
    except IntegrityError as exc:
        raise _duplicate(changes.get("credit_code", ""), None) from exc
    if not updated:  # another writer committed first
        raise stale(await repository.current_version(session, enterprise_id))
    return await repository.refresh(session, enterprise)
