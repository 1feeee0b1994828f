"""Disclosure bodies. Public models carry no internal field; internal ones are marked
`x-internal` in the contract, and a test walks the public routes to keep them out."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capacity_exit.case.machine import Category
from capacity_exit.core.clock import as_utc
from capacity_exit.core.numbers import JSON_NUMBER
from capacity_exit.core.text import Paragraph, ShortText
from capacity_exit.disclosure import examples
from capacity_exit.disclosure.models import (
    DisclosureKind,
    DisclosureStatus,
    PublishingRole,
    ReviewKind,
    SummaryScope,
)

INTERNAL: dict[str, Any] = {"x-internal": True}


class EnterpriseRef(BaseModel):
    name: str
    credit_code: str
    address: str


class Named(BaseModel):
    code: str
    name: str


class DisclosureEventOut(BaseModel):
    kind: Literal["published", "corrected", "withdrawn", "reviewed"]
    disclosure_id: uuid.UUID
    occurred_at: dt.datetime
    department: str | None
    reason: str | None

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        return as_utc(value)


class DisclosureOut(BaseModel):
    """A published notice as the public reads it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DISCLOSURE]})

    id: uuid.UUID
    series_id: uuid.UUID = Field(description="The same across a notice's corrections.")
    version: int
    status: DisclosureStatus
    kind: DisclosureKind
    category: Category
    enterprise: EnterpriseRef
    department: Named
    level: str = Field(description="The publishing department's level: county or city.")
    jurisdiction: Named
    published_at: dt.datetime
    due_date: dt.date | None = Field(description="10 working days from the case (一(三)).")
    on_time: bool | None
    period_end: dt.date | None
    content: dict[str, Any] = Field(
        description="The category's required fields as published, frozen. Each department "
        "it names (`responsible_departments`, `involved_departments`, "
        '`confirmations[].department`) is a `{"code", "name"}` object like `department`, '
        "with the name the department had at publication."
    )
    previous_id: uuid.UUID | None = Field(description="The version this one corrects.")
    correction_reason: str | None
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str | None
    document: str = Field(description="The notice text: text/html or text/plain.")
    batch_id: uuid.UUID | None = Field(description="The concentrated publication it was in.")
    co_publishers: list[Named] = Field(
        description="Departments publishing it jointly (a forced exit's involved ones)."
    )

    @field_validator("published_at", "withdrawn_at")
    @classmethod
    def _utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        return as_utc(value) if value is not None else None


class DisclosureDetail(DisclosureOut):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DISCLOSURE_DETAIL]})

    versions: list[DisclosureOut] = Field(description="Every version of the notice, oldest first.")
    history: list[DisclosureEventOut]


class DisclosureListItem(DisclosureOut):
    """A notice in the public list."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DISCLOSURE_LIST_ITEM]})

    publishing_role: PublishingRole | None = Field(
        description="Listed by `department`: the role in which that department carries the "
        "notice: `publisher` (it published the notice, `department` above) or "
        "`co_publisher` (it is among `co_publishers`, as the departments a forced exit "
        "involves are, 一(一)4). Null when the list is not filtered by department."
    )


class DisclosureList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DISCLOSURE_LIST]})

    items: list[DisclosureListItem]
    next_cursor: str | None = None


class CorrectionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.CORRECTION_IN]}
    )

    reason: Paragraph = Field(title="更正理由")
    content: dict[str, Any] = Field(
        description="The notice fields that change (of the fields it shows); the others "
        "stay as published. Departments are given by code, as in the case."
    )
    correction_request_id: uuid.UUID | None = Field(
        default=None, description="The city's correction request this answers."
    )


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.WITHDRAWAL_IN]}
    )

    reason: Paragraph = Field(title="撤回理由")


class Discrepancy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: ShortText = Field(description="The notice field found wrong.")
    finding: Paragraph


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.REVIEW_IN]})

    kind: ReviewKind
    discrepancies: list[Discrepancy] = Field(
        default_factory=list,
        max_length=50,
        description="Empty: the disclosure is confirmed; otherwise a correction request "
        "goes to the publishing department.",
    )
    notes: Paragraph | None = Field(default=None, json_schema_extra=INTERNAL)


class ReviewOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REVIEW_OUT]})

    id: uuid.UUID
    disclosure_id: uuid.UUID
    kind: ReviewKind
    outcome: Literal["confirmed", "discrepancies"]
    discrepancies: list[Discrepancy]
    notes: str | None = Field(json_schema_extra=INTERNAL)
    department: str
    reviewed_on: dt.date
    correction_request_id: uuid.UUID | None


class CorrectionRequestOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CORRECTION_REQUEST]})

    id: uuid.UUID
    series_id: uuid.UUID
    disclosure_id: uuid.UUID
    addressed_to: str
    requested_by: str
    discrepancies: list[Discrepancy]
    status: Literal["open", "resolved"]
    resolved_by_id: uuid.UUID | None
    created_at: dt.datetime

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        return as_utc(value)


class CorrectionRequestList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CORRECTION_REQUEST_LIST]})

    items: list[CorrectionRequestOut]
    next_cursor: str | None = None


class BatchCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: uuid.UUID
    version: Annotated[int, Field(ge=1, le=1_000_000), JSON_NUMBER] = Field(
        description="The case version published (its ETag)."
    )


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.BATCH_IN]})

    category: Category
    title: ShortText | None = Field(default=None, title="批次标题")
    cases: list[BatchCase] = Field(min_length=1, max_length=200)
    publicity_working_days: Annotated[int, Field(ge=1, le=60), JSON_NUMBER] | None = Field(
        default=None, description="The publicity period (公示期), in working days."
    )


class BatchOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.BATCH_OUT]})

    id: uuid.UUID
    category: Category
    department: str
    title: str | None
    disclosures: list[uuid.UUID] = Field(description="One notice per case, in request order.")


class CitySummaryIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.CITY_SUMMARY_IN]}
    )

    category: Category
    scope: SummaryScope
    title: ShortText = Field(title="标题", examples=["四平市2026年淘汰落后产能目标任务公示"])
    disclosures: list[uuid.UUID] = Field(
        min_length=1, max_length=500, description="The counties' current notices it covers."
    )


class SummaryReview(BaseModel):
    kind: ReviewKind
    outcome: Literal["confirmed", "discrepancies"]
    reviewed_on: dt.date
    discrepancies: list[Discrepancy]


class SummaryEntry(BaseModel):
    disclosure_id: uuid.UUID
    county: Named
    department: Named
    enterprise: EnterpriseRef
    kind: DisclosureKind
    published_at: dt.datetime
    on_time: bool | None
    review: SummaryReview | None = Field(description="The city's latest review of it.")


class CitySummaryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CITY_SUMMARY]})

    id: uuid.UUID
    category: Category
    scope: SummaryScope
    title: str
    department: Named
    jurisdiction: str
    published_at: dt.datetime
    entries: list[SummaryEntry]

    @field_validator("published_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        return as_utc(value)


class CitySummaryList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CITY_SUMMARY_LIST]})

    items: list[CitySummaryOut]
    next_cursor: str | None = None
