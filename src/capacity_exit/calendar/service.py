"""The calendar in force: the package's schedules overlaid with the loaded ones.

Each process keeps one `CalendarIndex` and rebuilds it when the loaded schedules in the
database change (any process may load a year), so every answer is current.
"""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.principal import Principal
from capacity_exit.calendar import repository, rules
from capacity_exit.calendar.index import CalendarIndex, Day, Result
from capacity_exit.calendar.models import CalendarYear, CalendarYearVersion
from capacity_exit.calendar.schedule import (
    INDEX_MAX_YEAR,
    MAX_YEAR,
    MIN_YEAR,
    YearSchedule,
    package_schedule,
)
from capacity_exit.calendar.schemas import NamedDay, YearScheduleIn
from capacity_exit.core.clock import utcnow
from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.etag import Precondition, stale
from capacity_exit.core.problems import FieldProblem

# (year, version, loaded_at) of every loaded schedule: loaded_at tells apart two
# version-1 loads of the same year when one of them was rolled back.
Signature = tuple[tuple[int, int, str], ...]

_cache: tuple[Signature, CalendarIndex] | None = None
_lock = asyncio.Lock()


def _loaded_schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(
        year=row.year,
        holidays={date.fromisoformat(d["date"]): d["name"] for d in row.holidays},
        adjusted_workdays={date.fromisoformat(d["date"]): d["name"] for d in row.adjusted_workdays},
        confirmed=True,
        source="loaded",
        notice=row.notice,
        version=row.version,
    )


def build_index(loaded: list[CalendarYear]) -> CalendarIndex:
    schedules = {year: package_schedule(year) for year in range(MIN_YEAR, INDEX_MAX_YEAR + 1)}
    schedules.update({row.year: _loaded_schedule(row) for row in loaded})
    return CalendarIndex(schedules)


async def current_index(session: AsyncSession) -> CalendarIndex:
    global _cache
    rows = await repository.loaded_signatures(session)
    signature: Signature = tuple((year, version, str(at)) for year, version, at in rows)
    if _cache is not None and _cache[0] == signature:
        return _cache[1]
    async with _lock:
        if _cache is None or _cache[0] != signature:
            loaded = list(await repository.loaded_years(session))
            index = await asyncio.to_thread(build_index, loaded)
            _cache = (signature, index)
        return _cache[1]


def _accepted(on: date, parameter: str, location: str) -> None:
    """Input dates are accepted from 2000 to 2100 (the index reaches further)."""
    if not MIN_YEAR <= on.year <= MAX_YEAR:
        detail = f"{on} is outside {MIN_YEAR}-01-01..{MAX_YEAR}-12-31"
        raise Unprocessable(
            detail,
            code="date_out_of_range",
            errors=[
                FieldProblem(
                    parameter=parameter, location=location, detail=detail, code="date_out_of_range"
                )
            ],
        )


def _check_year(year: int, schedule: YearScheduleIn) -> None:
    errors = []
    for field, days in (
        ("holidays", schedule.holidays),
        ("adjusted_workdays", schedule.adjusted_workdays),
    ):
        for i, day in enumerate(days):
            if day.date.year != year:
                errors.append(
                    FieldProblem(
                        pointer=f"/{field}/{i}/date", detail=f"not in {year}", code="wrong_year"
                    )
                )
    for i, day in enumerate(schedule.adjusted_workdays):
        if day.date.weekday() < 5:
            errors.append(
                FieldProblem(
                    pointer=f"/adjusted_workdays/{i}/date",
                    detail="an adjusted working day is a Saturday or Sunday",
                    code="not_a_weekend",
                )
            )
    if errors:
        raise Unprocessable(
            "The schedule does not fit the year.", code="invalid_schedule", errors=errors
        )


async def load_year(
    session: AsyncSession,
    principal: Principal,
    year: int,
    schedule: YearScheduleIn,
    precondition: Precondition,
) -> CalendarYear:
    """Load (or correct) a year's official schedule.

    Nothing else is written: deadlines are computed on read from the current index
    (`case.deadlines`), so every provisional one that depends on the year moves with it."""
    _check_year(year, schedule)
    # The row lock (PostgreSQL) or the database lock (SQLite) serialises loads of a year.
    row = await repository.get_year(session, year, for_update=True)
    version = precondition.version_to_change(row.version if row else 0)
    holidays = _named(schedule.holidays)
    worked = _named(schedule.adjusted_workdays)
    fields = {
        "holidays": holidays,
        "adjusted_workdays": worked,
        "notice": schedule.notice,
        "loaded_at": utcnow(),
        "loaded_by": principal.subject,
    }
    if row is None:
        row = CalendarYear(year=year, version=1, **fields)
        try:
            async with session.begin_nested():
                await repository.add_year(session, row)
        except IntegrityError as exc:  # another first load of this year won the race
            raise stale(1) from exc
    else:
        for name, value in fields.items():
            setattr(row, name, value)
        row.version = version + 1
    await repository.add_version(
        session,
        CalendarYearVersion(
            year=year,
            version=row.version,
            schedule={"notice": schedule.notice, "holidays": holidays, "adjusted_workdays": worked},
            loaded_by=principal.subject,
        ),
    )
    await audit.record(
        session,
        action="calendar.load",
        object_type="calendar_year",
        object_id=str(year),
        after=audit.snapshot(row),
    )
    return row


def _named(days: list[NamedDay]) -> list[dict[str, str]]:
    return [
        {"date": d.date.isoformat(), "name": d.name} for d in sorted(days, key=lambda d: d.date)
    ]


async def year_view(session: AsyncSession, year: int) -> tuple[YearSchedule, CalendarYear | None]:
    index = await current_index(session)
    return index.schedules[year], await repository.get_year(session, year)


async def loaded_version(session: AsyncSession, year: int) -> int:
    """The version of a year's loaded schedule, 0 before any load (its ETag)."""
    row = await repository.get_year(session, year)
    return row.version if row else 0


async def day(session: AsyncSession, on: date) -> Day:
    _accepted(on, "date", "path")
    return (await current_index(session)).day(on)


async def deadline(session: AsyncSession, start: date, working_days: int) -> Result:
    _accepted(start, "start", "query")
    return rules.working_days_after(await current_index(session), start, working_days)
