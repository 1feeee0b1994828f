"""The spent challenges' periodic job: pruning those whose challenge has expired.

A replay of an expired challenge is refused as expired before its row is looked at, so
a row is needed only until its challenge expires; `GRACE` more covers the processes'
clocks disagreeing by a little. Core lies below the settings: it asks only for the
period it reads.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Protocol

from capacity_exit.core import challenge_repository as repository
from capacity_exit.core.clock import utcnow
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, PeriodicJob

log = logging.getLogger(__name__)
PRUNE = "report_challenge_prune"
GRACE = timedelta(hours=1)


class PruneSettings(Protocol):
    @property
    def report_challenge_prune_seconds(self) -> float: ...


async def prune(database: Database) -> int:
    """Delete the spent challenges that expired more than `GRACE` ago; how many went."""
    async with database.sessionmaker() as session, session.begin():
        return await repository.delete_expired_before(session, utcnow() - GRACE)


def jobs(settings: PruneSettings) -> list[Job]:
    async def run(database: Database, _today: date) -> None:
        pruned = await prune(database)
        if pruned:
            log.info("pruned %d spent challenge(s)", pruned)

    return [PeriodicJob(PRUNE, settings.report_challenge_prune_seconds, run)]
