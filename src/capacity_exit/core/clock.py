"""Time: stored in UTC; the business day is Asia/Shanghai.

The application reads the instant and the business day only from here. The clock runs
with the system's, shifted when development or a test starts it at another instant
(`start_at`): it then reads that instant and runs on from it, so waits, leases and
backoffs still see time pass. Processes share a shifted clock by its shift
(`CAPEXIT_CLOCK_SHIFT_SECONDS`), not by an instant, which each would read at its own
start. Production never shifts it (the setting is refused there). Token lifetimes are
not read from here: a token's validity is checked against the system clock, which the
peers that hold the token share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


_shift = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _shift


def start_at(instant: datetime) -> None:
    """From now on the clock reads `instant` and runs on from it (development and tests)."""
    global _shift
    if instant.tzinfo is None:
        raise ValueError("the clock starts at an instant with an offset")
    _shift = instant - datetime.now(UTC)


def shift() -> timedelta:
    """How far the clock reads ahead of the system's (negative: behind)."""
    return _shift


def shift_by(by: timedelta) -> None:
    """From now on the clock reads the system's plus `by` (development and tests)."""
    global _shift
    _shift = by


def reset() -> None:
    """Back to the system clock."""
    global _shift
    _shift = timedelta(0)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


StoredInstant = Annotated[datetime, AfterValidator(as_utc)]
"""An instant read back from the store, answered in UTC (SQLite hands back naive ones)."""


def business_today() -> date:
    return utcnow().astimezone(BUSINESS_TZ).date()


def business_instant(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock on the business day `day`, as an aware instant."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=BUSINESS_TZ)


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: object) -> object:
    if isinstance(value, str) and not _RFC3339.match(value):
        raise PydanticCustomError(
            "rfc3339", "must be an RFC 3339 timestamp with offset, e.g. 2026-11-28T09:00:00+08:00"
        )
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
"""A timestamp in a query string: RFC 3339 with an offset, nothing looser."""


ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO_DATE = re.compile(ISO_DATE_PATTERN)


def iso_date(value: object) -> object:
    """A date as a `YYYY-MM-DD` string, and nothing else: pydantic's lax parsing would
    take a number as Unix seconds (1764547200 → 2025-12-01) and a datetime string or
    instance at midnight as its date. A `date` object (never in JSON; our own code
    building a model) passes."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD")
    return value


@dataclass(frozen=True, slots=True)
class DatePattern:
    """Puts the written form into the JSON schema (`format: date` plus `pattern`), so
    generated clients and fuzzers see it; a parameter that states a narrower pattern
    (the calendar's years) keeps its own."""

    pattern: str = ISO_DATE_PATTERN

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found.setdefault("pattern", self.pattern)
        return found


Day = Annotated[date, BeforeValidator(iso_date), DatePattern()]
"""A date in a body, query string or path: YYYY-MM-DD, not a number of seconds nor a
datetime. A type with range constraints (`calendar.schemas.CalendarDate`) puts them
before the validator, where pydantic applies them to the parsed date."""
