"""Appending to the audit log inside the caller's transaction, and verifying the chain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit.chain import GENESIS, compute_hash, digest, redact
from capacity_exit.audit.models import AuditEvent, AuditHead
from capacity_exit.core.actor import current_actor
from capacity_exit.core.clock import as_utc, utcnow
from capacity_exit.core.request_id import current_request_id

HEAD_ID = 1


async def record(
    session: AsyncSession,
    *,
    action: str,
    object_type: str,
    object_id: str,
    jurisdiction: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event for a change made in this session's transaction.

    The head row is updated first: its row lock (PostgreSQL) or the write lock (SQLite)
    is held until commit, so positions are assigned one at a time, without gaps."""
    claimed = await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(position=AuditHead.position + 1)
        .returning(AuditHead.position, AuditHead.hash)
    )
    position, prev_hash = claimed.one()
    actor = current_actor()
    event = AuditEvent(
        position=position,
        occurred_at=utcnow(),
        subject=actor.subject,
        department=actor.department,
        roles=",".join(actor.roles),
        action=action,
        object_type=object_type,
        object_id=object_id,
        jurisdiction=jurisdiction,
        request_id=current_request_id(),
        before_digest=digest(redact(before)),
        after_digest=digest(redact(after)),
        after_state=redact(after),
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(event)
    session.add(event)
    await session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=event.hash))
    await session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_position: int
    first_bad_position: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str


async def verify(session: AsyncSession, checkpoints: Sequence[Checkpoint] = ()) -> Verification:
    """Stream the chain in order, recompute every hash, and check the head and the
    (already signature-checked) checkpoints; report the first bad position."""
    wanted = {c.position: c.hash for c in checkpoints}
    if wanted.pop(0, GENESIS) != GENESIS:  # a checkpoint of the empty chain
        return Verification(False, 0, 0, 1, "differs from checkpoint 0")
    expected_position, prev_hash, checked = 1, GENESIS, 0
    stream = await session.stream_scalars(
        select(AuditEvent).order_by(AuditEvent.position).execution_options(yield_per=500)
    )
    async for event in stream:
        if event.position != expected_position:
            return Verification(False, checked, 0, expected_position, "event missing")
        if event.prev_hash != prev_hash:
            return Verification(False, checked, 0, event.position, "chain broken")
        if compute_hash(event) != event.hash:
            return Verification(False, checked, 0, event.position, "event altered")
        if event.position in wanted and wanted.pop(event.position) != event.hash:
            return Verification(False, checked, 0, event.position, "differs from checkpoint")
        prev_hash, expected_position, checked = event.hash, expected_position + 1, checked + 1
    last = expected_position - 1
    if wanted:
        first = min(wanted)
        return Verification(False, checked, last, last + 1, f"truncated before checkpoint {first}")
    head = await session.get(AuditHead, HEAD_ID)
    if head is None or head.position != last or head.hash != prev_hash:
        return Verification(False, checked, last, last + 1, "head does not match the chain")
    return Verification(True, checked, last)


async def list_events(
    session: AsyncSession,
    *,
    jurisdictions: frozenset[str],
    include_unscoped: bool,
    after: int | None,
    limit: int,
    object_type: str | None,
    object_id: str | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Sequence[AuditEvent]:
    in_scope = AuditEvent.jurisdiction.in_(list(jurisdictions))
    query = select(AuditEvent).where(
        in_scope | AuditEvent.jurisdiction.is_(None) if include_unscoped else in_scope
    )
    query = query.order_by(AuditEvent.position).limit(limit)
    if after is not None:
        query = query.where(AuditEvent.position > after)
    if object_type is not None:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return (await session.scalars(query)).all()


def snapshot(obj: Any) -> dict[str, Any]:
    """The column values of an ORM object, as JSON-ready data (secrets redacted later)."""
    mapper = sa_inspect(obj).mapper
    state: dict[str, Any] = {}
    for column in mapper.column_attrs:
        value = getattr(obj, column.key)
        if isinstance(value, datetime):
            value = as_utc(value).isoformat(timespec="microseconds")
        elif isinstance(value, uuid.UUID | date):
            value = str(value)
        state[column.key] = value
    return state
