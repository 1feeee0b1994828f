"""Column types shared by the domains' models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class EnumString(TypeDecorator[E]):
    """A `StrEnum` column stored as its member's value in a `VARCHAR(length)`.

    The DDL and the stored strings are exactly those of `String(length)` (no native
    enum type, no CHECK constraint), so a `String` column switches to it without a
    migration. Reads return the member; writes take a member or its value and refuse
    any other string, so a misspelt state fails loudly instead of matching nothing.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self.length = length  # with `enum`, the statement cache's key

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum
