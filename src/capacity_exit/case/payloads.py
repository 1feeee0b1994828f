"""The payload of a case in each of the five disclosure categories (domain.md).

A draft may be incomplete, so every field of a `XxxDraft` model is optional; the model
still refuses unknown fields and bad text. Whether a draft carries what an action needs
is `missing_fields`'s question: the transition table (`machine.TRANSITIONS`) names the
required top-level fields, and each list item names its own required sub-fields in
`REQUIRED`. Field names follow the table's `required_fields` exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from capacity_exit.calendar.schemas import CalendarDate
from capacity_exit.case.machine import Category
from capacity_exit.core.errors import Unprocessable, field_problem_from_pydantic
from capacity_exit.core.numbers import JSON_NUMBER
from capacity_exit.core.problems import FieldProblem
from capacity_exit.core.text import Name, Paragraph, ShortText
from capacity_exit.inspection.schemas import CheckedItem, DepartmentCode, Domain, Measurement

MAX_ITEMS = 200
# Dates a step records as having happened: never later than the day it is recorded.
FACT_DATES = (
    "completion_date",
    "acceptance_date",
    "rectification_date",
    "reinspection_date",
    "refusal_date",
    "decision_date",
    "closure_date",
)
MISSING_FIELD = "missing_field"

Quantity = Annotated[int, Field(ge=1, le=1_000_000), JSON_NUMBER]
# As written, like `Measurement` (and as strict): an integer capacity stays an integer.
Capacity = (
    Annotated[int, Field(strict=True, gt=0, le=10**12)]
    | Annotated[float, Field(strict=True, gt=0, le=1e12, allow_inf_nan=False)]
)
Departments = Annotated[list[DepartmentCode], Field(max_length=50)]


class FoundBy(StrEnum):
    """The inspection that found an item failing: a recorded inspection, by its kind
    (`inspection.schemas.InspectionKind`), or a rectification case's re-inspection."""

    verification = "verification"  # 核查
    inspection = "inspection"  # 检查
    legality_review = "legality_review"  # 专项审查
    recheck = "recheck"  # 复核
    spot_check = "spot_check"  # 抽查
    reinspection = "reinspection"  # 复查: the step that records a rectification's findings


class ExitMethod(StrEnum):
    dismantle = "dismantle"  # 拆除
    seal = "seal"  # 封存
    transfer = "transfer"  # 转移
    other = "other"


class _Part(BaseModel):
    """A payload model: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    # Sub-fields an item must carry before the case can act on it.
    REQUIRED: ClassVar[tuple[str, ...]] = ()


# --- list items ---------------------------------------------------------------------------


class IllegalMatter(_Part):
    """One illegal matter (违法事项) with its facts (违法事实)."""

    REQUIRED = ("matter", "facts")

    matter: Name | None = Field(default=None, title="违法事项")
    facts: Paragraph | None = Field(default=None, title="违法事实")
    legal_basis: Paragraph | None = Field(default=None, title="违法依据")


class EquipmentItem(_Part):
    """A piece of equipment, production line or process, with its capacity."""

    REQUIRED = ("name", "model", "quantity", "capacity", "capacity_unit")

    name: Name | None = Field(default=None, title="设备（生产线）名称")
    model: ShortText | None = Field(default=None, title="型号")
    quantity: Quantity | None = Field(default=None, title="数量")
    capacity: Capacity | None = Field(default=None, title="产能")
    capacity_unit: ShortText | None = Field(default=None, title="产能单位", examples=["万吨/年"])


class ProductItem(_Part):
    """A product and the capacity for it."""

    REQUIRED = ("name", "capacity", "capacity_unit")

    name: Name | None = Field(default=None, title="产品")
    capacity: Capacity | None = Field(default=None, title="产能")
    capacity_unit: ShortText | None = Field(default=None, title="产能单位", examples=["万吨/年"])


class FailingItem(_Part):
    """An item that failed a mandatory standard: measured value against the limit."""

    REQUIRED = ("domain", "item", "measured_value", "limit_value", "unit", "standard")

    domain: Domain | None = Field(default=None, title="领域")
    item: ShortText | None = Field(default=None, title="检查项目")
    measured_value: Measurement | None = Field(default=None, title="检测值（监测值）")
    limit_value: Measurement | None = Field(default=None, title="强制性标准规定值")
    unit: ShortText | None = Field(default=None, title="单位", examples=["mg/m³"])
    standard: ShortText | None = Field(default=None, title="标准", examples=["GB 13271-2014"])


class ForcedExitFailingItem(FailingItem):
    """A failing item of a forced exit, as the latest inspection that checked it found it,
    and which inspection that was (一(一)4: the enterprise still fails)."""

    found_by: FoundBy | None = Field(
        default=None,
        title="认定不达标的检查",
        description="The inspection whose finding this is: `reinspection` (复查) when the "
        "rectification case's re-inspection found the item still failing, otherwise the "
        "kind of the inspection the rectification case cites (its `inspection_id`). "
        "Filled in by escalation; absent on proposals opened before it was recorded.",
    )
    found_on: CalendarDate | None = Field(
        default=None,
        title="检查日期",
        description="The day that inspection was completed (the re-inspection's date, or "
        "the cited inspection's `completed_on`).",
    )


class CompliantItem(_Part):
    """An inspected item found compliant; the measurement is optional."""

    REQUIRED = ("domain", "item")

    domain: Domain | None = Field(default=None, title="领域")
    item: ShortText | None = Field(default=None, title="检查项目")
    measured_value: Measurement | None = Field(default=None, title="检测值（监测值）")
    limit_value: Measurement | None = Field(default=None, title="强制性标准规定值")
    unit: ShortText | None = Field(default=None, title="单位")
    standard: ShortText | None = Field(default=None, title="标准")


class Confirmation(_Part):
    """A standards or approval department's confirmation of a compliant enterprise."""

    REQUIRED = ("department", "confirmed_on")

    department: DepartmentCode | None = Field(default=None, title="确认部门")
    confirmed_on: CalendarDate | None = Field(default=None, title="确认日期")


# --- drafts -------------------------------------------------------------------------------


class IllegalDraft(_Part):
    """一(一)1 illegal construction or production: publicity, then announcement."""

    illegal_matters: list[IllegalMatter] | None = Field(
        default=None, max_length=MAX_ITEMS, title="违法事项及事实"
    )
    handling_basis: Paragraph | None = Field(default=None, title="处置依据")
    handling_requirements: Paragraph | None = Field(default=None, title="处置要求")
    completion_deadline: CalendarDate | None = Field(default=None, title="完成时限")
    responsible_departments: Departments | None = Field(default=None, title="责任部门")
    completion_date: CalendarDate | None = Field(default=None, title="完成日期")
    completion_evidence: Paragraph | None = Field(default=None, title="完成情况佐证")
    handling_result: Paragraph | None = Field(default=None, title="处置结果")
    acceptance_date: CalendarDate | None = Field(default=None, title="属地验收日期")


class EliminationDraft(_Part):
    """一(一)2 elimination-class equipment, or a voluntary exit: publicity, announcement."""

    elimination_items: list[EquipmentItem] | None = Field(
        default=None, max_length=MAX_ITEMS, title="淘汰类装备（生产线、工艺）"
    )
    elimination_basis: Paragraph | None = Field(default=None, title="淘汰依据")
    voluntary: bool | None = Field(default=None, strict=True, title="是否自愿退出")
    exit_method: ExitMethod | None = Field(default=None, title="退出方式")
    handling_requirements: Paragraph | None = Field(default=None, title="处置要求")
    completion_deadline: CalendarDate | None = Field(default=None, title="完成时限")
    responsible_departments: Departments | None = Field(default=None, title="责任部门")
    completion_date: CalendarDate | None = Field(default=None, title="完成日期")
    completion_evidence: Paragraph | None = Field(default=None, title="完成情况佐证")
    exited_items: list[EquipmentItem] | None = Field(
        default=None, max_length=MAX_ITEMS, title="实际退出的装备（生产线）"
    )
    acceptance_date: CalendarDate | None = Field(default=None, title="属地验收日期")


class RectificationDraft(_Part):
    """一(一)3 rectification of items failing a mandatory standard: publicity."""

    problems: list[FailingItem] | None = Field(
        default=None, max_length=MAX_ITEMS, title="不达标项目"
    )
    rectification_basis: Paragraph | None = Field(default=None, title="整改依据")
    rectification_requirements: Paragraph | None = Field(default=None, title="整改要求")
    rectification_deadline: CalendarDate | None = Field(default=None, title="整改期限")
    responsible_departments: Departments | None = Field(default=None, title="责任部门")
    rectification_date: CalendarDate | None = Field(default=None, title="整改完成日期")
    rectification_measures: Paragraph | None = Field(default=None, title="整改措施")
    reinspection_date: CalendarDate | None = Field(default=None, title="复查日期")
    findings: list[CheckedItem] | None = Field(default=None, max_length=MAX_ITEMS, title="复查结果")
    refusal_date: CalendarDate | None = Field(default=None, title="拒不整改日期")
    refusal_facts: Paragraph | None = Field(default=None, title="拒不整改事实")


class ForcedExitDraft(_Part):
    """一(一)4 forced exit after refused or failed rectification: announcement."""

    rectification_case_id: uuid.UUID | None = Field(default=None, title="来源整改案件")
    # The rectification's items not re-checked, and those only its re-inspection found.
    failing_items: list[ForcedExitFailingItem] | None = Field(
        default=None, max_length=2 * MAX_ITEMS, title="不达标项目"
    )
    unfinished_rectification: Paragraph | None = Field(default=None, title="未完成的整改")
    legal_basis: Paragraph | None = Field(default=None, title="关停退出的法律依据")
    decision_number: ShortText | None = Field(default=None, title="决定文号")
    decision_date: CalendarDate | None = Field(default=None, title="决定日期")
    involved_departments: Departments | None = Field(default=None, title="涉及部门")
    closure_date: CalendarDate | None = Field(default=None, title="关停完成日期")
    closure_measures: Paragraph | None = Field(default=None, title="关停措施")
    acceptance_date: CalendarDate | None = Field(default=None, title="验收日期")


class CompliantDraft(_Part):
    """一(一)5 compliant enterprise of a key industry, publicised by the lead department."""

    main_equipment: list[EquipmentItem] | None = Field(
        default=None, max_length=MAX_ITEMS, title="主要装备"
    )
    products: list[ProductItem] | None = Field(
        default=None, max_length=MAX_ITEMS, title="产品及产能"
    )
    compliance_matters: list[CompliantItem] | None = Field(
        default=None, max_length=MAX_ITEMS, title="检查合规的项目"
    )
    compliance_basis: Paragraph | None = Field(default=None, title="合规依据")
    confirmations: list[Confirmation] | None = Field(
        default=None, max_length=50, title="标准及审批部门确认"
    )


DRAFT_MODELS: dict[Category, type[BaseModel]] = {
    Category.illegal: IllegalDraft,
    Category.elimination: EliminationDraft,
    Category.rectification: RectificationDraft,
    Category.forced_exit: ForcedExitDraft,
    Category.compliant: CompliantDraft,
}


# --- completeness -------------------------------------------------------------------------


def _blank(value: object) -> bool:
    """Absent, null, a blank string or an empty collection (as `machine.transition`)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


def _problem(pointer: str) -> FieldProblem:
    return FieldProblem(pointer=pointer, detail="required", code=MISSING_FIELD)


def missing_fields(
    category: Category, draft: BaseModel, required: tuple[str, ...]
) -> list[FieldProblem]:
    """A problem for each required field the draft lacks, and each lacking sub-field of
    a required list's items, in order; empty when the draft is complete.

    A required name the draft model does not declare (such as an action's `reason`) is
    reported missing too.
    """
    model = DRAFT_MODELS[category]
    if not isinstance(draft, model):
        raise TypeError(f"a {category} draft must be a {model.__name__}")
    problems: list[FieldProblem] = []
    for field in dict.fromkeys(required):  # each once, in order
        value = getattr(draft, field, None) if field in model.model_fields else None
        if _blank(value):
            problems.append(_problem(f"/{field}"))
            continue
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, _Part):
                    problems.extend(
                        _problem(f"/{field}/{index}/{sub}")
                        for sub in item.REQUIRED
                        if _blank(getattr(item, sub))
                    )
    return problems


def validated_draft(category: Category, content: Mapping[str, Any]) -> BaseModel:
    """The category's draft from content (stored, with changes applied; null clears),
    or a 422 pointing at each invalid field."""
    try:
        return DRAFT_MODELS[category].model_validate(
            {k: v for k, v in content.items() if v is not None}
        )
    except ValidationError as exc:
        raise Unprocessable(
            f"The {category} case content is not valid.",
            code="invalid_payload",
            errors=[field_problem_from_pydantic(dict(e)) for e in exc.errors()],
        ) from exc


def stored_content(draft: BaseModel) -> dict[str, Any]:
    """A validated draft as the case stores it: JSON values, absent fields left out."""
    return draft.model_dump(mode="json", exclude_none=True)
