from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.clock import utcnow
from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7
from capacity_exit.inspection.schemas import InspectionKind


class Inspection(Base):
    __tablename__ = "inspections"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("enterprises.id"), index=True)
    # The enterprise's jurisdiction when inspected: scope follows it.
    jurisdiction_code: Mapped[str] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), index=True
    )
    kind: Mapped[InspectionKind] = mapped_column(EnumString(InspectionKind, 32))
    recorded_by_department: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), index=True
    )
    departments: Mapped[list[str]] = mapped_column(JSON)
    completed_on: Mapped[date] = mapped_column(Date, index=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    conclusion: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
