"""Every query on the loaded schedules.

The calendar is the same for every department (one schedule a year), so none of these
is scoped: who may load a year is decided by the router's access rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.calendar.models import CalendarYear, CalendarYearVersion


async def loaded_signatures(session: AsyncSession) -> Sequence[tuple[int, int, datetime]]:
    """(year, version, loaded_at) of every loaded schedule, by year."""
    rows = await session.execute(
        select(CalendarYear.year, CalendarYear.version, CalendarYear.loaded_at).order_by(
            CalendarYear.year
        )
    )
    return [(int(year), int(version), at) for year, version, at in rows.all()]


async def loaded_years(session: AsyncSession) -> Sequence[CalendarYear]:
    return (await session.scalars(select(CalendarYear))).all()


async def get_year(
    session: AsyncSession, year: int, *, for_update: bool = False
) -> CalendarYear | None:
    """A year's loaded schedule; `for_update` takes the row lock (PostgreSQL) or the
    database lock (SQLite), which serialises loads of the year."""
    return await session.get(CalendarYear, year, with_for_update=for_update)


async def add_year(session: AsyncSession, row: CalendarYear) -> CalendarYear:
    """A year's first load; IntegrityError when another first load of it came first."""
    session.add(row)
    await session.flush()
    return row


async def add_version(session: AsyncSession, version: CalendarYearVersion) -> None:
    """Keep a loaded schedule in the history (and write the year's pending changes)."""
    session.add(version)
    await session.flush()
