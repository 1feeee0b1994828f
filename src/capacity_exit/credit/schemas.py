from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capacity_exit.core.clock import as_utc
from capacity_exit.core.text import Paragraph
from capacity_exit.credit import examples
from capacity_exit.credit.machine import PushStatus
from capacity_exit.credit.records import CreditRecord, PushKind, Trigger


class CreditTargetOut(BaseModel):
    """A configured platform; its secret is never shown."""

    code: str
    name: str
    base_url: str
    auth: str = Field(description="bearer (token) or hmac (signature header).")
    timeout_seconds: float
    rate_per_second: float | None
    max_response_bytes: int


class CreditTargetList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CREDIT_TARGET_LIST]})

    items: list[CreditTargetOut]


class _Utc(BaseModel):
    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value: object) -> object:
        return as_utc(value) if isinstance(value, dt.datetime) else value


class AttemptOut(_Utc):
    id: uuid.UUID
    claim: int = Field(description="Which claim of the job this attempt was.")
    worker: str
    started_at: dt.datetime
    latency_ms: float
    status_code: int | None
    outcome: str = Field(
        description="delivered, retry, dead; stale (the job was reclaimed before this "
        "result arrived) or lost (a worker's lease expired without a result)."
    )
    error: str | None = Field(description="Why the attempt did not deliver (credentials redacted).")
    response_excerpt: str | None = Field(
        description="The start of the platform's answer (up to 2,000 characters), with "
        "every credential redacted: our platform secrets by value, and the values of "
        "authorization-like headers, token, secret and password fields and Bearer or Basic "
        "credentials, as `[REDACTED]`. Shown to approvers and administrators; null for other "
        "roles, and when no answer came."
    )


class CreditPushOut(_Utc):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CREDIT_PUSH_OUT]})

    id: uuid.UUID
    target: str
    kind: PushKind
    trigger: Trigger
    status: PushStatus
    case_id: uuid.UUID | None
    enterprise_id: uuid.UUID
    jurisdiction: str
    idempotency_key: str = Field(description="Sent as Idempotency-Key on every attempt.")
    record: CreditRecord
    attempts: int = Field(description="Claims so far (each an attempt, or a lost one).")
    attempt_budget: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CreditPushDetail(CreditPushOut):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CREDIT_PUSH]})

    attempt_log: list[AttemptOut] = Field(description="Every attempt, oldest first.")


class CreditPushList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CREDIT_PUSH_LIST]})

    items: list[CreditPushOut]
    next_cursor: str | None = None


class ManualPushIn(BaseModel):
    """An approver's push: a (re-)listing, a joint punishment update or a withdrawal."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.MANUAL_PUSH_IN]}
    )

    case_id: uuid.UUID
    kind: PushKind
    reason: Paragraph = Field(title="推送理由")
    measure: Paragraph | None = Field(
        default=None,
        title="联合惩戒措施",
        description="For an update: the joint punishment measure applied or lifted.",
    )
    targets: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Codes of configured targets, as `GET /api/v1/credit-targets` lists "
        "them (default: every one). A code the deployment has not configured is 422 "
        "`unknown_target`.",
    )


class ManualPushOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.MANUAL_PUSH_OUT]})

    items: list[CreditPushOut]
