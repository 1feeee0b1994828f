from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from capacity_exit.core.clock import as_utc


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    occurred_at: datetime
    subject: str
    department: str | None
    roles: str
    action: str
    object_type: str
    object_id: str
    jurisdiction: str | None
    request_id: str | None
    before_digest: str | None
    after_digest: str | None
    after_state: dict[str, Any] | None
    prev_hash: str
    hash: str

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class AuditEventList(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = None


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    head_position: int
    first_bad_position: int | None
    reason: str | None
