"""The idempotency keys' periodic job: pruning keys past their retention.

Declared here, next to `core.idempotency`, as every domain declares its jobs in its own
`jobs.py`. Core lies below the settings, so it asks only for the two it reads.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Protocol

from capacity_exit.core import idempotency
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, PeriodicJob

log = logging.getLogger(__name__)
PRUNE = "idempotency_prune"


class PruneSettings(Protocol):
    @property
    def idempotency_retention_hours(self) -> int: ...

    @property
    def idempotency_prune_seconds(self) -> float: ...


def jobs(settings: PruneSettings) -> list[Job]:
    retention = timedelta(hours=settings.idempotency_retention_hours)

    async def prune(database: Database, _today: date) -> None:
        pruned = await idempotency.prune(database, retention)
        if pruned:
            log.info("pruned %d idempotency key(s)", pruned)

    return [PeriodicJob(PRUNE, settings.idempotency_prune_seconds, prune)]
