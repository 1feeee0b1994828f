from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capacity_exit.audit import examples
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
    key_id: str | None = Field(
        description="Id (`kid`) of the audit key the hash is keyed with (HMAC-SHA256); "
        "null for events recorded before the chain was keyed (plain SHA-256)."
    )

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class AuditEventList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.AUDIT_EVENT_LIST]})

    items: list[AuditEventOut]
    next_cursor: str | None = None


class VerificationOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.VERIFICATION]})

    ok: bool
    checked: int
    head_position: int
    first_bad_position: int | None
    reason: str | None


_HASH_EXAMPLE = "9f2c6b7e0d4a4c1f8e5b3a2d1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29"


class CheckpointOut(BaseModel):
    """A signed head of the audit chain (as a Certificate Transparency signed tree head).

    The signature is ECDSA P-256 with SHA-256 (base64 of its DER encoding) over the
    canonical JSON `{"created_at", "hash", "position"}` (keys sorted, no spaces, UTF-8);
    the key is in `GET /api/v1/audit-checkpoints/keys` under `kid`. Saved as a file, this
    document is what `capacity-exit audit verify --against FILE` checks the chain against."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CHECKPOINT]})

    position: int = Field(ge=0, title="位置", description="Events in the chain then.")
    hash: str = Field(
        title="哈希",
        description="The hash of the event at `position` (64 zeros for the empty chain).",
        examples=[_HASH_EXAMPLE],
    )
    created_at: str = Field(
        title="签署时间",
        description="When it was signed: RFC 3339 in UTC, as signed.",
        examples=["2026-12-02T02:00:00.000000+00:00"],
    )
    kid: str = Field(title="密钥标识", description="The signing key's id (RFC 7638 thumbprint).")
    signature: str = Field(title="签名", description="Base64 of the DER-encoded ECDSA signature.")


class CheckpointList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CHECKPOINT_LIST]})

    items: list[CheckpointOut]
    next_cursor: str | None = None
