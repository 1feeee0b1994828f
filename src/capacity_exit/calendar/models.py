from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.clock import utcnow
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7


class CalendarYear(Base):
    """An official schedule loaded for a year (the State Council's notice); it makes the
    year confirmed and replaces the package's schedule for it."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # [{"date": "YYYY-MM-DD", "name": "..."}]
    holidays: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    adjusted_workdays: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    notice: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(100))


class CalendarYearVersion(Base):
    """Every schedule ever loaded for a year, kept: corrections never erase the past."""

    __tablename__ = "calendar_year_versions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(100))
