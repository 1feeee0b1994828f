"""Retention: a reporter's contact details are erased a while after the report ends.

`CAPEXIT_REPORT_CONTACT_RETENTION_DAYS` (180) calendar days after `closed_on` (set by
`close` and by `reject`), a closed or rejected report's sealed contact is set to null;
the report, its history and its receipt stay. A retention period is how long personal
data exists, not a duty of the administration, so it is counted in calendar days (a
holiday does not make the contact less sensitive). A report reopened by an objection
is not ended, so its contact stays until it is closed again (which sets `closed_on`
anew). A named report without a contact is one whose contact was erased
(`contact_erased` in the handlers' view). The erasure is a history event and an audit
entry; neither holds the contact (`service.audited` leaves out `contact_sealed`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.versioned import update_if_version
from capacity_exit.report import repository, service
from capacity_exit.report.machine import ReportState
from capacity_exit.report.models import Report

ENDED = (ReportState.closed, ReportState.rejected)


def erased(report: Report) -> bool:
    """A named report whose contact is gone: erased by retention."""
    return not report.anonymous and report.contact_sealed is None


async def erase_contacts(
    session: AsyncSession, today: dt.date, retention_days: int
) -> list[Report]:
    """Erase the contacts of the reports ended `retention_days` or more before `today`.

    Conditional on the version: a report an objection reopens meanwhile keeps its
    contact (the next run judges it again)."""
    closed_by = today - dt.timedelta(days=retention_days)
    states = [s.value for s in ENDED]
    done = []
    for report in await repository.contacts_due_for_erasure(session, states, closed_by):
        before = service.audited(report)
        if not await update_if_version(
            session, Report, report.id, report.version, {"contact_sealed": None}
        ):
            continue
        await repository.refresh(session, report)
        await service.record(
            session,
            report,
            kind="contact_erased",
            audit_action="report.erase_contact",
            before=before,
            public=True,
            from_state=ReportState(report.status),
            text=f"联系方式已按保存期限删除（结案 {report.closed_on}）",
        )
        done.append(report)
    return done
