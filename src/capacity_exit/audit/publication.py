"""Publishing signed heads: made by the worker once per period, or by the operator.

A head is signed only after the chain is found to extend the latest published one (every
event since it recomputed with the chain key), so a checkpoint never vouches for a
rewritten chain: like Certificate Transparency's consistency between tree heads. Each
checkpoint is stored (served at `GET /api/v1/audit-checkpoints`) and appended to the
witness file, outside the database.

The periodic checkpoint is a row keyed by its period's start (unique): of any number of
workers, on any number of hosts, one inserts it and the others find it there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import checkpoint, keys, repository, service, witness
from capacity_exit.audit.chain import Checkpoint
from capacity_exit.audit.checkpoint import SignedCheckpoint
from capacity_exit.audit.models import AuditCheckpoint
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.db import Database

log = logging.getLogger(__name__)


@dataclass
class ChainDoesNotExtend(RuntimeError):
    """The chain no longer extends the latest published head: nothing is signed."""

    verification: service.Verification

    def __str__(self) -> str:
        v = self.verification
        return f"at position {v.first_bad_position}: {v.reason}"


def signed(row: AuditCheckpoint) -> SignedCheckpoint:
    return SignedCheckpoint(
        row.position, row.hash, checkpoint.timestamp(row.created_at), row.kid, row.signature
    )


async def stored_heads(session: AsyncSession, settings: Settings) -> list[Checkpoint]:
    """The heads the stored checkpoints vouch for, each signature checked (a row whose
    signature fails was not made by us: BadCheckpoint)."""
    return [
        checkpoint.check_signature(settings, signed(row), f"stored checkpoint {row.id}")
        for row in await repository.all_checkpoints(session)
    ]


async def _since(session: AsyncSession, settings: Settings) -> Checkpoint | None:
    """The latest published head signed with the current key, if any."""
    latest = await repository.latest_checkpoint(session)
    if latest is None or latest.kid != keys.chain_key(settings).kid:
        return None  # none yet (or made with an earlier key): check from the genesis
    return checkpoint.check_signature(settings, signed(latest), f"stored checkpoint {latest.id}")


async def publish(
    session: AsyncSession, settings: Settings, *, period_start: datetime | None = None
) -> SignedCheckpoint:
    """Sign the chain's head as it stands in this transaction, after checking that the
    chain extends the latest published head; store it and append it to the witness
    file. Raises ChainDoesNotExtend (nothing signed), or IntegrityError when another
    worker published this period's checkpoint first."""
    head = await repository.head(session)
    result = await service.verify(
        session,
        key=keys.chain_key(settings),
        unkeyed_until=settings.audit_unkeyed_until,
        since=await _since(session, settings),
        upto=head,
    )
    if not result.ok:
        raise ChainDoesNotExtend(result)
    now = clock.utcnow()
    made = checkpoint.sign(settings, head.position, head.hash, checkpoint.timestamp(now))
    await repository.add_checkpoint(
        session,
        AuditCheckpoint(
            position=made.position,
            hash=made.hash,
            created_at=now,
            kid=made.kid,
            signature=made.signature,
            period_start=period_start,
        ),
    )
    witness.append(settings, made)
    return made


def period_of(moment: datetime, seconds: int) -> datetime:
    """The start of the period `moment` falls in (periods aligned on the Unix epoch)."""
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


async def checkpoint_if_due(database: Database, settings: Settings) -> SignedCheckpoint | None:
    """This period's checkpoint, unless it exists already (or periods are off)."""
    if settings.audit_checkpoint_seconds <= 0:
        return None
    period = period_of(clock.utcnow(), settings.audit_checkpoint_seconds)
    try:
        async with database.sessionmaker() as session, session.begin():
            if await repository.has_period(session, period):
                return None
            made = await publish(session, settings, period_start=period)
    except IntegrityError:
        return None  # another worker inserted this period's checkpoint first
    log.info("audit checkpoint at position %d (%s)", made.position, made.hash)
    return made
