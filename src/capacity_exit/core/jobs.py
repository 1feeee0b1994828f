"""What a worker runs, declared by each domain next to its code.

A domain declares its jobs in its own `jobs.py`: a function `jobs(settings)` returning
them, so periods and limits come from the settings the worker was started with. The
job runner (`capacity_exit.worker`) imports those modules by name from one explicit
list; a domain never imports the runner. Two kinds:

* a **queued job** works through rows a domain keeps (credit pushes, say): it claims
  due rows with a lease, does what they ask and records the result, any number of
  workers at once. The domain owns the claiming; the runner only starts and stops it.
* a **periodic job** runs once per period across all workers: the runner claims it in
  its own table (`periodic_jobs`) and calls `run(database, today)`. A run whose worker
  died is run again once its lease expires, so a run must be safe to repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from capacity_exit.core.db import Database

PeriodicRun = Callable[[Database, date], Awaitable[None]]
"""A periodic job's work: its own transactions on the database, judged by `today` (the
business day when the run starts)."""


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    period_seconds: float  # 0 (or less): never run
    run: PeriodicRun

    @property
    def enabled(self) -> bool:
        return self.period_seconds > 0


@dataclass(frozen=True)
class WorkerIdentity:
    """What a queue needs to know of the worker running it."""

    name: str  # written into the rows it claims
    batch_size: int  # rows claimed at once


class Queue(Protocol):
    """A queued job started in one worker."""

    async def run(self, stop: asyncio.Event, *, poll_seconds: float) -> None:
        """Claim and work rows until `stop` is set; what is claimed is finished first."""

    async def drain(self) -> None:
        """Work every row due now, then return (`capacity-exit worker --until-idle`)."""


@dataclass(frozen=True)
class QueuedJob:
    name: str
    open: Callable[[Database, WorkerIdentity], Queue]  # raises JobCannotStart


Job = PeriodicJob | QueuedJob


class JobCannotStart(RuntimeError):
    """A job's configuration forbids running it (the worker refuses to start)."""
