"""Possible duplicates of a report, offered to the triager (issue 17, item 7).

Reports of the same category about the same enterprise (the same registered enterprise,
credit code or name) received within `CAPEXIT_REPORT_DUPLICATE_WINDOW_DAYS` calendar
days of each other, before or after, in the caller's scope. Nothing is decided here: the
lead rejects a report as `duplicate` of another, or handles both, itself. The window is
a look-back over receipt dates, not a deadline, so it counts calendar days.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.config import Settings
from capacity_exit.report import handling, repository
from capacity_exit.report.models import Report
from capacity_exit.report.schemas import MAX_DUPLICATES_OFFERED, MatchedOn


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    report: Report
    matched_on: MatchedOn


def matched_on(report: Report, other: Report) -> MatchedOn:
    if report.enterprise_id is not None and other.enterprise_id == report.enterprise_id:
        return MatchedOn.enterprise
    if (
        report.enterprise_credit_code is not None
        and other.enterprise_credit_code == report.enterprise_credit_code
    ):
        return MatchedOn.credit_code
    return MatchedOn.name


async def possible_duplicates(
    session: AsyncSession, settings: Settings, principal: Principal, report_id: uuid.UUID
) -> list[PossibleDuplicate]:
    """404 for a report outside the caller's scope; [] when the window is 0."""
    report = await handling.report_in_scope(session, principal, report_id)
    days = settings.report_duplicate_window_days
    if days == 0:
        return []
    window = dt.timedelta(days=days)
    others = await repository.similar_in_scope(
        session,
        report,
        principal.readable,
        received_from=report.received_on - window,
        received_to=report.received_on + window,
        limit=MAX_DUPLICATES_OFFERED,
    )
    return [PossibleDuplicate(other, matched_on(report, other)) for other in others]
