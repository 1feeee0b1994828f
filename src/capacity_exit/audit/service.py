"""Appending to the audit log inside the caller's transaction, and verifying the chain."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import keys, repository
from capacity_exit.audit.chain import (
    GENESIS,
    Checkpoint,
    digest,
    keyed_hash,
    redact,
    unkeyed_hash,
)
from capacity_exit.audit.keys import ChainKey
from capacity_exit.audit.models import AuditCheckpoint, AuditEvent
from capacity_exit.core.actor import current_actor
from capacity_exit.core.clock import as_utc, utcnow
from capacity_exit.core.errors import NotFound
from capacity_exit.core.request_id import current_request_id


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
    """Append one event for a change made in this session's transaction (its position
    claimed first, under the head's lock until commit: `repository.claim_position`)."""
    position, prev_hash = await repository.claim_position(session)
    key = keys.current()
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
        key_id=key.kid,
    )
    event.hash = keyed_hash(event, key)
    return await repository.append(session, event)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_position: int
    first_bad_position: int | None = None
    reason: str | None = None


def _hash_problem(event: AuditEvent, key: ChainKey, unkeyed_until: int) -> str | None:
    """Why `event`'s hash is not the one it should carry, or None."""
    if event.key_id is None:
        if event.position > unkeyed_until:
            return "not keyed: its hash was made without the audit key"
        expected = unkeyed_hash(event)
    elif event.key_id != key.kid:
        return f"keyed with another key ({event.key_id})"
    else:
        expected = keyed_hash(event, key)
    return None if hmac.compare_digest(expected, event.hash) else "event altered"


async def verify(
    session: AsyncSession,
    checkpoints: Sequence[Checkpoint] = (),
    *,
    key: ChainKey | None = None,
    unkeyed_until: int = 0,
    since: Checkpoint | None = None,
    upto: Checkpoint | None = None,
) -> Verification:
    """Stream the chain in order, recompute every hash, and check the head and the
    (already signature-checked) checkpoints; report the first bad position.

    Events without a key id are accepted only up to `unkeyed_until` (those recorded
    before the chain was keyed). With `since` (a signed head) the walk starts there
    instead of at the genesis; with `upto` it ends at that head instead of the head row
    (the periodic checkpoint checks only what was appended since the last one, while
    writers go on appending)."""
    if checkpoints and (since is not None or upto is not None):
        raise ValueError("checkpoints are checked on the whole chain, not on a segment")
    key = key or keys.current()
    wanted: dict[int, str] = {}
    for c in checkpoints:
        if wanted.setdefault(c.position, c.hash) != c.hash:
            return Verification(False, 0, 0, c.position, "checkpoints disagree")
    if wanted.pop(0, GENESIS) != GENESIS:  # a checkpoint of the empty chain
        return Verification(False, 0, 0, 1, "differs from checkpoint 0")
    start = since or Checkpoint(0, GENESIS)
    if start.position == 0 and start.hash != GENESIS:
        return Verification(False, 0, 0, 1, "differs from checkpoint 0")
    stream = await repository.stream_events(
        session, first=max(start.position, 1), last=None if upto is None else upto.position
    )
    expected_position = max(start.position, 1)
    prev_hash: str | None = GENESIS if start.position == 0 else None
    checked = 0
    async for event in stream:
        position = event.position
        if position != expected_position:
            return Verification(False, checked, 0, expected_position, "event missing")
        if prev_hash is not None and event.prev_hash != prev_hash:
            return Verification(False, checked, 0, position, "chain broken")
        if position == start.position and event.hash != start.hash:
            return Verification(False, checked, 0, position, "differs from checkpoint")
        if problem := _hash_problem(event, key, unkeyed_until):
            return Verification(False, checked, 0, position, problem)
        if position in wanted and wanted.pop(position) != event.hash:
            return Verification(False, checked, 0, position, "differs from checkpoint")
        prev_hash, expected_position, checked = event.hash, expected_position + 1, checked + 1
    last = expected_position - 1
    if start.position > 0 and checked == 0:
        return Verification(
            False, 0, last, start.position, f"truncated before checkpoint {start.position}"
        )
    if wanted:
        first = min(wanted)
        return Verification(False, checked, last, last + 1, f"truncated before checkpoint {first}")
    reached = Checkpoint(last, prev_hash or GENESIS)
    if upto is not None:
        if reached != upto:
            return Verification(False, checked, last, last + 1, "does not reach the head")
        return Verification(True, checked, last)
    if await repository.find_head(session) != reached:
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
    """The caller's page of the log: events about objects in the jurisdictions it may
    read (and about none, for administrators), filtered in the query."""
    return await repository.list_events(
        session,
        jurisdictions=jurisdictions,
        include_unscoped=include_unscoped,
        after=after,
        limit=limit,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        since=since,
        until=until,
    )


async def checkpoints_page(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[AuditCheckpoint]:
    """Every signed checkpoint, oldest first, after the id `after` (public)."""
    return await repository.list_checkpoints(session, after=after, limit=limit)


async def latest_checkpoint(session: AsyncSession) -> AuditCheckpoint:
    """The most recently signed checkpoint; 404 `no_checkpoint` before the first."""
    latest = await repository.latest_checkpoint(session)
    if latest is None:
        raise NotFound("No checkpoint has been signed yet.", code="no_checkpoint")
    return latest


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
        elif isinstance(value, Enum):
            value = value.value
        state[column.key] = value
    return state
