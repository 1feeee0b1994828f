from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.auth.schemas import AccountKind
from capacity_exit.core.clock import utcnow
from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7


class Account(Base):
    """A department user (password grant) or a service account (client credentials)."""

    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    kind: Mapped[AccountKind] = mapped_column(EnumString(AccountKind, 16))
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), index=True
    )
    # Sorted, comma-separated role names.
    roles: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    secret_rotated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class LoginThrottle(Base):
    """Failed token requests per login name (known or not), for brute-force throttling."""

    __tablename__ = "login_throttle"

    login: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
