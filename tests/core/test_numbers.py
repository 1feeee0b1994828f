"""`core.numbers.JSON_NUMBER` on an `int`: an integer as JSON Schema's `integer` has it."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from capacity_exit.core.numbers import JSON_NUMBER

INTEGER = TypeAdapter(Annotated[int, Field(ge=-10), JSON_NUMBER])


@pytest.mark.parametrize(("sent", "taken"), [("22", 22), ("22.0", 22), ("-3", -3)])
def test_a_number_without_a_fraction_is_an_integer(sent: str, taken: int) -> None:
    value = INTEGER.validate_json(sent)
    assert value == taken and type(value) is int


@pytest.mark.parametrize("sent", ["true", "false", '"22"', "22.5", "null", "-11"])
def test_booleans_text_and_fractions_are_not(sent: str) -> None:
    with pytest.raises(ValidationError):
        INTEGER.validate_json(sent)
    with pytest.raises(ValidationError):
        INTEGER.validate_python(TypeAdapter(object).validate_json(sent))
