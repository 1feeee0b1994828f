"""Numbers as JSON has them, for request bodies.

JSON Schema's `integer` is any number without a fraction part, `22.0` included, and
`boolean` is `true` or `false` only. Pydantic's lax `int` takes `22.0` but also `true` and
`"22"`; its strict `int` refuses `22.0` too. `JsonInt` takes exactly what the contract's
`integer` allows; booleans and numbers elsewhere are `strict` (a strict `float` takes an
integer, as JSON's `number` does).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _a_json_number(value: object) -> object:
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_a_json_number)]
"""An integer as JSON Schema has it: `22` or `22.0`, never `true` or `"22"`."""
