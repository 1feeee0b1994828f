"""One worker process: its queued jobs and its periodic jobs, run side by side."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, PeriodicJob, Queue, QueuedJob, WorkerIdentity
from capacity_exit.worker.periodic import PeriodicRunner

log = logging.getLogger(__name__)


class Runner:
    """Opening a runner opens its queues, so a job whose configuration forbids running
    it stops the worker at start (JobCannotStart)."""

    def __init__(
        self,
        database: Database,
        jobs: Sequence[Job],
        *,
        name: str,
        batch_size: int = 16,
        lease_seconds: float,
    ) -> None:
        identity = WorkerIdentity(name=name[:100], batch_size=batch_size)
        self.queues: list[Queue] = [
            job.open(database, identity) for job in jobs if isinstance(job, QueuedJob)
        ]
        self.periodic = PeriodicRunner(
            database,
            [job for job in jobs if isinstance(job, PeriodicJob)],
            worker=identity.name,
            lease_seconds=lease_seconds,
        )

    async def run(self, stop: asyncio.Event, *, poll_seconds: float = 1.0) -> None:
        """Until `stop` is set; what each job has claimed is finished first. A job that
        crashes stops the others (and the worker: its supervisor restarts it)."""
        await self.periodic.prepare()
        if not self.periodic.jobs and not self.queues:
            log.warning("no job to run (every one chosen is off)")
            return
        async with asyncio.TaskGroup() as group:
            if self.periodic.jobs:
                group.create_task(self.periodic.run(stop, poll_seconds=poll_seconds))
            for queue in self.queues:
                group.create_task(queue.run(stop, poll_seconds=poll_seconds))

    async def until_idle(self) -> None:
        """The periodic jobs that are due, once, then every queue's rows due now."""
        await self.periodic.prepare()
        await self.periodic.run_due()
        for queue in self.queues:
            await queue.drain()
