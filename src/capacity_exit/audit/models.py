from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7


class AuditEvent(Base):
    """One change, chained to the previous one by `prev_hash`. Never updated or deleted
    (on PostgreSQL a trigger refuses both)."""

    __tablename__ = "audit_events"

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)
    department: Mapped[str | None] = mapped_column(String(32), index=True)
    roles: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(64))
    jurisdiction: Mapped[str | None] = mapped_column(String(6), index=True)
    request_id: Mapped[str | None] = mapped_column(String(128))
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    after_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The chain key's id (audit.keys) when the hash is keyed; None for events recorded
    # before issue 14, hashed unkeyed.
    key_id: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head, one row: positions are assigned under its row lock, so they
    are contiguous (a sequence could leave gaps)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed head of the chain, published (`GET /api/v1/audit-checkpoints`) and
    appended to the witness file. Never updated or deleted (on PostgreSQL a trigger
    refuses both). The worker's periodic ones carry their period's start, unique, so a
    period gets one checkpoint however many workers run; hand-made ones carry none."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    position: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kid: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), unique=True)
