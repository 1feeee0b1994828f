"""The push worker: claims due jobs, delivers them, records every attempt.

Any number of workers may run against PostgreSQL, on any number of hosts: a claim is
`FOR UPDATE SKIP LOCKED` and each claimed job carries a lease. A worker that dies
leaves its jobs `in_flight` until the lease expires; then any worker reclaims them. A
worker's result lands only while its claim is still the job's latest (a conditional
update on the claim count), so a late answer from a presumed-dead worker cannot
overwrite a newer attempt; the platform deduplicates by the idempotency key. On SQLite
run one worker.

It runs as the credit domain's queued job (credit.jobs) in `capacity-exit worker`,
beside the other domains' jobs (capacity_exit.worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.db import Database
from capacity_exit.core.ids import uuid7
from capacity_exit.core.rate_limit import RateLimiter
from capacity_exit.credit import delivery, redaction, repository, targets
from capacity_exit.credit.machine import Outcome, PushStatus, classify


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
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = name[:100]  # the column's width
        self.batch_size = batch_size
        self.lease = timedelta(seconds=settings.credit_lease_seconds)
        self.backoff = Backoff(
            settings.credit_backoff_base_seconds, settings.credit_backoff_cap_seconds
        )
        self._limiters: dict[str, RateLimiter] = {}

    # --- claiming ------------------------------------------------------------------------

    async def claim(self, due_by: datetime | None = None) -> list[Claimed]:
        """Due jobs (and jobs whose lease expired), up to a batch, now leased to us; with
        `due_by`, only those already due then. A job whose lease expired on its last
        allowed attempt is dead, not sent again."""
        now = clock.utcnow()
        due = now if due_by is None else min(now, due_by)
        async with self.database.engine.begin() as connection:
            found = await repository.due(connection, due, self.batch_size)
            if not found:
                return []
            lost = [r for r in found if r.status == PushStatus.in_flight]
            spent = [r.id for r in lost if r.claims >= r.claim_budget]
            if spent:
                await repository.exhaust(connection, spent, now)
            claimed = await repository.claim(
                connection,
                [r.id for r in found if r.id not in spent],
                worker=self.name,
                lease_expires_at=now + self.lease,
                now=now,
                due_at=due,
            )
            if lost:  # a lost claim is part of the job's history too
                await repository.add_attempts(
                    connection, [_lost_attempt(r.id, r.claims, r.worker, now) for r in lost]
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

    def _landing(self, attempted: Attempted, now: datetime) -> repository.Landing:
        """What one result writes on its push."""
        result, outcome = attempted.result, attempted.outcome
        if outcome is Outcome.delivered:
            return repository.Landing(
                PushStatus.delivered, result.status_code, result.error, now, delivered_at=now
            )
        if outcome is Outcome.retry:
            delay = self.backoff.delay(attempted.job.claim, result.retry_after_seconds)
            next_attempt = now + timedelta(seconds=delay)
            return repository.Landing(
                PushStatus.retrying,
                result.status_code,
                result.error,
                now,
                next_attempt_at=next_attempt,
            )
        return repository.Landing(PushStatus.dead, result.status_code, result.error, now)

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
                claims = [(a.job.id, a.job.claim) for a in group]
                landed |= await repository.land(connection, claims, self._landing(group[0], now))
            await repository.add_attempts(
                connection,
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
