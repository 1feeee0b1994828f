from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capacity_exit.calendar.schemas import CalendarDate
from capacity_exit.core.clock import as_utc
from capacity_exit.core.text import Paragraph, ShortText
from capacity_exit.inspection import examples

DepartmentCode = Annotated[str, Field(pattern=r"^[0-9]{6}-[a-z]{2,16}$", max_length=32)]
# A number as the department wrote it: an integer stays an integer (a plain `float` would
# turn 50 into 50.0 in the stored content, the API and the notice), a decimal stays a float.
# Strict: a JSON number and nothing else (pydantic would take `false` as 0 and "50" as 50).
Measurement = (
    Annotated[int, Field(strict=True, ge=-(10**12), le=10**12)]
    | Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e12, le=1e12)]
)


class InspectionKind(StrEnum):
    verification = "verification"  # 核查
    inspection = "inspection"  # 检查
    legality_review = "legality_review"  # 专项审查 (建设运营合法有效性)
    recheck = "recheck"  # 复核
    spot_check = "spot_check"  # 抽查


# A city department may record these for its counties' enterprises (分级公开, 一(四)).
REVIEW_KINDS = frozenset({InspectionKind.recheck, InspectionKind.spot_check})


class Domain(StrEnum):
    environment = "environment"  # 环保
    safety = "safety"  # 安全
    quality = "quality"  # 质量
    energy = "energy"  # 能耗
    technology = "technology"  # 技术 (淘汰类装备、工艺)
    legality = "legality"  # 合法合规


class CheckedItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: Domain = Field(title="领域")
    item: ShortText = Field(title="检查项目", examples=["颗粒物排放浓度"])
    measured_value: Measurement | None = Field(default=None, title="检测值（监测值）")
    limit_value: Measurement | None = Field(default=None, title="强制性标准规定值")
    unit: ShortText | None = Field(default=None, title="单位", examples=["mg/m³"])
    standard: ShortText | None = Field(default=None, title="标准", examples=["GB 13271-2014"])
    compliant: bool = Field(strict=True, title="是否达标")


class InspectionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "enterprise_id": "01a23573-69bb-770b-9c1e-8b4c568c7f35",
                    "kind": "inspection",
                    "departments": ["220322-ecoenv", "220322-miit"],
                    "completed_on": "2026-11-16",
                    "items": [
                        {
                            "domain": "environment",
                            "item": "颗粒物排放浓度",
                            "measured_value": 85.3,
                            "limit_value": 50,
                            "unit": "mg/m³",
                            "standard": "GB 13271-2014",
                            "compliant": False,
                        }
                    ],
                    "conclusion": "颗粒物排放超标，责令限期整改。",
                }
            ]
        },
    )

    enterprise_id: uuid.UUID
    kind: InspectionKind = Field(title="类型")
    departments: list[DepartmentCode] = Field(
        default_factory=list,
        max_length=20,
        title="参与部门",
        description="Departments that took part; the recording department is always one.",
    )
    completed_on: CalendarDate = Field(
        title="完成日期", description="Starts the 10-working-day publicity clock."
    )
    items: list[CheckedItem] = Field(min_length=1, max_length=200, title="检查项目")
    conclusion: Paragraph = Field(title="结论")


class DueDate(BaseModel):
    date: dt.date
    provisional: bool


class InspectionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        populate_by_name=True,
        json_schema_extra={"examples": [examples.INSPECTION]},
    )

    id: uuid.UUID
    enterprise_id: uuid.UUID
    jurisdiction: str = Field(validation_alias="jurisdiction_code")
    kind: InspectionKind
    recorded_by_department: str
    departments: list[str]
    completed_on: dt.date
    items: list[CheckedItem]
    conclusion: str
    publicity_due: DueDate = Field(
        description="10 working days after completion (一(三)): when a case from it must "
        "be publicised."
    )
    version: int
    created_at: dt.datetime

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        return as_utc(value)


class InspectionList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.INSPECTION_LIST]})

    items: list[InspectionOut]
    next_cursor: str | None = None
