"""The public answers of the report platform (一(一)5's openness): concluded reports,
statistics, and the compliant enterprises one may report against.

What a public answer carries is listed field by field here, and nothing else reaches
it: never the reporter's words (`what_was_seen`), contact, files, location, tracking
code, the report's id, nor the handlers' `measures`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.disclosure.models import DisclosureKind, DisclosureStatus
from capacity_exit.report.machine import ReportCategory, ReportState, Result

NOTICE_ID = "01935c1e-7a00-7c2e-9b1a-3f4d5e6a7b8c"
CASE_ID = "01935c1e-6f00-7c2e-9b1a-3f4d5e6a7b8d"
CREDIT_CODE = "91220322MA0Y8K2L0C"

PUBLIC_REPORT: dict[str, Any] = {
    "category": "resurgence",
    "county": {"code": "220322", "name": "梨树县"},
    "enterprise": {"name": "梨树县某某铸造厂", "credit_code": None},
    "received_on": "2026-11-30",
    "acceptance": {"due": "2026-12-07", "done_on": "2026-12-01", "on_time": True},
    "conclusion": {"due": "2027-01-12", "done_on": "2026-12-18", "on_time": True},
    "closed_on": None,
    "status": "concluded",
    "result": "substantiated",
    "conclusion_text": "举报属实，已责令停产并拆除中频炉。",
    "handling_departments": [
        {"code": "220322-miit", "name": "梨树县工业和信息化局"},
        {"code": "220322-market", "name": "梨树县市场监督管理局"},
    ],
    "disputed_notice": None,
    "cases": [
        {"id": CASE_ID, "notices": f"/api/v1/disclosures?case={CASE_ID}&include_withdrawn=true"}
    ],
    "notices": [
        {
            "id": NOTICE_ID,
            "kind": "publicity",
            "category": "elimination",
            "status": "current",
            "url": f"/api/v1/disclosures/{NOTICE_ID}",
        }
    ],
}
STATISTICS: dict[str, Any] = {
    "received_from": "2026-01-01",
    "received_to": "2026-12-31",
    "county": None,
    "total": 3,
    "by_category": [{"key": "resurgence", "count": 2}, {"key": "should_exit", "count": 1}],
    "by_county": [{"key": "220322", "name": "梨树县", "count": 3}],
    "by_state": [{"key": "concluded", "count": 2}, {"key": "received", "count": 1}],
    "by_month": [{"key": "2026-11", "count": 3}],
    "on_time": {"concluded": 2, "on_time": 1, "share": 0.5},
    "on_time_by_county": [
        {"key": "220322", "name": "梨树县", "concluded": 2, "on_time": 1, "share": 0.5}
    ],
}
COMPLIANT: dict[str, Any] = {
    "notice_id": NOTICE_ID,
    "notice_url": f"/api/v1/disclosures/{NOTICE_ID}",
    "document_url": f"/api/v1/disclosures/{NOTICE_ID}/document",
    "enterprise": {
        "name": "梨树县宏达水泥有限公司",
        "credit_code": CREDIT_CODE,
        "address": "吉林省四平市梨树县梨树镇工业路1号",
    },
    "jurisdiction": {"code": "220322", "name": "梨树县"},
    "department": {"code": "220322-miit", "name": "梨树县工业和信息化局"},
    "published_at": "2026-11-30T02:00:00Z",
    "report_url": "/api/v1/reports",
    "report_prefill": {
        "disputed_notice_id": NOTICE_ID,
        "enterprise": {"credit_code": CREDIT_CODE},
        "county": "220322",
    },
}


class Coded(BaseModel):
    code: str
    name: str


class ReportedEnterprise(BaseModel):
    name: str | None = Field(
        description="The registry's name when the report was linked to a registered "
        "enterprise, else the name as reported."
    )
    credit_code: str | None


class Stage(BaseModel):
    """One stage's deadline and whether it was met (working days, from the calendar)."""

    due: date | None
    done_on: date | None
    on_time: bool | None = Field(description="Done on or before the due day; null if not done.")


class CaseLink(BaseModel):
    id: uuid.UUID
    notices: str = Field(description="The public list of the notices the case published.")


class NoticeLink(BaseModel):
    id: uuid.UUID
    kind: DisclosureKind
    category: str
    status: DisclosureStatus
    url: str


class PublicReportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PUBLIC_REPORT]})

    category: ReportCategory
    county: Coded
    enterprise: ReportedEnterprise
    received_on: date
    acceptance: Stage
    conclusion: Stage
    closed_on: date | None
    status: ReportState = Field(description="`concluded` or `closed`.")
    result: Result
    conclusion_text: str | None = Field(
        description="The handling department's public text (处理结果): what the public reads."
    )
    handling_departments: list[Coded]
    disputed_notice: str | None = Field(
        description="The published notice the report disputed (its public URL), if any."
    )
    cases: list[CaseLink] = Field(
        description="The cases the report led to that have published a notice."
    )
    notices: list[NoticeLink] = Field(description="The notices those cases published.")


class PublicReportList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [PUBLIC_REPORT], "next_cursor": None}]}
    )

    items: list[PublicReportOut]
    next_cursor: str | None


class Count(BaseModel):
    key: str
    count: int


class CountyCount(Count):
    name: str


class OnTime(BaseModel):
    concluded: int = Field(description="Reports concluded (at least once).")
    on_time: int = Field(description="Of those, concluded on or before the conclusion due day.")
    share: float | None = Field(description="`on_time / concluded`; null when none concluded.")


class CountyOnTime(OnTime):
    key: str
    name: str


class ReportStatistics(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [STATISTICS]})

    received_from: date | None
    received_to: date | None
    county: str | None
    total: int
    by_category: list[Count]
    by_county: list[CountyCount]
    by_state: list[Count]
    by_month: list[Count] = Field(description="By month of receipt, `YYYY-MM`.")
    on_time: OnTime
    on_time_by_county: list[CountyOnTime]


class NoticeEnterprise(BaseModel):
    name: str
    credit_code: str
    address: str


class ReportPrefillEnterprise(BaseModel):
    credit_code: str


class ReportPrefill(BaseModel):
    """Members of a submission (`POST /api/v1/reports`) filled in for this notice; the
    reporter adds the category and what was seen."""

    disputed_notice_id: uuid.UUID
    enterprise: ReportPrefillEnterprise
    county: str | None = Field(
        description="The enterprise's county; null when it is registered at city level "
        "(the reporter names the county)."
    )


class CompliantEnterpriseOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [COMPLIANT]})

    notice_id: uuid.UUID
    notice_url: str
    document_url: str
    enterprise: NoticeEnterprise
    jurisdiction: Coded = Field(description="Where the notice was published.")
    department: Coded
    published_at: datetime
    report_url: str = Field(description="Where to submit a report against it (POST).")
    report_prefill: ReportPrefill


class CompliantEnterpriseList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [COMPLIANT], "next_cursor": None}]}
    )

    items: list[CompliantEnterpriseOut]
    next_cursor: str | None
