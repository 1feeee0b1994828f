from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from capacity_exit.calendar import examples
from capacity_exit.calendar.index import DayKind
from capacity_exit.calendar.schedule import MAX_YEAR, MIN_YEAR
from capacity_exit.core.clock import DatePattern, as_utc, iso_date
from capacity_exit.core.text import ShortText

CALENDAR_DATE_PATTERN = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
# The strict `core.clock.Day` with the calendar's range; the range comes before the
# validator, where pydantic applies it to the parsed date (after it, pydantic would
# check it apart and leak `ge`/`le` into the JSON schema).
CalendarDate = Annotated[
    dt.date,
    Field(ge=dt.date(MIN_YEAR, 1, 1), le=dt.date(MAX_YEAR, 12, 31)),
    BeforeValidator(iso_date),
    DatePattern(CALENDAR_DATE_PATTERN),
]
"""A date deadlines can be computed from: a `YYYY-MM-DD` string (no number, no datetime)
within the calendar's input range (2000–2100), stated in the schema for clients and
fuzzers. Every date in a request body is one."""


class DayOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DAY]})

    date: dt.date
    working_day: bool = Field(title="是否工作日")
    kind: DayKind
    name: str | None = Field(description="Holiday or adjustment name, if any.")
    provisional: bool = Field(
        description="True when the day's year has no confirmed official schedule yet."
    )


class CalendarDeadlineOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DEADLINE]})

    start: dt.date
    working_days: int
    deadline: dt.date
    provisional: bool


class NamedDay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: CalendarDate
    name: ShortText


class YearScheduleIn(BaseModel):
    """A year's official schedule, as in the State Council's notice (国务院办公厅通知).

    Its dates must lie in the year it is loaded for (the path's `{year}`): a rule across
    the path and the body, which JSON Schema cannot state, so it is in the descriptions."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "notice": "国办发明电〔2026〕7号",
                    "holidays": [{"date": "2027-01-01", "name": "元旦"}],
                    "adjusted_workdays": [{"date": "2027-02-20", "name": "春节调休上班"}],
                }
            ]
        },
    )

    notice: ShortText = Field(title="通知文号", description="The notice this schedule comes from.")
    holidays: list[NamedDay] = Field(
        max_length=80,
        title="放假日期",
        description="The year's days off. Every date lies in the year of the request's path "
        "(another year's is 422 `invalid_schedule`, `wrong_year` at its pointer); no date "
        "is listed twice, nor as both a holiday and an adjusted working day.",
    )
    adjusted_workdays: list[NamedDay] = Field(
        max_length=30,
        title="调休上班日期",
        description="The weekend days worked instead (调休). Every date is a Saturday or "
        "Sunday (else `not_a_weekend`) of the year of the request's path (else `wrong_year`), "
        "listed once.",
    )

    @model_validator(mode="after")
    def _distinct(self) -> YearScheduleIn:
        off = [d.date for d in self.holidays]
        on = [d.date for d in self.adjusted_workdays]
        if len(set(off)) != len(off) or len(set(on)) != len(on):
            raise ValueError("a date is listed twice")
        if set(off) & set(on):
            raise ValueError("a date cannot be both a holiday and an adjusted working day")
        return self


class YearOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.YEAR, examples.YEAR_LOADED]})

    year: int
    status: Literal["confirmed", "provisional"]
    source: Literal["loaded", "package"] = Field(
        description="`loaded`: an official schedule loaded here; `package`: the holidays package."
    )
    notice: str | None
    holidays: list[NamedDay]
    adjusted_workdays: list[NamedDay]
    version: int = Field(description="Version of the loaded schedule (0 when none); the ETag.")
    loaded_at: dt.datetime | None = None
    loaded_by: str | None = None

    @field_validator("loaded_at")
    @classmethod
    def _utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        # SQLite returns the stored UTC instant without its offset (as enterprise.schemas).
        return None if value is None else as_utc(value)
