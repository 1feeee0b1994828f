"""Periodic jobs, each run once per period across all workers.

Every worker tries to claim each due job in `periodic_jobs` (worker.repository); one
gets it, runs it and sets its next run: the start of the next period, periods aligned
on the Unix epoch as the audit checkpoints' are, so a period's run happens once however
many workers start when. A run that fails is logged, its error kept on the row, and
tried again next period. A worker that dies mid-run holds its lease until it expires
(`CAPEXIT_WORKER_JOB_LEASE_SECONDS`); then another worker runs the job again.

Between claims a worker remembers when each job could next be claimed, so an idle
worker does not query the table on every poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from capacity_exit.core import clock
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import PeriodicJob
from capacity_exit.worker import repository

log = logging.getLogger(__name__)


def next_run_after(started: datetime, period_seconds: float) -> datetime:
    """The start of the period after the one `started` falls in."""
    moment = started.timestamp()
    return datetime.fromtimestamp((moment // period_seconds + 1) * period_seconds, UTC)


class PeriodicRunner:
    def __init__(
        self,
        database: Database,
        jobs: Sequence[PeriodicJob],
        *,
        worker: str,
        lease_seconds: float,
    ) -> None:
        self.database = database
        self.jobs = [job for job in jobs if job.enabled]
        self.worker = worker[:100]  # the column's width
        self.lease = timedelta(seconds=lease_seconds)
        self._not_before: dict[str, datetime] = {}

    async def prepare(self) -> None:
        """A row for every job this worker runs (a new job is due at once)."""
        await repository.ensure(self.database, [job.name for job in self.jobs], clock.utcnow())

    async def run_due(self) -> list[str]:
        """Each job that is due and not claimed by another worker, one after another;
        the names of those this worker ran."""
        ran = []
        for job in self.jobs:
            now = clock.utcnow()
            not_before = self._not_before.get(job.name)
            if not_before is not None and now < not_before:
                continue
            claim = await repository.claim(
                self.database, job.name, worker=self.worker, now=now, lease_until=now + self.lease
            )
            if claim is None:
                self._not_before[job.name] = (
                    await repository.next_chance(self.database, job.name) or now
                )
                continue
            await self._run(job, claim, now)
            ran.append(job.name)
        return ran

    async def _run(self, job: PeriodicJob, claim: int, started: datetime) -> None:
        error = None
        try:
            await job.run(self.database, clock.business_today())
        except Exception as exc:  # one job's failure stops neither the others nor the worker
            log.exception("periodic job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"
        next_run_at = next_run_after(started, job.period_seconds)
        finished = await repository.finish(
            self.database,
            job.name,
            claim=claim,
            now=clock.utcnow(),
            next_run_at=next_run_at,
            error=error,
        )
        if not finished:
            log.warning(
                "periodic job %s outlived its lease: another worker claimed it meanwhile",
                job.name,
            )
        self._not_before[job.name] = next_run_at

    async def run(self, stop: asyncio.Event, *, poll_seconds: float) -> None:
        """Until `stop` is set; a run under way is finished first."""
        while not stop.is_set():
            await self.run_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
