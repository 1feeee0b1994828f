from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.org import examples

DivisionCode = Annotated[
    str, Field(pattern=r"^[0-9]{6}$", description="GB/T 2260 division code", examples=["220322"])
]
DepartmentCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{6}-[a-z]{2,16}$",
        max_length=32,
        description="`{division code}-{kind}`",
        examples=["220322-ecoenv"],
    ),
]


class Level(StrEnum):
    province = "province"
    city = "city"
    county = "county"


class DepartmentKind(StrEnum):
    drc = "drc"
    miit = "miit"
    natres = "natres"
    ecoenv = "ecoenv"
    emergency = "emergency"
    market = "market"
    tax = "tax"
    finance = "finance"
    energy = "energy"
    sasac = "sasac"
    hrss = "hrss"
    gov = "gov"


class JurisdictionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [examples.JURISDICTION]}
    )

    code: str = Field(title="区划代码", examples=["220322"])
    name: str = Field(title="名称", examples=["梨树县"])
    level: Level = Field(title="层级")
    parent_code: str | None = Field(title="上级区划代码", examples=["220300"])
    status: str = Field(
        title="状态",
        description="`current`, or `retired` for a historical code",
        examples=["current"],
    )
    retired_year: int | None = Field(default=None, title="撤销年份")
    successor_code: str | None = Field(default=None, title="现行代码")
    note: str | None = Field(default=None, title="说明")


class DepartmentOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [examples.DEPARTMENT]}
    )

    code: str = Field(title="部门代码", examples=["220322-ecoenv"])
    jurisdiction_code: str = Field(title="所属区划", examples=["220322"])
    kind: DepartmentKind = Field(title="部门类别")
    label: str = Field(title="简称", examples=["生态环境"])
    name: str = Field(title="名称", examples=["梨树县生态环境局"])
    is_member_unit: bool = Field(title="联席会议成员单位")
    is_lead: bool = Field(title="牵头部门", description="The lead department (工信) of its level.")


class JurisdictionList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.JURISDICTION_LIST]})

    items: list[JurisdictionOut]
    next_cursor: None = Field(default=None, description="Reference lists are short: one page.")


class DepartmentList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.DEPARTMENT_LIST]})

    items: list[DepartmentOut]
    next_cursor: None = Field(default=None, description="Reference lists are short: one page.")
