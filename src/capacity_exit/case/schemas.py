"""The cases API's bodies: one create and one draft-edit model per category, the steps
(`step_requests`), the case view."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal

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
from capacity_exit.case.step_requests import StepBody
from capacity_exit.core.clock import as_utc

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


# The body of a step: one schema per action, read off the transition table.
CaseTransitionRequest = StepBody


_CATEGORY = "The case's own category: another is 422 `category_mismatch`."


class DraftEdit(BaseModel):
    """A draft edit carries its case's category, so that each category's edit is its own
    schema (a 422 `category_mismatch` when it is not the case's); the rest are fields of
    that category's draft: a field given replaces the stored one, `null` clears it, an
    absent one stays."""

    category: Category

    def changes(self) -> dict[str, Any]:
        """The fields the edit sets or clears (absent ones left out), as JSON."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"category"})


class IllegalDraftEdit(DraftEdit, IllegalDraft):
    """An edit of an `illegal` case's draft (一(一)1)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "illegal",
                    "handling_requirements": "停止建设，拆除违规建设的生产线。",
                    "completion_deadline": "2027-06-30",
                }
            ]
        }
    )
    category: Literal[Category.illegal] = Field(description=_CATEGORY)


class EliminationDraftEdit(DraftEdit, EliminationDraft):
    """An edit of an `elimination` case's draft (一(一)2)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"category": "elimination", "voluntary": True, "exit_method": "dismantle"}]
        }
    )
    category: Literal[Category.elimination] = Field(description=_CATEGORY)


class RectificationDraftEdit(DraftEdit, RectificationDraft):
    """An edit of a `rectification` case's draft (一(一)3)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "rectification",
                    "rectification_deadline": "2027-03-31",
                    "rectification_requirements": "改造除尘设施，颗粒物排放浓度降至50mg/m³以下。",
                }
            ]
        }
    )
    category: Literal[Category.rectification] = Field(description=_CATEGORY)


class ForcedExitDraftEdit(DraftEdit, ForcedExitDraft):
    """An edit of a `forced_exit` case's proposal (`proposed`), before the government
    decides (一(一)4)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "forced_exit",
                    "unfinished_rectification": "除尘设施改造未完成，颗粒物排放仍超标。",
                    "involved_departments": ["220322-ecoenv", "220322-market"],
                }
            ]
        }
    )
    category: Literal[Category.forced_exit] = Field(description=_CATEGORY)


class CompliantDraftEdit(DraftEdit, CompliantDraft):
    """An edit of a `compliant` case's draft (一(一)5)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "compliant",
                    "compliance_basis": "环保、能耗、质量、安全、技术标准全部达标。",
                    "confirmations": None,
                }
            ]
        }
    )
    category: Literal[Category.compliant] = Field(description=_CATEGORY)


if TYPE_CHECKING:
    CaseDraftEdit = DraftEdit
else:
    CaseDraftEdit = Annotated[
        IllegalDraftEdit
        | EliminationDraftEdit
        | RectificationDraftEdit
        | ForcedExitDraftEdit
        | CompliantDraftEdit,
        Field(discriminator="category"),
    ]
"""The body of `PATCH /cases/{case_id}`: the case category's draft, by `category`."""


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
    report: str | None = Field(
        default=None, description="The report the case came from, or was revoked by (一(一)5)."
    )
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
    report_id: uuid.UUID | None = Field(
        default=None,
        description="The report the case was opened from (or, for a compliant case, "
        "revoked by); internal: never on a notice.",
    )
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
