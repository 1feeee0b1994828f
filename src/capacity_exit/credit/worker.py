"""The push worker: claims due jobs, delivers them, records every attempt.

Any number of workers may run against PostgreSQL, on any number of hosts: a claim is
`FOR UPDATE SKIP LOCKED` and each claimed job carries a lease. A worker that dies
leaves its jobs `in_flight` until the lease expires; then any worker reclaims them. A
worker's result lands only while its claim is still the job's latest (a conditional
update on the claim count), so a late answer from a presumed-dead worker cannot
overwrite a newer attempt; the platform deduplicates by the idempotency key. On SQLite
run one worker.

The worker also runs the overdue scan periodically (its own transaction each time), and
signs the audit chain's head once per period across all workers (issue 14).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import (
    DateTime,
    Integer,
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
from sqlalchemy.orm import aliased

from capacity_exit.audit import checkpoint as audit_checkpoint
from capacity_exit.audit import publication as audit_publication
from capacity_exit.case.followups import scan_overdue
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.db import Database
from capacity_exit.core.ids import uuid7
from capacity_exit.core.rate_limit import RateLimiter
from capacity_exit.credit import delivery, redaction, targets
from capacity_exit.credit.machine import DUE, Outcome, PushStatus, classify
from capacity_exit.credit.models import CreditPush, CreditPushAttempt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    claim: int
    budget: int
    target: str
    key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Attempted:
    job: Claimed
    started_at: datetime
    result: delivery.AttemptResult
    outcome: Outcome


@dataclass(frozen=True)
class Backoff:
    base_seconds: float
    cap_seconds: float

    def delay(self, claim: int, retry_after: float | None = None) -> float:
        """Exponential in the claim number with full jitter in its upper half; never
        sooner than the platform's own Retry-After, never later than the cap."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(60, max(0, claim - 1)))
        asked = min(retry_after or 0.0, self.cap_seconds)  # a platform cannot park a job
        return float(max(ceiling * random.uniform(0.5, 1.0), asked))  # noqa: S311


class Worker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        name: str,
        batch_size: int = 16,
        scan_every_seconds: float | None = 3600.0,
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = name[:100]  # the column's width
        self.batch_size = batch_size
        self.scan_every_seconds = scan_every_seconds
        self.lease = timedelta(seconds=settings.credit_lease_seconds)
        self.backoff = Backoff(
            settings.credit_backoff_base_seconds, settings.credit_backoff_cap_seconds
        )
        self._limiters: dict[str, RateLimiter] = {}
        self._last_scan: float | None = None
        self._checkpointed: datetime | None = None  # the last period seen done

    # --- claiming ------------------------------------------------------------------------

    async def claim(self, due_by: datetime | None = None) -> list[Claimed]:
        """Due jobs (and jobs whose lease expired), up to a batch, now leased to us; with
        `due_by`, only those already due then. A job whose lease expired on its last
        allowed attempt is dead, not sent again."""
        now = clock.utcnow()
        due = now if due_by is None else min(now, due_by)
        async with self.database.engine.begin() as connection:
            found = (await connection.execute(_DUE, {"now": due, "batch": self.batch_size})).all()
            if not found:
                return []
            lost = [r for r in found if r.status == PushStatus.in_flight]
            spent = [r.id for r in lost if r.claims >= r.claim_budget]
            if spent:
                await connection.execute(_EXHAUST, {"ids": spent, "x_now": now})
            claimed = (
                await connection.execute(
                    _CLAIM,
                    {
                        "ids": [r.id for r in found if r.id not in spent],
                        "c_worker": self.name,
                        "c_lease": now + self.lease,
                        "c_now": now,
                        "c_due": due,
                    },
                )
            ).all()
            if lost:  # a lost claim is part of the job's history too
                await connection.execute(
                    insert(CreditPushAttempt),
                    [_lost_attempt(r.id, r.claims, r.worker, now) for r in lost],
                )
        return [Claimed(r.id, r.claims, r.claim_budget, r.target, r.idempotency_key, r.payload)
                for r in claimed]  # fmt: skip

    # --- delivering ----------------------------------------------------------------------

    async def _wait_for_rate(self, target: targets.CreditTarget) -> None:
        if target.rate_per_second is None:
            return
        # Evenly: bursts of at most one second's worth (at least one request).
        rate = target.rate_per_second
        limiter = self._limiters.setdefault(
            target.code, RateLimiter(rate * 60, burst=max(1.0, rate))
        )
        # Waiting for the bucket to refill, not for an event.
        while (wait := limiter.seconds_until_allowed(target.code)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def deliver(self, client: httpx.AsyncClient, job: Claimed) -> Attempted:
        """One attempt at `job`; its result is written by `record` (with the batch's)."""
        started_at = clock.utcnow()
        target = targets.by_code(job.target, self.settings)
        if target is None:
            error = f"target {job.target} is not configured"
            result = delivery.AttemptResult(None, 0.0, error, None, None)
            outcome = Outcome.dead
        else:
            await self._wait_for_rate(target)
            secrets = redaction.our_secrets(self.settings)  # none of them may be stored
            result = await delivery.send(client, target, job.key, job.payload, secrets=secrets)
            outcome = classify(result.status_code, acknowledged=result.acknowledged)
        if outcome is Outcome.retry and job.claim >= job.budget:
            outcome = Outcome.dead  # attempts exhausted
        return Attempted(job, started_at, result, outcome)

    def _values(self, attempted: Attempted, now: datetime) -> dict[str, Any]:
        """The parameters of `_LAND` for one result (None keeps the stored value)."""
        result, outcome = attempted.result, attempted.outcome
        values: dict[str, Any] = {
            "l_code": result.status_code,
            "l_error": result.error,
            "l_now": now,
            "l_delivered": None,
            "l_next": None,
        }
        if outcome is Outcome.delivered:
            return values | {"l_status": PushStatus.delivered, "l_delivered": now}
        if outcome is Outcome.retry:
            delay = self.backoff.delay(attempted.job.claim, result.retry_after_seconds)
            next_attempt = now + timedelta(seconds=delay)
            return values | {"l_status": PushStatus.retrying, "l_next": next_attempt}
        return values | {"l_status": PushStatus.dead}

    async def record(self, attempts: Sequence[Attempted]) -> None:
        """Every attempt of a batch, in one transaction. A result lands only while its
        claim is still the job's latest; otherwise it is kept as `stale`. Results that
        write the same values (the usual case: delivered with the same status) land in
        one statement; a retry's jittered next attempt is its own."""
        now = clock.utcnow()
        groups: dict[tuple[Any, ...], list[Attempted]] = {}
        for attempted in attempts:
            result, outcome = attempted.result, attempted.outcome
            shared = (outcome, result.status_code, result.error)
            key = (*shared, attempted.job.id) if outcome is Outcome.retry else shared
            groups.setdefault(key, []).append(attempted)
        async with self.database.engine.begin() as connection:
            landed: set[uuid.UUID] = set()
            for group in groups.values():
                params = self._values(group[0], now)
                params["l_claims"] = [(a.job.id, a.job.claim) for a in group]
                landed.update((await connection.execute(_LAND, params)).scalars())
            await connection.execute(
                insert(CreditPushAttempt),
                [
                    {
                        "id": uuid7(),
                        "push_id": a.job.id,
                        "claim": a.job.claim,
                        "worker": self.name,
                        "started_at": a.started_at,
                        "latency_ms": a.result.latency_ms,
                        "status_code": a.result.status_code,
                        "outcome": a.outcome.value if a.job.id in landed else "stale",
                        "error": a.result.error,
                        "response_excerpt": a.result.excerpt,
                    }
                    for a in attempts
                ],
            )

    # --- running -------------------------------------------------------------------------

    async def run_once(self, client: httpx.AsyncClient) -> int:
        """One claim, its deliveries and their record; how many jobs it took."""
        jobs = await self.claim()
        if jobs:
            await self.record(await asyncio.gather(*(self.deliver(client, job) for job in jobs)))
        return len(jobs)

    async def checkpoint_if_due(self) -> None:
        """The audit chain's signed head for this period (audit.publication), unless a
        worker made it already: a row keyed by the period decides, however many workers
        run. Remembering the last period seen done spares the query on every poll. A
        chain that no longer extends the last checkpoint, or a witness file that cannot
        be written, is logged as an error and nothing is signed until the next period."""
        seconds = self.settings.audit_checkpoint_seconds
        if seconds <= 0:
            return
        period = audit_publication.period_of(clock.utcnow(), seconds)
        if period == self._checkpointed:
            return
        try:
            await audit_publication.checkpoint_if_due(self.database, self.settings)
        except (audit_publication.ChainDoesNotExtend, audit_checkpoint.BadCheckpoint) as exc:
            log.error("audit chain does not extend the last checkpoint, none signed: %s", exc)
        except OSError as exc:  # the witness file: nothing stored, tried again next period
            log.error("audit checkpoint not signed, the witness file failed: %s", exc)
        self._checkpointed = period

    async def scan_if_due(self) -> None:
        if self.scan_every_seconds is None:
            return
        loop_time = asyncio.get_running_loop().time()
        if self._last_scan is not None and loop_time - self._last_scan < self.scan_every_seconds:
            return
        self._last_scan = loop_time
        async with self.database.sessionmaker() as session, session.begin():
            marked = await scan_overdue(session, clock.business_today())
        if marked:
            log.info("overdue scan marked %d case(s)", len(marked))

    async def pump(
        self,
        client: httpx.AsyncClient,
        stop: asyncio.Event | None = None,
        *,
        poll_seconds: float = 1.0,
        until_idle: bool = False,
    ) -> None:
        """Claim, send and record in a pipeline: the next batch is claimed while one is
        sent, and a batch's results are written while the next is sent. Ends when `stop`
        is set (everything claimed is sent and recorded first) or, `until_idle`, when
        nothing that was due when it started is left to claim.

        A claim made while a batch of ours is out cannot take the pushes queued behind
        that batch's (a case's pushes to a target go out in order): when such a claim
        finds nothing, the batch is recorded and the claim made again before the pump
        idles or ends. `until_idle` claims only what was due at its start, so a push
        that fails is tried once per run and its retry (later) does not keep it going."""
        due_by = clock.utcnow() if until_idle else None
        recording: asyncio.Future[None] | None = None
        claiming: asyncio.Future[list[Claimed]] | None = asyncio.ensure_future(self.claim(due_by))
        blind = False  # the claim under way started while a batch of ours was unrecorded
        try:
            while claiming is not None:
                jobs = await claiming
                claiming = None
                stopping = stop is not None and stop.is_set()
                if not jobs:
                    if stopping:
                        break
                    if blind:  # what waited behind the batch out may be due now: look again
                        if recording is not None:
                            await recording
                            recording = None
                        claiming, blind = asyncio.ensure_future(self.claim(due_by)), False
                        continue
                    if until_idle:
                        break
                    await self.scan_if_due()
                    await self.checkpoint_if_due()
                    if stop is not None:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
                    else:
                        await asyncio.sleep(poll_seconds)
                    if stop is not None and stop.is_set():
                        break
                    claiming = asyncio.ensure_future(self.claim(due_by))
                    continue
                if not stopping:
                    claiming, blind = asyncio.ensure_future(self.claim(due_by)), True
                attempts = await asyncio.gather(*(self.deliver(client, job) for job in jobs))
                if recording is not None:
                    await recording
                recording = asyncio.ensure_future(self.record(attempts))
        finally:
            if recording is not None:
                await recording

    async def run(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Until `stop` is set; jobs already claimed are finished first."""
        await self.scan_if_due()
        await self.checkpoint_if_due()
        async with delivery.new_client() as client:
            await self.pump(client, stop, poll_seconds=poll_seconds)

    async def drain(self, client: httpx.AsyncClient) -> None:
        """Deliver everything due now, in order, then return (the CLI's `--until-idle`)."""
        await self.pump(client, until_idle=True)


def _lost_attempt(
    push_id: uuid.UUID, claim: int, worker: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "push_id": push_id,
        "claim": claim,
        "worker": worker or "?",
        "started_at": now,
        "latency_ms": 0.0,
        "status_code": None,
        "outcome": "lost",
        "error": "the worker's lease expired without a result; the job was reclaimed",
        "response_excerpt": None,
    }


# The statements, built once (their construction costs more than their execution).
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
