"""The credit domain's jobs: delivering pushes to the platforms (a queued job)."""

from __future__ import annotations

import asyncio

from capacity_exit.config import Settings
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, JobCannotStart, QueuedJob, WorkerIdentity
from capacity_exit.credit import delivery, targets
from capacity_exit.credit.worker import Worker

DELIVERY = "credit_delivery"


class Delivery:
    """The push worker's claim, deliver and record pipeline, as a queue."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    async def run(self, stop: asyncio.Event, *, poll_seconds: float) -> None:
        await self.worker.run(stop, poll_seconds=poll_seconds)

    async def drain(self) -> None:
        async with delivery.new_client() as client:
            await self.worker.drain(client)


def check_lease(settings: Settings) -> None:
    """A claimed push waits for the batch before it (pipelining) and then its own
    exchange: a lease shorter than that would let another worker send it again meanwhile."""
    slowest = max((t.timeout_seconds for t in targets.configured(settings)), default=0.0)
    if settings.credit_lease_seconds <= 2 * slowest:
        raise JobCannotStart(
            f"CAPEXIT_CREDIT_LEASE_SECONDS ({settings.credit_lease_seconds}) must exceed twice "
            f"the slowest target's timeout ({slowest} s)"
        )


def jobs(settings: Settings) -> list[Job]:
    def open_delivery(database: Database, identity: WorkerIdentity) -> Delivery:
        check_lease(settings)
        worker = Worker(database, settings, name=identity.name, batch_size=identity.batch_size)
        return Delivery(worker)

    return [QueuedJob(DELIVERY, open_delivery)]
