"""The periodic jobs that cross domains: the overdue scan (a case marked overdue pushes
its credit listings in the same transaction)."""

from __future__ import annotations

import logging
from datetime import date

from capacity_exit.config import Settings
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, PeriodicJob
from capacity_exit.flows.overdue import scan_overdue

log = logging.getLogger(__name__)
OVERDUE_SCAN = "overdue_scan"


async def scan(database: Database, today: date) -> None:
    """Mark the cases past their completion deadline on `today`, in one transaction."""
    async with database.sessionmaker() as session, session.begin():
        marked = await scan_overdue(session, today)
    if marked:
        log.info("overdue scan marked %d case(s)", len(marked))


def jobs(settings: Settings) -> list[Job]:
    return [PeriodicJob(OVERDUE_SCAN, settings.overdue_scan_seconds, scan)]
