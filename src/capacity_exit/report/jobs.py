"""The report platform's periodic jobs: the overdue scan and the contacts' retention.

Each run is one transaction judged by the business day the run started on, and safe to
repeat (a mark is an event looked for before marking; an erased contact is null).
"""

from __future__ import annotations

import logging
from datetime import date

from capacity_exit.config import Settings
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, PeriodicJob
from capacity_exit.report import overdue, retention

log = logging.getLogger(__name__)
OVERDUE_SCAN = "report_overdue_scan"
CONTACT_RETENTION = "report_contact_retention"


async def scan_overdue(database: Database, today: date) -> list[overdue.Marked]:
    async with database.sessionmaker() as session, session.begin():
        marked = await overdue.mark_overdue(session, today)
    if marked:  # counts only: a report's id is no one's business in a log line
        log.info("report overdue scan marked %d stage(s)", len(marked))
    return marked


def jobs(settings: Settings) -> list[Job]:
    async def erase(database: Database, today: date) -> None:
        async with database.sessionmaker() as session, session.begin():
            erased = await retention.erase_contacts(
                session, today, settings.report_contact_retention_days
            )
        if erased:
            log.info("erased the contact details of %d closed report(s)", len(erased))

    async def scan(database: Database, today: date) -> None:
        await scan_overdue(database, today)

    return [
        PeriodicJob(OVERDUE_SCAN, settings.report_overdue_scan_seconds, scan),
        PeriodicJob(CONTACT_RETENTION, settings.report_contact_retention_seconds, erase),
    ]
