from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.case.machine import CaseAction, CaseState, Category
from capacity_exit.core.clock import utcnow
from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7


class Case(Base):
    """A case in one of the five disclosure categories, and where its lifecycle stands.

    The category's content lives in `payload` (validated by `payloads.DRAFT_MODELS`);
    the dates its deadlines are measured against are columns, set by the steps that
    meet them.
    """

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    category: Mapped[Category] = mapped_column(EnumString(Category, 32), index=True)
    status: Mapped[CaseState] = mapped_column(EnumString(CaseState, 32), index=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("enterprises.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), index=True
    )
    # The department that owns the case and takes its steps.
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), index=True
    )
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("inspections.id"), index=True
    )
    # A forced exit's rectification case (一(一)4).
    parent_case_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("cases.id"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Copied from the payload so lists can filter and the overdue scan can select on it.
    completion_deadline: Mapped[date | None] = mapped_column(Date, index=True)
    # The inspection's completion date: the 10-working-day publicity clock starts here.
    publicity_clock_start: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    announced_on: Mapped[date | None] = mapped_column(Date)
    completion_announced_on: Mapped[date | None] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    overdue_since: Mapped[date | None] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(Text)  # of a withdrawal or revocation
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseEvent(Base):
    """One entry of a case's history: its creation, an edit, a step, an overdue mark."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, … per case; the version it made
    kind: Mapped[str] = mapped_column(String(32))  # created, edited, action, overdue, opened
    action: Mapped[CaseAction | None] = mapped_column(EnumString(CaseAction, 32))
    from_state: Mapped[CaseState | None] = mapped_column(EnumString(CaseState, 32))
    to_state: Mapped[CaseState] = mapped_column(EnumString(CaseState, 32))
    subject: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    business_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
