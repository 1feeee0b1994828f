"""Every ORM model, imported in one place so Alembic and the app see the same metadata."""

from capacity_exit.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from capacity_exit.auth.models import Account, LoginThrottle
from capacity_exit.calendar.models import (
    CalendarYear,
    CalendarYearVersion,
)
from capacity_exit.case.models import Case, CaseEvent
from capacity_exit.core.db import Base
from capacity_exit.core.models import IdempotencyRecord, SpentChallenge
from capacity_exit.credit.models import CreditPush, CreditPushAttempt
from capacity_exit.disclosure.models import (
    CitySummary,
    CorrectionRequest,
    Disclosure,
    DisclosureBatch,
    DisclosureEvent,
    DisclosurePublisher,
    DisclosureReview,
)
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.inspection.models import Inspection
from capacity_exit.org.models import Department, Jurisdiction
from capacity_exit.report.models import Report, ReportEvent, ReportLink
from capacity_exit.worker.models import PeriodicJobState

metadata = Base.metadata

__all__ = [
    "Account",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "CalendarYear",
    "CalendarYearVersion",
    "Case",
    "CaseEvent",
    "CitySummary",
    "CorrectionRequest",
    "CreditPush",
    "CreditPushAttempt",
    "Department",
    "Disclosure",
    "DisclosureBatch",
    "DisclosureEvent",
    "DisclosurePublisher",
    "DisclosureReview",
    "Enterprise",
    "IdempotencyRecord",
    "Inspection",
    "Jurisdiction",
    "LoginThrottle",
    "PeriodicJobState",
    "Report",
    "ReportEvent",
    "ReportLink",
    "SpentChallenge",
    "metadata",
]
