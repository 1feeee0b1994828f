"""Requests and answers of the report platform.

Three audiences, three shapes: the reporter's submission and receipt (public), the
reporter's view through the receipt (state, public history, the department's answer:
never the handlers' notes), and the handlers' view (everything, the contact only for
the lead and the handling departments).
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from capacity_exit.calendar.schemas import CalendarDate
from capacity_exit.core.challenge import MAX_PAYLOAD_CHARS
from capacity_exit.core.clock import StoredInstant, Timestamp
from capacity_exit.core.text import Address, Name, Paragraph
from capacity_exit.enterprise.schemas import CreditCode
from capacity_exit.org.schemas import Level
from capacity_exit.report import examples
from capacity_exit.report.link_schemas import ReportLinksOut
from capacity_exit.report.machine import (
    RejectionReason,
    ReportAction,
    ReportCategory,
    ReportState,
    Result,
    Satisfaction,
)
from capacity_exit.report.receipts import CODE_PATTERN
from capacity_exit.report.routing import Matter

ReportText = Annotated[Paragraph, Field(max_length=5000)]
Phone = Annotated[str, Field(min_length=3, max_length=32, pattern=r"^\+?[0-9][0-9 \-]{1,30}$")]
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+$")
]
County = Annotated[str, Field(pattern=r"^[0-9]{6}$", title="县（市、区）区划代码")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _given(*names: str) -> dict[str, Any]:
    """A JSON Schema branch: these members present and not null."""
    return {"required": list(names), "properties": {n: {"not": {"type": "null"}} for n in names}}


class EnterpriseReported(_Strict):
    """The enterprise reported: its credit code, or its name and address."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [_given("credit_code"), _given("name", "address")]}
    )

    credit_code: CreditCode | None = Field(default=None, title="统一社会信用代码")
    name: Name | None = Field(default=None, title="企业名称")
    address: Address | None = Field(default=None, title="地址")

    @model_validator(mode="after")
    def _identified(self) -> EnterpriseReported:
        if self.credit_code is None and (self.name is None or self.address is None):
            raise ValueError("give the enterprise's credit code, or its name and address")
        return self


class Location(_Strict):
    """Where it was seen: an address and/or coordinates (WGS 84)."""

    model_config = ConfigDict(
        json_schema_extra={
            # Coordinates come in pairs (the server says so; a schema cannot for nulls).
            "anyOf": [_given("address"), _given("latitude", "longitude")],
        }
    )

    address: Address | None = Field(default=None, title="地点")
    latitude: float | None = Field(default=None, strict=True, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, strict=True, ge=-180, le=180, allow_inf_nan=False)

    @model_validator(mode="after")
    def _something(self) -> Location:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        if self.address is None and self.latitude is None:
            raise ValueError("give an address or coordinates")
        return self


class ContactIn(_Strict):
    """A named reporter's contact: seen only by the departments handling the report."""

    name: Name = Field(title="姓名")
    phone: Phone | None = Field(default=None, title="电话")
    email: Email | None = Field(default=None, title="电子邮箱")


class ReportSubmission(_Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.SUBMISSION]})

    category: ReportCategory = Field(
        title="举报类别",
        description="应查未查 `should_inspect`, 应改未改 `should_rectify`, 应退未退 "
        "`should_exit`, 死灰复燃 `resurgence`, 弄虚作假 `fraud`, 审批备案把关不严 "
        "`lax_approval`, or `other`.",
    )
    enterprise: EnterpriseReported
    county: County = Field(description="The county (县、市、区) of the enterprise, in the city.")
    disputed_notice_id: uuid.UUID | None = Field(
        default=None, title="所涉公示公告", description="A published notice the report disputes."
    )
    what_was_seen: ReportText = Field(title="举报内容")
    seen_on: CalendarDate | None = Field(default=None, title="发现日期")
    location: Location | None = None
    anonymous: bool = Field(
        default=True,
        strict=True,
        title="匿名",
        description="Anonymous by default; a named report carries `contact`.",
    )
    contact: ContactIn | None = None
    altcha: str = Field(
        min_length=1,
        max_length=MAX_PAYLOAD_CHARS,
        title="工作量证明",
        description="The solved proof of work: the base64 JSON the ALTCHA widget produces "
        "for a challenge of `GET /report-challenges` (the widget's own field name, so a "
        "form posts it unchanged). Spent once; not part of the report.",
    )

    @model_validator(mode="after")
    def _contact_matches(self) -> ReportSubmission:
        if self.anonymous and self.contact is not None:
            raise ValueError("an anonymous report carries no contact")
        if not self.anonymous and self.contact is None:
            raise ValueError("a named report carries its contact")
        return self


class ReceiptOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.RECEIPT]})

    tracking_code: str = Field(title="查询码", description="Groups of four, e.g. `7KQ2-M9XD-4T1P`.")
    secret: str = Field(
        title="查询密钥",
        description="Shown once, stored nowhere in clear: with the code, the only way to "
        "follow the report.",
    )
    status: ReportState
    received_on: date
    acceptance_due: date


class ReceiptLookup(_Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.LOOKUP]})

    tracking_code: str = Field(pattern=CODE_PATTERN, title="查询码")
    secret: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$", title="查询密钥")


class _ReporterActionBase(ReceiptLookup):
    model_config = ConfigDict(extra="forbid")


class AddInformation(_ReporterActionBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [examples.LOOKUP | {"action": "add_information", "text": "今晚又冒烟了。"}]
        },
    )

    action: Literal["add_information"]
    text: ReportText = Field(title="补充内容")


class AnswerSatisfaction(_ReporterActionBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                examples.LOOKUP | {"action": "answer_satisfaction", "satisfaction": "satisfied"}
            ]
        },
    )

    action: Literal["answer_satisfaction"]
    satisfaction: Satisfaction = Field(title="满意度")


class ObjectToConclusion(_ReporterActionBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [examples.LOOKUP | {"action": "object", "text": "设备并未拆除。"}]
        },
    )

    action: Literal["object"]
    text: ReportText = Field(title="异议理由")


ReporterAction = Annotated[
    Union[AddInformation, AnswerSatisfaction, ObjectToConclusion],  # noqa: UP007
    Field(discriminator="action"),
]


class PublicEventOut(BaseModel):
    kind: str
    action: ReportAction | None
    to_state: ReportState
    text: str | None
    at: Timestamp


class EvidenceOut(BaseModel):
    """An evidence file as answers list it: never its digest (the hash of a known photo
    would confirm who reported it)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EVIDENCE]})

    id: uuid.UUID
    content_type: str = Field(description="The type sniffed from the content.")
    size: int = Field(description="Bytes, as stored (after cleaning).")
    added_at: Timestamp
    added_by: Literal["reporter", "department"]


class ReceiptView(BaseModel):
    """What the receipt shows: state, public history and the department's answer."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.RECEIPT_VIEW]})

    tracking_code: str
    category: ReportCategory
    status: ReportState
    received_on: date
    acceptance_due: date
    conclusion_due: date | None
    result: Result | None
    answer: str | None = Field(description="The department's public text, if any yet.")
    satisfaction: Satisfaction | None
    objection_used: bool
    may_add_information: bool
    may_answer_satisfaction: bool
    may_object: bool
    history: list[PublicEventOut]
    evidence: list[EvidenceOut] = Field(
        description="The files the report carries (never downloadable by the receipt)."
    )


class ContactOut(BaseModel):
    name: str | None
    phone: str | None
    email: str | None


class ReportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPORT]})

    id: uuid.UUID
    tracking_code: str
    category: ReportCategory
    status: ReportState
    enterprise_credit_code: str | None
    enterprise_name: str | None
    enterprise_address: str | None
    enterprise_id: uuid.UUID | None
    jurisdiction: str
    level: Level
    lead_department: str
    handling_departments: list[str]
    suggested_departments: list[str] = Field(
        description="The departments the routing rules name for the report's category "
        "and matter: what `assign` uses when it names none."
    )
    matter: Matter | None
    disputed_notice_id: uuid.UUID | None
    what_was_seen: str
    seen_on: date | None
    location_address: str | None
    latitude: float | None
    longitude: float | None
    anonymous: bool
    contact: ContactOut | None = Field(
        description="Only for the lead and handling departments of the report (each read "
        "audited as `report.contact_read`); null otherwise, and for anonymous reports."
    )
    contact_erased: bool = Field(
        description="A named report's contact was erased by the retention period "
        "(`CAPEXIT_REPORT_CONTACT_RETENTION_DAYS` after it was closed or rejected)."
    )
    received_on: date
    acceptance_due: date
    acceptance_due_provisional: bool = Field(
        description="The due date falls in a year whose holiday schedule is not confirmed."
    )
    accepted_on: date | None
    conclusion_due: date | None
    conclusion_due_provisional: bool
    concluded_on: date | None
    closed_on: date | None
    overdue: bool
    rejection_reason: RejectionReason | None
    related_report_id: uuid.UUID | None
    result: Result | None
    measures: str | None
    public_text: str | None
    satisfaction: Satisfaction | None
    objection_used: bool
    allowed_actions: list[ReportAction]
    evidence: list[EvidenceOut] = Field(
        description="The report's evidence files, downloaded from "
        "`/reports/{report_id}/evidence/{evidence_id}`."
    )
    links: ReportLinksOut = Field(
        description="What the report led to: inspections, cases and their notices."
    )
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class ReportList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [examples.REPORT], "next_cursor": None}]}
    )

    items: list[ReportOut]
    next_cursor: str | None


class ReportEventOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [examples.EVENT]}
    )

    sequence: int
    kind: str
    action: ReportAction | None
    from_state: ReportState | None
    to_state: ReportState
    public: bool
    text: str | None
    department: str | None
    occurred_at: StoredInstant
    business_date: date


MAX_DUPLICATES_OFFERED = 50


class MatchedOn(StrEnum):
    """What two possible duplicates share, the strongest first (report.duplicates)."""

    enterprise = "enterprise"  # the same registered enterprise
    credit_code = "credit_code"
    name = "name"  # the enterprise's name as the reporters wrote it


class PossibleDuplicateOut(BaseModel):
    id: uuid.UUID
    tracking_code: str
    category: ReportCategory
    status: ReportState
    enterprise_name: str | None
    received_on: date
    matched_on: MatchedOn = Field(
        description="What the two reports share: the same registered `enterprise`, "
        "`credit_code`, or the enterprise's `name` as written."
    )


class PossibleDuplicateList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.POSSIBLE_DUPLICATES]})

    items: list[PossibleDuplicateOut] = Field(max_length=MAX_DUPLICATES_OFFERED)


class ReportEventList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [examples.EVENT], "next_cursor": None}]}
    )

    items: list[ReportEventOut]
    next_cursor: str | None


# --- the handlers' steps: one body per action ----------------------------------------


class _Step(_Strict):
    def present(self) -> set[str]:
        return {k for k, v in self.model_dump(exclude={"action"}).items() if v is not None}


class ReportAcceptStep(_Step):
    action: Literal[ReportAction.accept]
    matter: Matter | None = None
    public_text: ReportText | None = None


class ReportRejectStep(_Step):
    action: Literal[ReportAction.reject]
    rejection_reason: RejectionReason
    related_report_id: uuid.UUID | None = Field(
        default=None, description="The other report, for `duplicate` and `linked`."
    )
    public_text: ReportText = Field(description="The reason, as the reporter reads it.")


class ReportAssignStep(_Step):
    action: Literal[ReportAction.assign]
    matter: Matter | None = None
    handling_departments: list[Annotated[str, Field(pattern=r"^[0-9]{6}-[a-z]{2,16}$")]] | None = (
        Field(
            default=None,
            max_length=12,
            description="Overrides the routing rules; none: the departments they name.",
        )
    )
    public_text: ReportText | None = None


class ReportStartInvestigationStep(_Step):
    action: Literal[ReportAction.start_investigation]
    public_text: ReportText | None = None


class ReportConcludeStep(_Step):
    action: Literal[ReportAction.conclude]
    result: Result
    measures: ReportText = Field(title="处理措施")
    public_text: ReportText = Field(title="处理结果（公开）")


class ReportCloseStep(_Step):
    action: Literal[ReportAction.close]
    public_text: ReportText | None = None


class ReportReassignStep(_Step):
    action: Literal[ReportAction.reassign]
    handling_departments: list[Annotated[str, Field(pattern=r"^[0-9]{6}-[a-z]{2,16}$")]] | None = (
        Field(default=None, max_length=12)
    )
    public_text: ReportText


ReportStep = Annotated[
    Union[  # noqa: UP007
        ReportAcceptStep,
        ReportRejectStep,
        ReportAssignStep,
        ReportStartInvestigationStep,
        ReportConcludeStep,
        ReportCloseStep,
        ReportReassignStep,
    ],
    Field(discriminator="action"),
]
