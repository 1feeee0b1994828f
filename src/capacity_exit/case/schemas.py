"""The cases API's bodies: one create model per category, transitions, the case view."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capacity_exit.case import examples
from capacity_exit.case.machine import CaseAction, CaseState, Category, Effect, Guard, Party
from capacity_exit.case.payloads import (
    CompliantDraft,
    EliminationDraft,
    ForcedExitDraft,
    IllegalDraft,
    RectificationDraft,
)
from capacity_exit.core.clock import as_utc
from capacity_exit.core.text import Paragraph

DraftPayload = (
    IllegalDraft | EliminationDraft | RectificationDraft | ForcedExitDraft | CompliantDraft
)


class _CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise_id: uuid.UUID
    inspection_id: uuid.UUID = Field(
        description="The inspection the case comes from, of the same enterprise; its "
        "completion date starts the 10-working-day publicity clock (一(三))."
    )


class IllegalCaseCreate(_CaseCreate):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ILLEGAL_CREATE]})

    category: Literal[Category.illegal]
    payload: IllegalDraft = Field(default_factory=IllegalDraft)


class EliminationCaseCreate(_CaseCreate):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ELIMINATION_CREATE]})

    category: Literal[Category.elimination]
    payload: EliminationDraft = Field(default_factory=EliminationDraft)


class RectificationCaseCreate(_CaseCreate):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.RECTIFICATION_CREATE]})

    category: Literal[Category.rectification]
    payload: RectificationDraft = Field(default_factory=RectificationDraft)


class CompliantCaseCreate(_CaseCreate):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.COMPLIANT_CREATE]})

    category: Literal[Category.compliant]
    payload: CompliantDraft = Field(default_factory=CompliantDraft)


# A forced exit is not created directly: escalating a rectification case opens it.
CaseCreate = Annotated[
    IllegalCaseCreate | EliminationCaseCreate | RectificationCaseCreate | CompliantCaseCreate,
    Field(discriminator="category"),
]


class CaseTransitionRequest(BaseModel):
    """An action, its reason where it needs one, and the case fields the step records.

    Any other member is a field of the case's category payload (e.g. `completion_date`
    for `report_completion`); in a draft, publishing may also complete the draft's
    content. A missing field is reported with a pointer to it in this body.
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "action": "report_completion",
                    "completion_date": "2025-11-20",
                    "completion_evidence": "设备已拆除，现场照片及验收记录存档。",
                    "handling_result": "违规建设的生产线已拆除。",
                }
            ]
        },
    )

    action: CaseAction
    reason: Paragraph | None = Field(
        default=None, description="Required to withdraw, revoke or reject an acceptance."
    )
    publicity_working_days: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="For `publish`: the publicity period (公示期) in working days; the "
        "notice then states the day it ends.",
    )


class CaseDeadlineOut(BaseModel):
    purpose: Literal["publicity", "completion", "announcement", "completion_announcement"]
    due: dt.date
    provisional: bool = Field(
        description="The due date depends on a year whose holiday schedule is not yet "
        "published; it moves when the schedule is loaded (computed on read)."
    )
    met_on: dt.date | None = None
    on_time: bool | None = Field(default=None, description="Once met: met on or before due.")


class CaseLinks(BaseModel):
    self: str
    events: str
    transitions: str
    enterprise: str
    inspection: str | None = None
    parent_case: str | None = None
    forced_exit_case: str | None = None
    notices: str = Field(
        description="The public list of the notices published from this case, withdrawn "
        "ones included (`GET /disclosures?case=…`)."
    )
    credit_pushes: str = Field(
        description="The case's pushes to the credit platforms (`GET /credit-pushes?case=…`)."
    )


class CaseOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CASE]})

    id: uuid.UUID
    category: Category
    status: CaseState
    enterprise_id: uuid.UUID
    jurisdiction: str
    department: str
    inspection_id: uuid.UUID | None
    parent_case_id: uuid.UUID | None
    forced_exit_case_id: uuid.UUID | None
    payload: DraftPayload
    allowed_actions: list[CaseAction] = Field(
        description="The actions the caller may take now (the payload may still lack "
        "fields an action needs)."
    )
    deadlines: list[CaseDeadlineOut]
    overdue: bool
    overdue_since: dt.date | None = Field(
        description="The day the case was last marked overdue; kept after it completes, "
        "as the record that it missed its deadline."
    )
    closing_reason: str | None
    links: CaseLinks
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @field_validator("created_at", "updated_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        return as_utc(value)


class CaseList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CASE_LIST]})

    items: list[CaseOut]
    next_cursor: str | None = None


class CaseEventOut(BaseModel):
    sequence: int = Field(description="The case version this event made.")
    kind: Literal["created", "edited", "action", "overdue", "opened", "corrected"]
    action: CaseAction | None
    from_state: CaseState | None
    to_state: CaseState
    subject: str
    department: str | None
    occurred_at: dt.datetime
    business_date: dt.date
    reason: str | None
    changes: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        return as_utc(value)


class CaseEventList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CASE_EVENT_LIST]})

    items: list[CaseEventOut]
    next_cursor: str | None = None


class TransitionOut(BaseModel):
    state: CaseState
    action: CaseAction
    next_state: CaseState
    roles: list[str]
    department_kinds: list[str] | None = Field(description="null: any department")
    parties: list[Party] = Field(
        description="The caller's department must have one of these parts in the case: "
        "`owner`, its own department (a forced exit's is the deciding government); "
        "`involved`, a department in its `involved_departments`. The case must also be in "
        "a jurisdiction the caller acts in."
    )
    required_fields: list[str]
    fresh_fields: list[str] = Field(description="Required fields the request must carry.")
    guard: Guard | None = Field(description="A named precondition the server checks.")
    effects: list[Effect] = Field(
        description="What follows the step, in order, in the same transaction: the case's "
        "own writes (`record_milestone`, `restart_wait`, `record_closing_reason`, "
        "`open_forced_exit`) and what it causes elsewhere (`publish_notice`, "
        "`withdraw_notices`, `credit_listing`, `credit_repair`, `credit_withdrawal`)."
    )


class CreditPushersOut(BaseModel):
    """Who pushes for a case of the category to the credit platforms by hand (a listing,
    an update, a withdrawal) and retries or cancels its pushes (一(二))."""

    roles: list[str] = Field(description="Any one of them suffices.")
    parties: list[Party] = Field(
        description="The caller's department must be one of the case's: `owner`, its own "
        "department (a forced exit's is the deciding government); `involved`, a department "
        "in its `involved_departments` (those a forced-exit decision involves)."
    )


class LifecycleOut(BaseModel):
    category: Category
    initial_state: CaseState
    terminal_states: list[CaseState]
    states: list[CaseState]
    transitions: list[TransitionOut]
    credit_pushers: CreditPushersOut


class LifecycleList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.LIFECYCLE_LIST]})

    items: list[LifecycleOut]
