from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.org.schemas import DepartmentKind, Level


class Jurisdiction(Base):
    """An administrative division (GB/T 2260) the system serves, current or retired."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[Level] = mapped_column(EnumString(Level, 16))
    parent_code: Mapped[str | None] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), index=True
    )
    retired_year: Mapped[int | None] = mapped_column(Integer)
    successor_code: Mapped[str | None] = mapped_column(String(6))
    note: Mapped[str | None] = mapped_column(Text)

    @property
    def is_current(self) -> bool:
        return self.retired_year is None

    @property
    def status(self) -> str:
        return "current" if self.is_current else "retired"


class Department(Base):
    """A department of one division; its code is `{division code}-{kind}`."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), index=True
    )
    kind: Mapped[DepartmentKind] = mapped_column(EnumString(DepartmentKind, 16), index=True)
    label: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_member_unit: Mapped[bool] = mapped_column(Boolean)
    is_lead: Mapped[bool] = mapped_column(Boolean)
