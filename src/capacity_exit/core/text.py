"""String types for request models.

Every free-text field is bounded and refuses NUL and other control characters, so bad
input is a 422 with a clear code instead of a database error. The same rules are in
the JSON schema (`pattern`), so clients and contract fuzzers see them too.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# One line: no control characters at all; at least one visible character.
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# Paragraphs: tabs and line breaks allowed, other control characters not.
# (The visible character is a class of its own: a bare \S would admit control characters.)
PARAGRAPH_PATTERN = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*"
    r"[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
    r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
)

_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PARAGRAPH_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _checked(value: str, control: re.Pattern[str], pattern: re.Pattern[str], allowed: str) -> str:
    if control.search(value):
        raise PydanticCustomError(
            "control_character",
            "must not contain NUL or other control characters" + allowed,
        )
    # The published pattern decides "blank", so clients, fuzzers and server agree.
    if not pattern.match(value):
        raise PydanticCustomError("blank", "must not be blank")
    return value.strip()


_LINE = re.compile(LINE_PATTERN)
_PARAGRAPH = re.compile(PARAGRAPH_PATTERN)


def check_line(value: str) -> str:
    return _checked(value, _LINE_CONTROL, _LINE, "")


def check_paragraph(value: str) -> str:
    return _checked(value, _PARAGRAPH_CONTROL, _PARAGRAPH, " (tabs and line breaks are allowed)")


def _schema(pattern: str, **extra: Any) -> dict[str, Any]:
    return {"pattern": pattern, **extra}


Name = Annotated[
    str,
    Field(min_length=1, max_length=200, json_schema_extra=_schema(LINE_PATTERN)),
    AfterValidator(check_line),
]
ShortText = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra=_schema(LINE_PATTERN)),
    AfterValidator(check_line),
]
Address = Annotated[
    str,
    Field(min_length=1, max_length=500, json_schema_extra=_schema(LINE_PATTERN)),
    AfterValidator(check_line),
]
Paragraph = Annotated[
    str,
    Field(min_length=1, max_length=20_000, json_schema_extra=_schema(PARAGRAPH_PATTERN)),
    AfterValidator(check_paragraph),
]
# Search terms in query strings.
SearchTerm = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra=_schema(LINE_PATTERN)),
    AfterValidator(check_line),
]
