from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from capacity_exit.core.clock import as_utc
from capacity_exit.core.patch import not_nullable_in_schema, reject_null
from capacity_exit.core.text import Address, Name, ShortText
from capacity_exit.enterprise import credit_code, examples


def _check_credit_code(value: str) -> str:
    error = credit_code.validate(value)
    if error is not None:
        raise PydanticCustomError(error.code, f"invalid credit code: {error.message}")
    return value


CreditCode = Annotated[
    str,
    Field(
        title="统一社会信用代码",
        description=credit_code.DESCRIPTION,
        examples=["91220322MA0Y8K2L0C"],
        # In the schema only: the validator reports the first rule broken with its code.
        json_schema_extra={"pattern": credit_code.PATTERN, "format": "gb32100-credit-code"},
    ),
    AfterValidator(_check_credit_code),
]
DivisionCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{6}$",
        title="所属区划",
        description="Division code of the city or county-level unit the enterprise belongs to.",
        examples=["220322"],
    ),
]


class EnterpriseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "梨树县宏达水泥有限公司",
                    "credit_code": "91220322MA0Y8K2L0C",
                    "address": "吉林省四平市梨树县梨树镇工业路18号",
                    "jurisdiction": "220322",
                    "industry": "水泥",
                    "legal_representative": "王建国",
                }
            ]
        },
    )

    name: Name = Field(title="企业名称")
    credit_code: CreditCode
    address: Address = Field(title="详细地址")
    jurisdiction: DivisionCode
    industry: ShortText | None = Field(default=None, title="所属行业", examples=["水泥"])
    legal_representative: ShortText | None = Field(default=None, title="法定代表人")


_REQUIRED = ("name", "credit_code", "address", "jurisdiction")


class EnterprisePatch(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_nullable_in_schema(
            *_REQUIRED, examples=[{"address": "吉林省四平市梨树县梨树镇工业路20号"}]
        ),
    )

    name: Name | None = Field(default=None, title="企业名称")
    credit_code: CreditCode | None = None
    address: Address | None = Field(default=None, title="详细地址")
    jurisdiction: DivisionCode | None = None
    industry: ShortText | None = Field(default=None, title="所属行业")
    legal_representative: ShortText | None = Field(default=None, title="法定代表人")

    @field_validator(*_REQUIRED, mode="before")
    @classmethod
    def _required_not_null(cls, value: object) -> object:
        return reject_null(value)


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [examples.ENTERPRISE]}
    )

    id: uuid.UUID
    name: str = Field(title="企业名称")
    credit_code: str = Field(title="统一社会信用代码")
    address: str = Field(title="详细地址")
    jurisdiction: str = Field(title="所属区划", validation_alias="jurisdiction_code")
    industry: str | None = Field(title="所属行业")
    legal_representative: str | None = Field(title="法定代表人")
    version: int = Field(description="Current version; also the `ETag`.")
    created_at: datetime
    updated_at: datetime

    @field_validator("created_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class EnterpriseList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTERPRISE_LIST]})

    items: list[EnterpriseOut]
    next_cursor: str | None = None
