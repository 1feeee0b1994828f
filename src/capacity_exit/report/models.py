"""Reports and their history.

What identifies a reporter is never here in clear: the contact is one AES-GCM blob
(`contact_sealed`), the receipt's secret an argon2 hash, the Idempotency-Key an HMAC.
No client address, user agent or request id is stored with a report.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.clock import utcnow
from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7
from capacity_exit.org.schemas import Level
from capacity_exit.report.machine import (
    RejectionReason,
    ReportAction,
    ReportCategory,
    ReportState,
    Result,
    Satisfaction,
)
from capacity_exit.report.routing import Matter


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    # HMAC of the submission's Idempotency-Key, and a digest of its body (replays).
    idempotency_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_digest: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[ReportCategory] = mapped_column(EnumString(ReportCategory, 32), index=True)
    status: Mapped[ReportState] = mapped_column(EnumString(ReportState, 32), index=True)
    # The enterprise reported: its credit code, or a name and address; linked when known.
    enterprise_credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    enterprise_address: Mapped[str | None] = mapped_column(String(500))
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("enterprises.id"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), index=True
    )
    level: Mapped[Level] = mapped_column(EnumString(Level, 16))
    lead_department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), index=True
    )
    handling_departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    matter: Mapped[Matter | None] = mapped_column(EnumString(Matter, 32))
    disputed_notice_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("disclosures.id"), index=True
    )
    what_was_seen: Mapped[str] = mapped_column(Text)
    seen_on: Mapped[date | None] = mapped_column(Date)
    location_address: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    contact_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_on: Mapped[date] = mapped_column(Date)
    acceptance_due: Mapped[date] = mapped_column(Date, index=True)
    acceptance_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    conclusion_due: Mapped[date | None] = mapped_column(Date, index=True)
    conclusion_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    concluded_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(
        EnumString(RejectionReason, 32)
    )
    related_report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("reports.id"))
    result: Mapped[Result | None] = mapped_column(EnumString(Result, 32))
    measures: Mapped[str | None] = mapped_column(Text)
    # The department's answer to the reporter (and, once concluded, to the public).
    public_text: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[Satisfaction | None] = mapped_column(EnumString(Satisfaction, 16))
    objection_used: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReportEvent(Base):
    """One entry of a report's history; `public` ones are shown to the reporter."""

    __tablename__ = "report_events"
    __table_args__ = (UniqueConstraint("report_id", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    # received, action, information (the reporter's), satisfaction, contact_read
    kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[ReportAction | None] = mapped_column(EnumString(ReportAction, 32))
    from_state: Mapped[ReportState | None] = mapped_column(EnumString(ReportState, 32))
    to_state: Mapped[ReportState] = mapped_column(EnumString(ReportState, 32))
    public: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(32))  # None: the reporter
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    business_date: Mapped[date] = mapped_column(Date)


class ReportEvidence(Base):
    """One evidence file of a report: the cleaned file's digest in the blob store
    (core.blobs), its sniffed type and size. The digest is never in a public answer."""

    __tablename__ = "report_evidence"
    __table_args__ = (UniqueConstraint("report_id", "digest"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(16))  # reporter | department


class LinkKind(StrEnum):
    """What a report led to (`report_links.kind`)."""

    inspection = "inspection"  # recorded from the report by a handling department
    case = "case"  # opened from the report, or (compliant) revoked by it
    notice = "notice"  # the disputed notice its revocation withdrew


class ReportLink(Base):
    """One thing a report led to. Not a change of the report: its version stays."""

    __tablename__ = "report_links"
    __table_args__ = (UniqueConstraint("report_id", "kind", "target_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("reports.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(EnumString(LinkKind, 16))
    # An inspection, case or notice id (no foreign key: one column for three tables).
    target_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_department: Mapped[str] = mapped_column(String(32), ForeignKey("departments.code"))
