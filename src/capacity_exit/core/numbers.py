"""Numbers as JSON has them, for request bodies.

JSON Schema's `integer` is any number without a fraction part, `22.0` included, and
`boolean` is `true` or `false` only. Pydantic's lax `int` takes `22.0` but also `true` and
`"22"`; its strict `int` refuses `22.0` too. An `int` annotated with `JSON_NUMBER` takes
exactly what the contract's `integer` allows; booleans and numbers elsewhere are `strict`
(a strict `float` takes an integer, as JSON's `number` does).

`JSON_NUMBER` goes after a field's constraints in `Annotated[int, Field(ge=1),
JSON_NUMBER]`: placed before them, pydantic (2.12) writes them into the JSON schema of an
optional field as `ge`/`le` instead of `minimum`/`maximum`.
"""

from __future__ import annotations

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _a_json_number(value: object) -> object:
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


JSON_NUMBER = BeforeValidator(_a_json_number)
"""On an `int`: an integer as JSON Schema has it, `22` or `22.0`, never `true` or `"22"`."""
