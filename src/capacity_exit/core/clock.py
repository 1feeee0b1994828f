"""Time: stored in UTC; the business day is Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def business_today() -> date:
    return datetime.now(BUSINESS_TZ).date()


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: object) -> object:
    if isinstance(value, str) and not _RFC3339.match(value):
        raise PydanticCustomError(
            "rfc3339", "must be an RFC 3339 timestamp with offset, e.g. 2026-11-28T09:00:00+08:00"
        )
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
"""A timestamp in a query string: RFC 3339 with an offset, nothing looser."""


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_date)]
"""A date in a query string or path: YYYY-MM-DD, not a number of seconds."""
