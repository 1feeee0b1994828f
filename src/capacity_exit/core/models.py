"""Core's own tables: the idempotency keys (`core.idempotency`) and the spent proof-of-work
challenges (`core.challenge`)."""

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


class SpentChallenge(Base):
    """A proof-of-work challenge whose solution was accepted once: its signature is the
    key, so a second spend of it (in any process) is a conflict on insert. Kept until
    the challenge has expired, when a replay is refused as expired anyway; then pruned."""

    __tablename__ = "spent_challenges"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
