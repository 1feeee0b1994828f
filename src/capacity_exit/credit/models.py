from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.clock import utcnow
from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7
from capacity_exit.credit.machine import PushStatus
from capacity_exit.credit.records import PushKind, Trigger


class CreditPush(Base):
    """One record to deliver to one credit platform (a row of the transactional outbox).

    Created in the same transaction as the change that calls for it; claimed by a
    worker (`claims` counts every claim, and a worker's result only lands while its
    claim is the latest); never deleted.
    """

    __tablename__ = "credit_pushes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    target: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[PushKind] = mapped_column(EnumString(PushKind, 16))
    trigger: Mapped[Trigger] = mapped_column(EnumString(Trigger, 32))
    status: Mapped[PushStatus] = mapped_column(EnumString(PushStatus, 16))
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("enterprises.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(String(6), index=True)
    # Sent as `Idempotency-Key` on every attempt, so the platform applies it once.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    # Claims allowed before the push is dead; an approver's retry grants more.
    claim_budget: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(100))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        # The worker's claim: due jobs by status and time.
        Index("ix_credit_pushes_due", "status", "next_attempt_at"),
    )


class CreditPushAttempt(Base):
    """One delivery attempt as it happened: kept for every attempt, never changed."""

    __tablename__ = "credit_push_attempts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    push_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("credit_pushes.id"), index=True)
    claim: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    latency_ms: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retry | dead | stale
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
