"""Every query on credit pushes and their attempts.

The API's reads take the caller's readable jurisdictions and filter by them in the
statement. The outbox's queries are scoped by the case they concern (its caller holds
the case already, in scope). The worker's statements run as the system across every
jurisdiction, on a connection of their own: they are Core statements built once (their
construction costs more than their execution), and the push statuses in them are
`PushStatus` members bound as parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    Row,
    Text,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from capacity_exit.core import versioned
from capacity_exit.credit.machine import DUE, PushStatus
from capacity_exit.credit.models import CreditPush, CreditPushAttempt
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.org.models import Department

# --- the API: in the caller's scope -----------------------------------------------------


async def get_in_scope(
    session: AsyncSession, push_id: uuid.UUID, readable: Iterable[str]
) -> CreditPush | None:
    return await session.scalar(
        select(CreditPush).where(
            CreditPush.id == push_id, CreditPush.jurisdiction_code.in_(list(readable))
        )
    )


async def list_in_scope(
    session: AsyncSession,
    readable: Iterable[str],
    *,
    limit: int,
    after: uuid.UUID | None,
    target: str | None,
    status: PushStatus | None,
    enterprise_id: uuid.UUID | None,
    case_id: uuid.UUID | None,
    kind: str | None,
) -> Sequence[CreditPush]:
    """Oldest first."""
    query = select(CreditPush).where(CreditPush.jurisdiction_code.in_(list(readable)))
    for column, value in (
        (CreditPush.target, target),
        (CreditPush.status, status),
        (CreditPush.enterprise_id, enterprise_id),
        (CreditPush.case_id, case_id),
        (CreditPush.kind, kind),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(CreditPush.id > after)
    return (await session.scalars(query.order_by(CreditPush.id).limit(limit))).all()


async def attempts_in_scope(
    session: AsyncSession, push_id: uuid.UUID, readable: Iterable[str]
) -> Sequence[CreditPushAttempt]:
    """A push's attempts in the order they were made; none if the push is out of scope."""
    return (
        await session.scalars(
            select(CreditPushAttempt)
            .join(CreditPush, CreditPush.id == CreditPushAttempt.push_id)
            .where(
                CreditPushAttempt.push_id == push_id,
                CreditPush.jurisdiction_code.in_(list(readable)),
            )
            .order_by(CreditPushAttempt.id)
        )
    ).all()


async def change_if_version(
    session: AsyncSession, push_id: uuid.UUID, version: int, changes: dict[str, Any]
) -> bool:
    """Apply `changes` only if the push is still at `version` (a worker may have moved it)."""
    return await versioned.update_if_version(session, CreditPush, push_id, version, changes)


async def version_of(session: AsyncSession, push_id: uuid.UUID) -> int:
    return await versioned.current_version(session, CreditPush, push_id)


async def refresh(session: AsyncSession, push: CreditPush) -> CreditPush:
    await session.refresh(push)
    return push


# --- the outbox: in the case's scope ----------------------------------------------------


async def add_all(session: AsyncSession, pushes: Sequence[CreditPush]) -> Sequence[CreditPush]:
    session.add_all(pushes)
    await session.flush()
    return pushes


async def latest_of_case(
    session: AsyncSession, case_id: uuid.UUID, kinds: Iterable[str]
) -> CreditPush | None:
    """The case's most recent push of one of `kinds`."""
    return await session.scalar(
        select(CreditPush)
        .where(CreditPush.case_id == case_id, CreditPush.kind.in_(list(kinds)))
        .order_by(CreditPush.id.desc())
        .limit(1)
    )


async def parties(
    session: AsyncSession, enterprise_id: uuid.UUID, department_code: str
) -> tuple[Enterprise | None, Department | None]:
    """The enterprise and department a case names (for its record), by their keys."""
    return (
        await session.get(Enterprise, enterprise_id),
        await session.get(Department, department_code),
    )


# --- /metrics: every jurisdiction, the system's view ------------------------------------

# The statuses a push waits in: for the worker (pending, retrying, in flight) or for an
# approver (dead). Delivered and cancelled pushes are history, left out of the count so
# that a scrape's cost follows the queue, not the years.
QUEUED = (PushStatus.pending, PushStatus.retrying, PushStatus.in_flight, PushStatus.dead)
QueueRow = Row[str, PushStatus, int, datetime]


async def queue_by_target_and_status(connection: AsyncConnection) -> Sequence[QueueRow]:
    """(target, status, how many, when the oldest was created) for each target and
    status in `QUEUED` that has pushes, in one grouped read."""
    return (await connection.execute(_QUEUE)).all()


# --- the worker: every jurisdiction, on its own connection ------------------------------


@dataclass(frozen=True)
class Landing:
    """What one result writes on the pushes it lands on (None keeps the stored value)."""

    status: PushStatus
    status_code: int | None
    error: str | None
    now: datetime
    delivered_at: datetime | None = None
    next_attempt_at: datetime | None = None


# The rows `due` and `claim` answer: (id, status, worker, claims, claim_budget) and
# (id, claims, claim_budget, target, idempotency_key, payload).
DueRow = Row[uuid.UUID, str, str | None, int, int]
ClaimedRow = Row[uuid.UUID, int, int, str, str, dict[str, Any]]


async def due(connection: AsyncConnection, now: datetime, batch: int) -> Sequence[DueRow]:
    """Up to `batch` jobs due at `now` (or whose lease expired), locked, skipping those
    another worker holds; each case's pushes to a target in order."""
    return (await connection.execute(_DUE, {"now": now, "batch": batch})).all()


async def exhaust(connection: AsyncConnection, ids: Sequence[uuid.UUID], now: datetime) -> None:
    """Dead: these jobs' lease expired on their last allowed attempt."""
    await connection.execute(_EXHAUST, {"ids": list(ids), "x_now": now})


async def claim(
    connection: AsyncConnection,
    ids: Sequence[uuid.UUID],
    *,
    worker: str,
    lease_expires_at: datetime,
    now: datetime,
    due_at: datetime,
) -> Sequence[ClaimedRow]:
    """These jobs, if still due at `due_at`, leased to `worker`: what a delivery needs."""
    return (
        await connection.execute(
            _CLAIM,
            {
                "ids": list(ids),
                "c_worker": worker,
                "c_lease": lease_expires_at,
                "c_now": now,
                "c_due": due_at,
            },
        )
    ).all()


async def land(
    connection: AsyncConnection, claims: Sequence[tuple[uuid.UUID, int]], landing: Landing
) -> set[uuid.UUID]:
    """`landing` on those of the (push, claim) pairs still in flight under that claim;
    the pushes it landed on."""
    params = {
        "l_claims": list(claims),
        "l_status": landing.status,
        "l_code": landing.status_code,
        "l_error": landing.error,
        "l_now": landing.now,
        "l_delivered": landing.delivered_at,
        "l_next": landing.next_attempt_at,
    }
    return set((await connection.execute(_LAND, params)).scalars())


async def add_attempts(connection: AsyncConnection, attempts: Sequence[dict[str, Any]]) -> None:
    await connection.execute(insert(CreditPushAttempt), list(attempts))


_WHEN = DateTime(timezone=True)
_EARLIER = aliased(CreditPush)
_UNFINISHED = (PushStatus.pending, PushStatus.retrying, PushStatus.in_flight)


def _due_at(now: Any) -> Any:
    """Due now: pending or retrying and its time has come, or in flight with its lease
    expired."""
    return or_(
        and_(CreditPush.status.in_(DUE), CreditPush.next_attempt_at <= now),
        and_(CreditPush.status == PushStatus.in_flight, CreditPush.lease_expires_at < now),
    )


_DUE = (
    select(
        CreditPush.id,
        CreditPush.status,
        CreditPush.worker,
        CreditPush.claims,
        CreditPush.claim_budget,
    )
    .where(
        _due_at(bindparam("now", type_=_WHEN)),
        # In order per case and target: a withdrawal never overtakes its listing.
        ~exists().where(
            _EARLIER.case_id == CreditPush.case_id,
            _EARLIER.target == CreditPush.target,
            _EARLIER.id < CreditPush.id,
            _EARLIER.status.in_(_UNFINISHED),
        ),
    )
    .order_by(CreditPush.next_attempt_at)
    .limit(bindparam("batch", type_=Integer))
    .with_for_update(skip_locked=True, of=CreditPush)
)
_QUEUE = (
    select(CreditPush.target, CreditPush.status, func.count(), func.min(CreditPush.created_at))
    .where(CreditPush.status.in_(QUEUED))
    .group_by(CreditPush.target, CreditPush.status)
)
_EXHAUST = (
    update(CreditPush)
    .where(
        CreditPush.id.in_(bindparam("ids", expanding=True)),
        CreditPush.status == PushStatus.in_flight,
        CreditPush.lease_expires_at < bindparam("x_now", type_=_WHEN),
    )
    .values(
        status=PushStatus.dead,
        last_error="the lease of its last allowed attempt expired without a result",
        lease_expires_at=None,
        version=CreditPush.version + 1,
        updated_at=bindparam("x_now", type_=_WHEN),
    )
)
_CLAIM = (
    update(CreditPush)
    # Still due (on SQLite nothing was locked: a cancel may have come in between).
    .where(
        CreditPush.id.in_(bindparam("ids", expanding=True)),
        _due_at(bindparam("c_due", type_=_WHEN)),
    )
    .values(
        status=PushStatus.in_flight,
        worker=bindparam("c_worker"),
        lease_expires_at=bindparam("c_lease", type_=_WHEN),
        claims=CreditPush.claims + 1,
        version=CreditPush.version + 1,
        updated_at=bindparam("c_now", type_=_WHEN),
    )
    .returning(
        CreditPush.id,
        CreditPush.claims,
        CreditPush.claim_budget,
        CreditPush.target,
        CreditPush.idempotency_key,
        CreditPush.payload,
    )
)
# A result lands only on jobs still in flight under the claim that sent it.
_LAND = (
    update(CreditPush)
    .where(
        tuple_(CreditPush.id, CreditPush.claims).in_(bindparam("l_claims", expanding=True)),
        CreditPush.status == PushStatus.in_flight,
    )
    .values(
        status=bindparam("l_status"),
        last_status_code=bindparam("l_code", type_=Integer),
        last_error=bindparam("l_error", type_=Text),
        lease_expires_at=None,
        version=CreditPush.version + 1,
        updated_at=bindparam("l_now", type_=_WHEN),
        delivered_at=func.coalesce(bindparam("l_delivered", type_=_WHEN), CreditPush.delivered_at),
        next_attempt_at=func.coalesce(bindparam("l_next", type_=_WHEN), CreditPush.next_attempt_at),
    )
    .returning(CreditPush.id)
)
