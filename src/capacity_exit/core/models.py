"""Core's own table: the idempotency keys (`core.idempotency`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.db import Base


class IdempotencyRecord(Base):
    """A claimed `Idempotency-Key`: in flight, then the first response, replayed to
    retries. `subject` is the key's owner (the subject acting for its department)."""

    __tablename__ = "idempotency_keys"

    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # in_flight or done
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
