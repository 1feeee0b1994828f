from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capacity_exit.auth import examples
from capacity_exit.auth.roles import Role
from capacity_exit.core.clock import as_utc
from capacity_exit.core.text import ShortText

LOGIN_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
Login = Annotated[
    str,
    Field(
        min_length=3,
        max_length=64,
        pattern=LOGIN_PATTERN,
        title="登录名",
        description="User name or client id: lower-case letters, digits, `.`, `_`, `-`.",
        examples=["lishu.ecoenv.zhang"],
    ),
]
DepartmentCode = Annotated[
    str, Field(pattern=r"^[0-9]{6}-[a-z]{2,16}$", max_length=32, examples=["220322-ecoenv"])
]
Password = Annotated[
    str,
    Field(
        min_length=12,
        max_length=256,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="At least 12 characters; no control characters.",
    ),
]


class AccountKind(StrEnum):
    user = "user"
    service = "service"


class _AccountCreateBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: Login
    display_name: ShortText = Field(title="姓名或系统名称")
    department: DepartmentCode
    roles: list[Role] = Field(min_length=1, max_length=5)

    @field_validator("roles")
    @classmethod
    def _unique(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class UserAccountCreate(_AccountCreateBase):
    """A person of a department; signs in with the password grant."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "user",
                    "login": "lishu.ecoenv.zhang",
                    "display_name": "张三",
                    "department": "220322-ecoenv",
                    "roles": ["officer"],
                }
            ]
        },
    )

    kind: Literal[AccountKind.user]
    password: Password | None = Field(
        default=None, description="Omitted, a strong password is generated and returned once."
    )


class ServiceAccountCreate(_AccountCreateBase):
    """Another government system; signs in with client credentials (a generated secret)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SERVICE_ACCOUNT_CREATE]})

    kind: Literal[AccountKind.service]


AccountCreate = Annotated[UserAccountCreate | ServiceAccountCreate, Field(discriminator="kind")]


class AccountOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [examples.ACCOUNT]}
    )

    id: uuid.UUID
    kind: AccountKind
    login: str
    display_name: str
    department: str = Field(validation_alias="department_code")
    roles: list[Role] = Field(validation_alias="role_list")
    disabled: bool
    version: int
    created_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime

    @field_validator("created_at", "updated_at", "secret_rotated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class AccountWithSecret(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACCOUNT_WITH_SECRET]})

    account: AccountOut
    secret: str = Field(description="Shown once; only its hash is stored.")


class AccountList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACCOUNT_LIST]})

    items: list[AccountOut]
    next_cursor: str | None = None


class SecretRotation(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.SECRET_ROTATION]}
    )

    password: Password | None = Field(
        default=None,
        description="For users: the new password; omitted, one is generated. A service "
        "account always gets a generated secret: a password for one is 422 "
        "`password_not_allowed`.",
    )


class TokenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TOKEN]})

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type
    expires_in: int = Field(description="Seconds until the token expires.")


class Jwks(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.JWKS]})

    keys: list[dict[str, str]]


class Me(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ME]})

    subject: str
    department: str
    department_kind: str
    jurisdiction: str
    level: str
    roles: list[Role]
    readable_jurisdictions: list[str]
    writable_jurisdictions: list[str]
