r"""String types for request models.

Every free-text field is bounded and refuses NUL and other control characters, so bad
input is a 422 with a clear code instead of a database error. The same rules are in
the JSON schema (`pattern`), so clients and contract fuzzers see them too.

Text that deceives (issue 14): a name or title that displays differently from what it
is. One-line fields (names, titles, addresses, search terms) refuse bidirectional
controls (embeddings, overrides, isolates, marks) and invisible characters (zero-width
spaces and joiners, word joiner, BOM, soft hyphen, fillers, line separators), because
they are compared and searched as well as read: "某某公司" and "某某\u200b公司" look
alike and are two enterprises. Paragraphs (facts, reasons, findings) are read, not
compared: they refuse only what changes what a reader sees, the bidirectional controls
(a right-to-left override reverses "罚款10000元" on screen) and interlinear annotations
(hidden text); zero-width characters pasted from word processors are kept. None of these
is needed to write Chinese, Latin letters, digits or units. Variation selectors stay
allowed (CJK ideographic variants). The sets are written as `\uXXXX` escapes, which
ECMA-262, Python and Rust regular expressions all read alike; characters beyond the BMP
(tag characters) cannot be named portably in a JSON-schema pattern and are not refused.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# C0 and C1 control characters; paragraphs also allow tab, line feed and carriage return.
_LINE_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_PARAGRAPH_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Bidirectional controls: ALM, LRM, RLM, embeddings and overrides (LRE RLE PDF LRO RLO),
# isolates (LRI RLI FSI PDI): they reorder what is displayed.
BIDI_CONTROLS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Interlinear annotation anchors: text between them may not be displayed at all.
_HIDING = r"\ufff9-\ufffb"
# Invisible characters: soft hyphen, combining grapheme joiner, Hangul fillers, Khmer
# inherent vowels, zero-width space / non-joiner / joiner, line and paragraph separators,
# word joiner and invisible operators, deprecated format characters, BOM (zero-width
# no-break space).
_INVISIBLE = (
    r"\u00ad\u034f\u115f\u1160\u17b4\u17b5\u200b-\u200d\u2028\u2029"
    r"\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0"
)
LINE_DECEPTIVE = BIDI_CONTROLS + _INVISIBLE + _HIDING
PARAGRAPH_DECEPTIVE = BIDI_CONTROLS + _HIDING

_LINE_REFUSED = _LINE_CONTROLS + LINE_DECEPTIVE
_PARAGRAPH_REFUSED = _PARAGRAPH_CONTROLS + PARAGRAPH_DECEPTIVE
# One line: no control or deceptive characters at all; at least one visible character.
# (The visible character is a class of its own: a bare \S would admit control characters.)
LINE_PATTERN = rf"^[^{_LINE_REFUSED}]*[^\s{_LINE_REFUSED}][^{_LINE_REFUSED}]*$"
# Paragraphs: tabs and line breaks allowed, other control characters not.
PARAGRAPH_PATTERN = rf"^[^{_PARAGRAPH_REFUSED}]*[^\s{_PARAGRAPH_REFUSED}][^{_PARAGRAPH_REFUSED}]*$"

_LINE_CONTROL = re.compile(f"[{_LINE_CONTROLS}]")
_PARAGRAPH_CONTROL = re.compile(f"[{_PARAGRAPH_CONTROLS}]")
_LINE_DECEIT = re.compile(f"[{LINE_DECEPTIVE}]")
_PARAGRAPH_DECEIT = re.compile(f"[{PARAGRAPH_DECEPTIVE}]")


def _checked(
    value: str,
    control: re.Pattern[str],
    deceit: re.Pattern[str],
    pattern: re.Pattern[str],
    allowed: str,
) -> str:
    if control.search(value):
        raise PydanticCustomError(
            "control_character",
            "must not contain NUL or other control characters" + allowed,
        )
    if found := deceit.search(value):
        raise PydanticCustomError(
            "deceptive_character",
            "must not contain characters that change how the text displays: bidirectional "
            "controls or invisible characters (U+{code} at index {index})",
            {"code": f"{ord(found.group()):04X}", "index": found.start()},
        )
    # The published pattern decides "blank", so clients, fuzzers and server agree.
    if not pattern.match(value):
        raise PydanticCustomError("blank", "must not be blank")
    return value.strip()


_LINE = re.compile(LINE_PATTERN)
_PARAGRAPH = re.compile(PARAGRAPH_PATTERN)


def check_line(value: str) -> str:
    return _checked(value, _LINE_CONTROL, _LINE_DECEIT, _LINE, "")


def check_paragraph(value: str) -> str:
    return _checked(
        value,
        _PARAGRAPH_CONTROL,
        _PARAGRAPH_DECEIT,
        _PARAGRAPH,
        " (tabs and line breaks are allowed)",
    )


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
