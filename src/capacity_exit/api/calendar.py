"""HTTP: public calendar look-ups and the administrators' schedule load."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from capacity_exit.auth.dependencies import CurrentPrincipal, access, public
from capacity_exit.auth.roles import Role
from capacity_exit.calendar import service
from capacity_exit.calendar.models import CalendarYear
from capacity_exit.calendar.schedule import MAX_YEAR, MIN_YEAR, YearSchedule
from capacity_exit.calendar.schemas import (
    CalendarDeadlineOut,
    DayOut,
    NamedDay,
    YearOut,
    YearScheduleIn,
)
from capacity_exit.core.clock import Day
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfMatch, Precondition, set_etag
from capacity_exit.core.problems import problem_responses

public_router = APIRouter(prefix="/calendar", tags=["calendar"])
router = APIRouter(prefix="/calendar", tags=["calendar"])

Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR, description=f"{MIN_YEAR}–{MAX_YEAR}")]
# Keeps generated clients and fuzzers inside the accepted range (2000–2100).
_DATE_SCHEMA = {"pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}
_ETAG = {"ETag": {"description": "Version of the loaded schedule", "schema": {"type": "string"}}}


@public_router.get(
    "/days/{date}",
    operation_id="get_calendar_day",
    summary="Is this day a working day (工作日)?",
    description="Whether a day is a working day (工作日), and why: a weekday, a weekend day, a "
    "statutory holiday (named) or a weekend day worked (调休); `provisional` when the "
    "year's official schedule is not confirmed. Changes nothing. Serves 一(三): every "
    "time limit counts working days.",
    response_model=DayOut,
    responses=problem_responses(422),
    **public(),
)
async def get_calendar_day(
    session: Session,
    date: Annotated[Day, Path(description="YYYY-MM-DD, 2000–2100", json_schema_extra=_DATE_SCHEMA)],
) -> DayOut:
    day = await service.day(session, date)
    return DayOut(
        date=day.date,
        working_day=day.working_day,
        kind=day.kind,
        name=day.name,
        provisional=day.provisional,
    )


@public_router.get(
    "/deadline",
    operation_id="get_calendar_deadline",
    summary="The n-th working day after a date (the date itself does not count)",
    description="The `working_days`-th working day after `start` (the start itself does not "
    'count), as the regulation counts "within N working days" (10 for notices, '
    "一(三); 15 for stage notifications, 二(一)); `provisional` when a year it spans "
    "has no confirmed schedule. Changes nothing.",
    response_model=CalendarDeadlineOut,
    responses=problem_responses(422),
    **public(),
)
async def get_calendar_deadline(
    session: Session,
    start: Annotated[
        Day, Query(description="YYYY-MM-DD, 2000–2100", json_schema_extra=_DATE_SCHEMA)
    ],
    working_days: Annotated[int, Query(ge=0, le=3650, description="0–3650")],
) -> CalendarDeadlineOut:
    result = await service.deadline(session, start, working_days)
    return CalendarDeadlineOut(
        start=start, working_days=working_days, deadline=result.date, provisional=result.provisional
    )


def _year_out(schedule: YearSchedule, loaded: CalendarYear | None) -> YearOut:
    return YearOut(
        year=schedule.year,
        status="confirmed" if schedule.confirmed else "provisional",
        source="loaded" if schedule.source == "loaded" else "package",
        notice=schedule.notice,
        holidays=[NamedDay(date=d, name=n) for d, n in sorted(schedule.holidays.items())],
        adjusted_workdays=[
            NamedDay(date=d, name=n) for d, n in sorted(schedule.adjusted_workdays.items())
        ],
        version=loaded.version if loaded else 0,
        loaded_at=loaded.loaded_at if loaded else None,
        loaded_by=loaded.loaded_by if loaded else None,
    )


@public_router.get(
    "/years/{year}",
    operation_id="get_calendar_year",
    summary="A year's holidays, adjusted working days and status",
    description="A year's holidays and adjusted working days, whether they are confirmed (loaded, "
    "or a year whose official notice the `holidays` package carries) or provisional, "
    'and where they come from. Its `ETag` is the loaded schedule\'s version (`"0"` '
    "before any load), the `If-Match` of the next load. Changes nothing. Serves "
    "一(三).",
    response_model=YearOut,
    responses={200: {"headers": _ETAG}, **problem_responses(422)},
    **public(),
)
async def get_calendar_year(session: Session, response: Response, year: Year) -> YearOut:
    schedule, loaded = await service.year_view(session, year)
    set_etag(response, loaded.version if loaded else 0)
    return _year_out(schedule, loaded)


@router.put(
    "/years/{year}",
    operation_id="load_calendar_year",
    summary="Load or correct a year's official schedule (If-Match: the year's ETag)",
    description="Replace a year's schedule (every day off and every weekend day worked) with the "
    "State Council's notice: every provisional deadline that depends on it moves at "
    "once (deadlines are computed on read; each loaded schedule is kept). The "
    "calendar is the same for every department, so only an administrator of the "
    "administering level (`CAPEXIT_ADMINISTRATION_LEVEL`, the city by default) may "
    "load it; a county's administrator is refused with 403. `If-Match` carries the "
    'year\'s ETag (`"0"` before any load): missing is 428, stale 412. Audited as '
    "`calendar.load`. Serves 一(三).",
    response_model=YearOut,
    responses={200: {"headers": _ETAG}, **problem_responses(412, 413, 422, 428)},
    **access(Role.admin, scope="administration"),
)
async def load_calendar_year(
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    year: Year,
    body: YearScheduleIn,
    if_match: IfMatch = None,
) -> YearOut:
    row = await service.load_year(session, principal, year, body, Precondition(if_match))
    schedule, loaded = await service.year_view(session, year)
    set_etag(response, row.version)
    return _year_out(schedule, loaded)
