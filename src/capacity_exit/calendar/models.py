from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, Uuid
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


class TrackedDeadline(Base):
    """A stored deadline of some object, kept so it can be recomputed when a provisional
    year's schedule is loaded. Features register theirs with `deadlines.track`."""

    __tablename__ = "tracked_deadlines"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(50))
    rule: Mapped[str] = mapped_column(String(50))
    start: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int | None] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeadlineChange(Base):
    """History: a tracked deadline moved because a year's schedule was loaded."""

    __tablename__ = "deadline_changes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    deadline_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tracked_deadlines.id"), index=True
    )
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    old_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    old_provisional: Mapped[bool] = mapped_column(Boolean)
    new_provisional: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
