"""What is sent: the national "double publicity" (双公示) penalty-style record.

`CreditRecord` is the documented field set (docs/decisions.md maps each field to our
records); every push is validated by it before it is stored and again by the fake
platform on receipt. `record_for` builds one from a case.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.case.machine import Category
from capacity_exit.case.models import Case
from capacity_exit.enterprise.models import Enterprise
from capacity_exit.org.models import Department

CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
LISTING_YEARS = 3  # the longest publicity of a penalty record (NDRC order 58, 2023)
DEFAULT_BASIS = "推动落后产能退出信息公开共享制度（信息推送）"


class PushKind(StrEnum):
    listing = "listing"  # the enterprise is put on the platform
    update = "update"  # joint punishment measures applied or lifted (联合惩戒)
    withdrawal = "withdrawal"  # credit repair: the record comes off (信用修复)


class Trigger(StrEnum):
    """Why a push exists: the change it was created with, in the same transaction."""

    overdue = "overdue"  # illegal/elimination past its completion deadline
    refusal = "refusal"  # rectification refused
    failed_reinspection = "failed_reinspection"  # still failing after rectification
    forced_exit_decision = "forced_exit_decision"
    completion_accepted = "completion_accepted"  # a listed case completed and accepted
    case_withdrawn = "case_withdrawn"  # a listed case withdrawn or revoked
    manual = "manual"  # an approver's push or re-push


class CreditRecord(BaseModel):
    """One record as the platforms take it (双公示 行政处罚 fields, plus the kind)."""

    model_config = ConfigDict(extra="forbid")

    kind: PushKind
    record_id: uuid.UUID = Field(description="Stable per case: updates and withdrawals name it.")
    subject_name: str = Field(min_length=1, max_length=200, title="行政相对人名称")
    subject_type: str = Field(default="法人及非法人组织", title="行政相对人类别")
    subject_credit_code: str = Field(pattern=CREDIT_CODE, title="统一社会信用代码")
    decision_number: str = Field(min_length=1, max_length=128, title="决定文书号")
    violation_type: str = Field(min_length=1, max_length=200, title="违法行为类型")
    facts: str = Field(min_length=1, max_length=5000, title="违法事实")
    basis: str = Field(min_length=1, max_length=2000, title="处罚依据")
    measure_type: str = Field(min_length=1, max_length=64, title="处罚类别")
    measure_content: str = Field(min_length=1, max_length=2000, title="处罚内容")
    decision_date: dt.date = Field(title="处罚决定日期")
    valid_until: dt.date = Field(title="公示截止期")
    deciding_body: str = Field(min_length=1, max_length=200, title="处罚机关")
    deciding_body_code: str | None = Field(
        default=None,
        pattern=CREDIT_CODE,
        title="处罚机关统一社会信用代码",
        description="Not in the reference data yet: sent as null until it is.",
    )
    source_unit: str = Field(min_length=1, max_length=200, title="数据来源单位")
    source_unit_code: str | None = Field(
        default=None, pattern=CREDIT_CODE, title="数据来源单位统一社会信用代码"
    )
    reason: str | None = Field(
        default=None, max_length=2000, description="Why an update or withdrawal is sent."
    )


_VIOLATIONS = {
    Trigger.overdue: {
        Category.illegal: "违法违规建设生产逾期未完成处置",
        Category.elimination: "淘汰类装备（生产线）逾期未退出",
    },
    Trigger.refusal: {Category.rectification: "强制性标准不达标拒不整改"},
    Trigger.failed_reinspection: {Category.rectification: "强制性标准不达标整改后仍不达标"},
    Trigger.forced_exit_decision: {Category.forced_exit: "强制性标准不达标依法关闭退出"},
}
_BASIS_FIELDS = {
    Category.illegal: "handling_basis",
    Category.elimination: "elimination_basis",
    Category.rectification: "rectification_basis",
    Category.forced_exit: "legal_basis",
}


def _facts(case: Case, trigger: Trigger) -> str:
    p = case.payload
    if trigger is Trigger.overdue:
        done = "处置" if case.category == Category.illegal else "淘汰类装备（生产线）退出"
        required = p.get("handling_requirements", "")
        return f"未在完成时限{case.completion_deadline}前完成{done}。{required}"
    if trigger is Trigger.refusal:
        return str(p.get("refusal_facts") or "拒不整改。")
    if trigger is Trigger.failed_reinspection:
        failing = [f.get("item", "") for f in p.get("findings") or [] if not f.get("compliant")]
        return f"复查（{p.get('reinspection_date')}）仍不达标：{'、'.join(failing)}。"
    return str(p.get("unfinished_rectification") or "强制性标准不达标，经整改仍未达标。")


def _decision_date(case: Case, trigger: Trigger, today: dt.date) -> dt.date:
    source = {
        Trigger.overdue: case.overdue_since,
        Trigger.refusal: case.payload.get("refusal_date"),
        Trigger.failed_reinspection: case.payload.get("reinspection_date"),
        Trigger.forced_exit_decision: case.payload.get("decision_date"),
    }.get(trigger)
    if isinstance(source, str):
        return dt.date.fromisoformat(source)
    return source if isinstance(source, dt.date) else today


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def listing_for(
    case: Case, enterprise: Enterprise, department: Department, trigger: Trigger, today: dt.date
) -> CreditRecord:
    """The listing a trigger sends for a case (validated here, before it is stored)."""
    decided = _decision_date(case, trigger, today)
    category = case.category
    return CreditRecord(
        kind=PushKind.listing,
        record_id=case.id,
        subject_name=enterprise.name,
        subject_credit_code=enterprise.credit_code,
        decision_number=str(case.payload.get("decision_number") or f"CE-{case.id}"),
        violation_type=_VIOLATIONS[trigger][category],
        facts=_facts(case, trigger)[:5000],
        basis=str(case.payload.get(_BASIS_FIELDS[category]) or DEFAULT_BASIS)[:2000],
        measure_type="责令关闭" if category == Category.forced_exit else "其他",
        measure_content="推送至全国信用信息共享平台、信用中国、信用吉林，实施联合惩戒。",
        decision_date=decided,
        valid_until=years_after(decided, LISTING_YEARS),
        deciding_body=department.name,
        source_unit=department.name,
    )


def follow_up(
    listing: dict[str, Any],
    kind: PushKind,
    reason: str,
    today: dt.date,
    measure: str | None = None,
) -> CreditRecord:
    """An update (a joint punishment measure applied or lifted: `measure`) or a
    withdrawal (its publicity ends today) of a listing already sent, with its reason."""
    changes: dict[str, Any] = {"kind": kind.value, "reason": reason[:2000]}
    if measure is not None:
        changes["measure_content"] = measure[:2000]
    if kind is PushKind.withdrawal:
        changes["valid_until"] = today
    return CreditRecord.model_validate({**listing, **changes})
