"""The request body of each step, read off the transition table (`machine.TRANSITIONS`).

One model per action (`PublishStep`, `WithdrawStep`, ...), built once at import: its
fields are the union, over the rows of that action, of their `required_fields`, typed as
the category drafts (`payloads.DRAFT_MODELS`) type them, plus the two members a step
records that no draft holds (`reason`, and `publicity_working_days` for `publish`). A
field is required by the schema when every row of the action takes it fresh from the
request (`fresh_fields`); the others are optional here, because the case may already
hold them or only some categories need them, and the service still answers 422
`missing_fields` for one the case's category needs. So the table stays the only
description of a step, and the contract cannot drift from it (tests/case).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from capacity_exit.case.machine import (
    INITIAL_STATE,
    TRANSITIONS,
    CaseAction,
    Category,
    Transition,
)
from capacity_exit.case.payloads import DRAFT_MODELS
from capacity_exit.core.numbers import JSON_NUMBER
from capacity_exit.core.text import Paragraph

PUBLICITY_DAYS = "publicity_working_days"


class StepRequest(BaseModel):
    """What every step's body has: its action; the rest is per action."""

    model_config = ConfigDict(extra="forbid")

    action: CaseAction

    def content(self) -> dict[str, Any]:
        """The case fields the request carries (those sent, `null` included), as JSON."""
        return self.model_dump(
            mode="json", exclude_unset=True, exclude={"action", *STEP_ONLY_FIELDS}
        )

    def member(self, name: str) -> Any:
        """A member the action's model may lack (`reason`, `publicity_working_days`)."""
        return getattr(self, name, None)


# What a step records that is not content of any draft: typed once, here.
STEP_ONLY_FIELDS: dict[str, tuple[Any, FieldInfo]] = {
    "reason": (
        Paragraph,
        Field(
            title="理由",
            description="Why the step is taken: recorded in the case's history, and as the "
            "case's closing reason when it withdraws or revokes it (the withdrawn notices "
            "state it).",
        ),
    ),
    PUBLICITY_DAYS: (
        Annotated[int, Field(ge=1, le=60), JSON_NUMBER],
        Field(
            title="公示期（工作日）",
            description="The publicity period (公示期) in working days; the notice then "
            "states the day it ends. Absent: the default period.",
        ),
    ),
}

_FINDING = {
    "domain": "environment",
    "item": "颗粒物排放浓度",
    "measured_value": 30,
    "limit_value": 50,
    "unit": "mg/m³",
    "standard": "GB 13271-2014",
}
# One realistic body per action (each validates against its model: tests/case).
EXAMPLES: dict[CaseAction, dict[str, Any]] = {
    CaseAction.publish: {"action": "publish", PUBLICITY_DAYS: 10},
    CaseAction.report_completion: {
        "action": "report_completion",
        "completion_date": "2026-11-20",
        "completion_evidence": "设备已拆除，现场照片及验收记录存档。",
        "handling_result": "违规建设的生产线已拆除。",
    },
    CaseAction.accept: {"action": "accept", "acceptance_date": "2026-11-27"},
    CaseAction.reject_acceptance: {
        "action": "reject_acceptance",
        "reason": "现场验收发现生产线主体设备未拆除。",
        "completion_deadline": "2027-02-26",
    },
    CaseAction.announce: {"action": "announce"},
    CaseAction.report_rectification: {
        "action": "report_rectification",
        "rectification_date": "2026-11-20",
        "rectification_measures": "更换布袋除尘器，颗粒物排放浓度降至30mg/m³。",
    },
    CaseAction.record_reinspection_pass: {
        "action": "record_reinspection_pass",
        "reinspection_date": "2026-11-25",
        "findings": [{**_FINDING, "compliant": True}],
    },
    CaseAction.record_reinspection_fail: {
        "action": "record_reinspection_fail",
        "reinspection_date": "2026-11-25",
        "findings": [{**_FINDING, "measured_value": 85.3, "compliant": False}],
    },
    CaseAction.record_refusal: {
        "action": "record_refusal",
        "refusal_date": "2026-11-24",
        "refusal_facts": "企业逾期未采取任何整改措施，拒绝接受复查。",
    },
    CaseAction.close: {"action": "close"},
    CaseAction.decide: {
        "action": "decide",
        "decision_number": "长政决〔2026〕12号",
        "decision_date": "2026-11-26",
        "legal_basis": "《中华人民共和国大气污染防治法》第九十九条",
    },
    CaseAction.report_closure: {
        "action": "report_closure",
        "closure_date": "2026-11-28",
        "closure_measures": "断电断水，拆除锅炉本体及除尘设施。",
    },
    CaseAction.announce_completion: {"action": "announce_completion"},
    CaseAction.confirm: {
        "action": "confirm",
        "confirmations": [
            {"department": "220322-market", "confirmed_on": "2026-11-02"},
            {"department": "220322-drc", "confirmed_on": "2026-11-03"},
        ],
    },
    CaseAction.revoke: {"action": "revoke", "reason": "复核发现企业颗粒物排放超标。"},
    CaseAction.withdraw: {"action": "withdraw", "reason": "认定事实有误，撤回重新核查。"},
}


def rows_of(action: CaseAction) -> list[Transition]:
    """The table's rows of `action`, in table order."""
    return [row for row in TRANSITIONS.values() if row.action == action]


def step_fields(action: CaseAction) -> tuple[str, ...]:
    """The members of the action's body besides `action`, in table order."""
    names = dict.fromkeys(f for row in rows_of(action) for f in row.required_fields)
    if action == CaseAction.publish:
        names[PUBLICITY_DAYS] = None
    return tuple(names)


def required_step_fields(action: CaseAction) -> tuple[str, ...]:
    """The members every row of the action takes fresh from the request."""
    rows = rows_of(action)
    return tuple(f for f in step_fields(action) if all(f in row.fresh_fields for row in rows))


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        kept = tuple(a for a in typing.get_args(annotation) if a is not type(None))
        return kept[0] if len(kept) == 1 else Union[kept]  # noqa: UP007
    return annotation


def _listed(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in dict.fromkeys(names))


def _description(action: CaseAction, name: str, own: str | None) -> str:
    """Which categories need the field and how: recorded fresh by this step, content of
    the draft it may complete, or content the case settled before (not sent again)."""
    rows = [row for row in rows_of(action) if name in row.required_fields]
    fresh = [r.category for r in rows if name in r.fresh_fields]
    draft = [
        r.category
        for r in rows
        if name not in r.fresh_fields and r.state == INITIAL_STATE[r.category]
    ]
    settled = [r.category for r in rows if r.category not in (*fresh, *draft)]
    text = [own] if own else []
    if fresh:
        text.append(f"Recorded by this step in {_listed(fresh)} cases: send it.")
    if draft:
        text.append(
            f"Content of {_listed(draft)} drafts: taken from the case, or sent here to "
            "complete the draft."
        )
    if settled:
        text.append(
            f"Content of {_listed(settled)} cases, settled by an earlier step: taken from "
            "the case, not sent again (422)."
        )
    if name not in STEP_ONLY_FIELDS:
        foreign = [
            c
            for c in dict.fromkeys(row.category for row in rows_of(action))
            if name not in DRAFT_MODELS[c].model_fields
        ]
        if foreign:
            text.append(f"Not a field of {_listed(foreign)} cases (422).")
    return " ".join(text)


def _draft_field(action: CaseAction, name: str) -> FieldInfo:
    """The field as the drafts of the action's categories declare it: one type for all
    (checked), so the step's schema is the drafts' own."""
    found = [
        DRAFT_MODELS[c].model_fields[name]
        for c in dict.fromkeys(row.category for row in rows_of(action))
        if name in DRAFT_MODELS[c].model_fields
    ]
    if not found:
        raise RuntimeError(f"{action}: no draft declares {name}")
    first = found[0]
    for other in found[1:]:
        if (other.annotation, other.metadata) != (first.annotation, first.metadata):
            raise RuntimeError(f"{action}: the drafts type {name} differently")
    return first


def _field(action: CaseAction, name: str, required: bool) -> tuple[Any, Any]:
    """The member's type and schema: required ones are not nullable, optional ones are
    (`null` clears a draft's field, as in a draft edit)."""
    metadata: list[Any] = []
    if name in STEP_ONLY_FIELDS:
        annotation, info = STEP_ONLY_FIELDS[name]
        text = info.description or ""
        if name != PUBLICITY_DAYS:
            text = _description(action, name, info.description)
    else:
        info = _draft_field(action, name)
        annotation, metadata = info.annotation, list(info.metadata)
        text = _description(action, name, info.description)
    # A draft's field is nullable already (`null` clears it); a required member is not.
    annotation = _without_none(annotation) if required else annotation | None
    typed = Annotated[annotation, *metadata] if metadata else annotation
    if required:
        return typed, Field(title=info.title, description=text, examples=info.examples)
    return typed, Field(default=None, title=info.title, description=text, examples=info.examples)


def _pascal(action: CaseAction) -> str:
    return "".join(part.capitalize() for part in action.split("_"))


def _doc(action: CaseAction) -> str:
    moves: dict[tuple[Category, str], list[str]] = {}
    for row in rows_of(action):
        moves.setdefault((row.category, row.next_state), []).append(row.state)
    text = "; ".join(
        f"`{category}` from {_states(states)} to `{next_state}`"
        for (category, next_state), states in moves.items()
    )
    return f"The `{action}` step, by category: {text}."


def _states(states: list[str]) -> str:
    quoted = [f"`{s}`" for s in states]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _build(action: CaseAction) -> type[StepRequest]:
    required = required_step_fields(action)
    fields: dict[str, Any] = {
        "action": (Literal[action], Field(description="The step to take.")),
        **{name: _field(action, name, name in required) for name in step_fields(action)},
    }
    model = create_model(
        f"{_pascal(action)}Step",
        __base__=StepRequest,
        __doc__=_doc(action),
        __module__=__name__,
        __cls_kwargs__={"json_schema_extra": {"examples": [EXAMPLES[action]]}},
        **fields,
    )
    return model


STEP_MODELS: Mapping[CaseAction, type[StepRequest]] = types.MappingProxyType(
    {action: _build(action) for action in CaseAction}
)

if TYPE_CHECKING:
    StepBody = StepRequest
else:
    StepBody = Annotated[
        Union[tuple(STEP_MODELS.values())],  # noqa: UP007
        Field(discriminator="action"),
    ]
"""The body of `POST /cases/{case_id}/transitions`: one schema per action."""


def step_request(action: CaseAction, **members: Any) -> StepRequest:
    """The body of a step the server itself takes (a batch's publication, a notice's
    withdrawal withdrawing its case), validated like a client's."""
    return STEP_MODELS[action].model_validate({"action": action, **members})
