"""The bodies and answers of a report's links: the revocation's body, and `links` on
the handlers' report view."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.case.machine import CaseState, Category
from capacity_exit.core.text import Paragraph
from capacity_exit.disclosure.models import DisclosureKind, DisclosureStatus
from capacity_exit.inspection.schemas import InspectionKind
from capacity_exit.report.links import Outcomes

_AT = "2026-11-30T02:00:00Z"
LINKS_EXAMPLE: dict[str, Any] = {
    "inspections": [
        {
            "id": "01a23573-650b-7446-aea3-8a22360a1b7b",
            "kind": "inspection",
            "completed_on": "2026-11-30",
            "recorded_by_department": "220322-ecoenv",
            "linked_at": _AT,
        }
    ],
    "cases": [
        {
            "id": "01a23573-6527-76a8-b70c-48682a5d395d",
            "category": "rectification",
            "status": "publicized",
            "department": "220322-ecoenv",
            "linked_at": _AT,
            "linked_by_department": "220322-ecoenv",
        }
    ],
    "notices": [
        {
            "id": "01a23573-6600-7c2e-9b1a-3f4d5e6a7b8c",
            "case_id": "01a23573-6527-76a8-b70c-48682a5d395d",
            "kind": "publicity",
            "category": "rectification",
            "status": "current",
            "published_at": _AT,
        }
    ],
}


class RevocationIn(BaseModel):
    """Why the compliant notice is revoked: the case's closing reason, on its notice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "经查举报属实：企业颗粒物排放超标。"}]},
    )

    reason: Paragraph = Field(
        description="The compliant case's closing reason, shown on its withdrawn notice."
    )


class LinkedInspectionOut(BaseModel):
    id: uuid.UUID
    kind: InspectionKind
    completed_on: dt.date
    recorded_by_department: str
    linked_at: dt.datetime


class LinkedCaseOut(BaseModel):
    id: uuid.UUID
    category: Category
    status: CaseState = Field(description="Now: `revoked` for a compliant case it revoked.")
    department: str
    linked_at: dt.datetime
    linked_by_department: str


class LinkedNoticeOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: DisclosureKind
    category: Category
    status: DisclosureStatus
    published_at: dt.datetime


class ReportLinksOut(BaseModel):
    """What the report led to, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [LINKS_EXAMPLE]})

    inspections: list[LinkedInspectionOut] = Field(
        description="Inspections its handling departments recorded from it."
    )
    cases: list[LinkedCaseOut] = Field(
        description="Cases opened from it, and the compliant case it revoked."
    )
    notices: list[LinkedNoticeOut] = Field(
        description="The notices of those cases on the public record (current or "
        "withdrawn), the revoked compliant notice among them."
    )

    @classmethod
    def of(cls, outcomes: Outcomes) -> ReportLinksOut:
        return cls.model_validate(
            {
                "inspections": [vars(i) for i in outcomes.inspections],
                "cases": [vars(c) for c in outcomes.cases],
                "notices": [vars(n) for n in outcomes.notices],
            }
        )
