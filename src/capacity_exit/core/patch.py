"""PATCH bodies: an absent field stays as it is; null clears only fields that may be empty.

Fields listed as not clearable are typed `X | None` in Python (absent is None) but
published in the JSON schema as plain `X`, and a null for them is a 422.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError


def reject_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("null_not_allowed", "this field cannot be cleared")
    return value


def not_nullable_in_schema(*fields: str, examples: list[dict[str, Any]] | None = None) -> Any:
    """A `json_schema_extra` that drops `null` from the given properties' schemas."""

    def adjust(schema: dict[str, Any]) -> None:
        if examples:
            schema["examples"] = examples
        for name in fields:
            prop = schema.get("properties", {}).get(name)
            if not prop or "anyOf" not in prop:
                continue
            kept = [o for o in prop["anyOf"] if o != {"type": "null"}]
            if len(kept) == 1:
                del prop["anyOf"]
                prop.update(kept[0])
            if prop.get("default", ...) is None:
                del prop["default"]

    return adjust
