"""The overdue scan: each case marked overdue is listed on the credit platforms (一(二))
in the mark's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.case import overdue
from capacity_exit.case.models import Case
from capacity_exit.core import clock
from capacity_exit.credit import triggers


async def _list_on_credit(session: AsyncSession, case: Case, today: dt.date) -> dict[str, Any]:
    return triggers.history_note(await triggers.list_overdue(session, case, today))


async def scan_overdue(session: AsyncSession, today: dt.date | None = None) -> list[Case]:
    """Mark the cases whose completion deadline passed while still awaiting completion
    (by the business day unless `today` is given), and list each on the credit platforms.

    Each mark is a conditional update, so a concurrent step or a second scan never marks
    a case twice or marks one that has just completed."""
    return await overdue.mark_overdue(session, today or clock.business_today(), _list_on_credit)
