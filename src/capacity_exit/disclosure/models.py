from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.case.machine import CaseAction, Category
from capacity_exit.core.clock import utcnow
from capacity_exit.core.columns import EnumString
from capacity_exit.core.db import Base
from capacity_exit.core.ids import uuid7
from capacity_exit.org.schemas import Level


class DisclosureStatus(StrEnum):
    current = "current"
    superseded = "superseded"
    withdrawn = "withdrawn"


class DisclosureKind(StrEnum):
    publicity = "publicity"  # 公示
    announcement = "announcement"  # 公告


class Disclosure(Base):
    """One version of a published notice; its content never changes after insert.

    A correction inserts the next version of the same `series_id` and marks this one
    `superseded`; a withdrawal marks the current version `withdrawn`. Who the notice is
    about and who published it are copied in as they were at publication, so the public
    record reads the same whatever later happens to the registry.
    """

    __tablename__ = "disclosures"
    __table_args__ = (
        # The public list: one jurisdiction and category, newest first.
        Index("ix_disclosures_public", "status", "jurisdiction_code", "category", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    series_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[DisclosureStatus] = mapped_column(EnumString(DisclosureStatus, 16), index=True)
    kind: Mapped[DisclosureKind] = mapped_column(EnumString(DisclosureKind, 16), index=True)
    category: Mapped[Category] = mapped_column(EnumString(Category, 32), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    step: Mapped[CaseAction] = mapped_column(EnumString(CaseAction, 32))  # that published it
    enterprise_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("enterprises.id"), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200), index=True)
    enterprise_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    enterprise_address: Mapped[str] = mapped_column(String(500))
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), index=True
    )
    department_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[Level] = mapped_column(EnumString(Level, 16))  # the publisher's level
    jurisdiction_code: Mapped[str] = mapped_column(String(6), ForeignKey("jurisdictions.code"))
    jurisdiction_name: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    period_end: Mapped[date | None] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the version it corrects
    correction_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(200))  # internal: the account
    # A concentrated publication (集中公示) this notice was part of.
    batch_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("disclosure_batches.id"), index=True
    )
    # Departments publishing it jointly (a forced exit's involved departments), with names.
    co_publishers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)


class PublishingRole(StrEnum):
    """In which role a department carries a notice on its own site."""

    publisher = "publisher"  # the department that published it
    co_publisher = "co_publisher"  # publishing it jointly (a forced exit's, 一(一)4)


class DisclosurePublisher(Base):
    """Who carries a notice: its publisher and each co-publisher, one row each, written
    with the notice (and with each corrected version). The public list and feed filtered
    by a department read this table's key, newest first, not the JSON of co-publishers."""

    __tablename__ = "disclosure_publishers"

    # The key is the filter's index: one department, its notices by id (time-ordered).
    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), primary_key=True
    )
    disclosure_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("disclosures.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[PublishingRole] = mapped_column(EnumString(PublishingRole, 16))


class DisclosureBatch(Base):
    """Many cases of one category published together by one department (集中公示)."""

    __tablename__ = "disclosure_batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    category: Mapped[Category] = mapped_column(EnumString(Category, 32))
    department_code: Mapped[str] = mapped_column(String(32), ForeignKey("departments.code"))
    jurisdiction_code: Mapped[str] = mapped_column(String(6), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DisclosureEvent(Base):
    """The history of a disclosure series: published, corrected, withdrawn, reviewed."""

    __tablename__ = "disclosure_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    series_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    disclosure_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("disclosures.id"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    department_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)


class ReviewKind(StrEnum):
    recheck = "recheck"  # 复核
    spot_check = "spot_check"  # 抽查


class DisclosureReview(Base):
    """A city department's re-check (复核) or spot check (抽查) of a county disclosure."""

    __tablename__ = "disclosure_reviews"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    disclosure_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("disclosures.id"), index=True)
    kind: Mapped[ReviewKind] = mapped_column(EnumString(ReviewKind, 16))
    outcome: Mapped[str] = mapped_column(String(16))  # confirmed | discrepancies
    discrepancies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)  # internal
    department_code: Mapped[str] = mapped_column(String(32), ForeignKey("departments.code"))
    reviewed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CorrectionRequest(Base):
    """What a review found wrong, addressed to the department that published it."""

    __tablename__ = "correction_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("disclosure_reviews.id"))
    series_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    disclosure_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("disclosures.id"))
    addressed_to: Mapped[str] = mapped_column(
        String(32), ForeignKey("departments.code"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(String(6), index=True)
    requested_by: Mapped[str] = mapped_column(String(32))
    discrepancies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the correcting version
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SummaryScope(StrEnum):
    targets = "targets"  # the counties' publicity notices: who must exit or rectify
    completion = "completion"  # the counties' announcements: what was done


class CitySummary(Base):
    """A city department's notice of what its counties published (一(四)): the targets
    (their publicity notices) or the completion (their announcements) of one category,
    each entry with the city's latest review of it. Never changed after publication."""

    __tablename__ = "city_summaries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    category: Mapped[Category] = mapped_column(EnumString(Category, 32), index=True)
    scope: Mapped[SummaryScope] = mapped_column(EnumString(SummaryScope, 16))
    title: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str] = mapped_column(String(32), ForeignKey("departments.code"))
    department_name: Mapped[str] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(String(6), index=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(200))  # internal: the account
