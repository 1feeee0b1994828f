"""Every request body and every 2xx answer in the contract has an example, and every
example anywhere in it validates against its schema (issue 16 item 2).

Swagger UI, ReDoc and generated clients show these examples; Redocly
(`no-invalid-media-type-examples`) and Spectral (`oas3-valid-media-example`,
`oas3-valid-schema-example`) check them. Here a real JSON Schema validator
(Draft 2020-12, the dialect of OpenAPI 3.1) checks each one, formats included, with the
contract's `$ref`s resolved; credit codes must pass the server's own checksum and dates
must be real calendar days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from fastapi import FastAPI

from capacity_exit.enterprise import credit_code

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
_ONE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_NAMED = ("properties", "patternProperties", "$defs", "dependentSchemas")
# Values that are data, not document structure: never searched for examples.
_DATA = ("default", "enum", "const", "value")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CREDIT_CODE_IN_TEXT = re.compile(r"统一社会信用代码[:：]\s*([0-9A-Z]{18})")


@dataclass(frozen=True)
class Example:
    pointer: str  # where the example is, as a JSON pointer into the contract
    value: Any
    schema: dict[str, Any]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _schema_examples(schema: Any, pointer: str) -> Iterator[Example]:
    """`examples` (a list) and `example` of a schema and of every schema inside it."""
    if not isinstance(schema, dict):
        return
    for i, value in enumerate(schema.get("examples", [])):
        yield Example(f"{pointer}/examples/{i}", value, schema)
    if "example" in schema:
        yield Example(f"{pointer}/example", schema["example"], schema)
    for key in _ONE:
        if key in schema:
            yield from _schema_examples(schema[key], f"{pointer}/{key}")
    for key in _MANY:
        for i, sub in enumerate(schema.get(key, [])):
            yield from _schema_examples(sub, f"{pointer}/{key}/{i}")
    for key in _NAMED:
        for name, sub in schema.get(key, {}).items():
            yield from _schema_examples(sub, f"{pointer}/{key}/{_escape(name)}")


def _object_examples(
    document: dict[str, Any], holder: dict[str, Any], pointer: str
) -> Iterator[Example]:
    """`example` and `examples` (Example Objects) of a parameter, header or media type,
    against its `schema`; and the examples inside that schema."""
    schema = holder.get("schema", {})
    if "example" in holder:
        yield Example(f"{pointer}/example", holder["example"], schema)
    for name, example in holder.get("examples", {}).items():
        example = _resolve(document, example)
        assert "value" in example, f"{pointer}/examples/{name}: an example needs a `value`"
        yield Example(f"{pointer}/examples/{_escape(name)}/value", example["value"], schema)
    yield from _schema_examples(schema, f"{pointer}/schema")


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def all_examples(document: dict[str, Any]) -> Iterator[Example]:
    """Every example in the contract, each with the schema it must satisfy."""
    components = document.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        yield from _schema_examples(schema, f"/components/schemas/{_escape(name)}")
    for kind in ("parameters", "headers"):
        for name, holder in components.get(kind, {}).items():
            yield from _object_examples(document, holder, f"/components/{kind}/{_escape(name)}")
    for path, item in document.get("paths", {}).items():
        base = f"/paths/{_escape(path)}"
        for i, parameter in enumerate(item.get("parameters", [])):
            yield from _object_examples(document, parameter, f"{base}/parameters/{i}")
    for path, method, operation in _operations(document):
        base = f"/paths/{_escape(path)}/{method}"
        for i, parameter in enumerate(operation.get("parameters", [])):
            yield from _object_examples(
                document, _resolve(document, parameter), f"{base}/parameters/{i}"
            )
        body = _resolve(document, operation.get("requestBody", {}))
        for media, holder in body.get("content", {}).items():
            yield from _object_examples(
                document, holder, f"{base}/requestBody/content/{_escape(media)}"
            )
        for status, response in operation.get("responses", {}).items():
            response = _resolve(document, response)
            where = f"{base}/responses/{status}"
            for name, header in response.get("headers", {}).items():
                yield from _object_examples(
                    document, _resolve(document, header), f"{where}/headers/{_escape(name)}"
                )
            for media, holder in response.get("content", {}).items():
                yield from _object_examples(document, holder, f"{where}/content/{_escape(media)}")


def example_keys(node: Any, pointer: str = "") -> Iterator[str]:
    """Every `example`/`examples` member anywhere in the document, found without knowing
    its structure: what `all_examples` must have reached."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from example_keys(item, f"{pointer}/{i}")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        here = f"{pointer}/{_escape(key)}"
        named = pointer.rsplit("/", 1)[-1] in (*_NAMED, "schemas")  # `key` is a name
        if key in ("example", "examples") and not named:
            yield here
        elif key not in _DATA and not key.startswith("x-"):
            yield from example_keys(value, here)


def _formats() -> dict[str, Any]:
    return {"gb32100-credit-code": lambda value: credit_code.validate(value) is None}


def invalid_examples(document: dict[str, Any]) -> list[str]:
    """`pointer: why` for each example its schema refuses."""
    found = []
    root = {"components": document.get("components", {})}
    for example in all_examples(document):
        validator = jsonschema_rs.Draft202012Validator(
            {**example.schema, **root},
            validate_formats=True,
            ignore_unknown_formats=False,
            formats=_formats(),
        )
        for error in validator.iter_errors(example.value):
            at = "".join(f"/{_escape(str(part))}" for part in error.instance_path)
            found.append(f"{example.pointer}: {error.message}" + (f" (at {at})" if at else ""))
    return found


def _has_example(document: dict[str, Any], holder: dict[str, Any]) -> bool:
    if holder.get("example") is not None or holder.get("examples"):
        return True
    return _schema_has_example(document, holder.get("schema", {}))


def _schema_has_example(document: dict[str, Any], schema: Any) -> bool:
    """The schema's own examples (after `$ref`), or, for a union, every branch's."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return False
    if schema.get("examples") or "example" in schema:
        return True
    branches: list[Any] = schema.get("oneOf") or schema.get("anyOf") or []
    return bool(branches) and all(_schema_has_example(document, b) for b in branches)


def without_examples(document: dict[str, Any]) -> list[str]:
    """`METHOD path: where` for each request body and 2xx answer without an example."""
    missing = []
    for path, method, operation in _operations(document):
        name = f"{method.upper()} {path}"
        body = _resolve(document, operation.get("requestBody", {}))
        for media, holder in body.get("content", {}).items():
            if not _has_example(document, holder):
                missing.append(f"{name}: request body {media}")
        for status, response in operation.get("responses", {}).items():
            if not status.startswith("2"):
                continue
            for media, holder in _resolve(document, response).get("content", {}).items():
                if not _has_example(document, holder):
                    missing.append(f"{name}: {status} {media}")
    return missing


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str):
        yield key, node


def implausible_values(document: dict[str, Any]) -> list[str]:
    """Credit codes that fail the server's checksum and dates that are not calendar days,
    wherever they are in an example: in free-form content and text too."""
    found = []
    for example in all_examples(document):
        for key, text in _strings(example.value):
            codes = _CREDIT_CODE_IN_TEXT.findall(text)
            if "credit_code" in key:
                codes.append(text)
            for code in codes:
                if (error := credit_code.validate(code)) is not None:
                    found.append(f"{example.pointer}: credit code {code}: {error.message}")
            if _ISO_DATE.match(text):
                try:
                    dt.date.fromisoformat(text)
                except ValueError:
                    found.append(f"{example.pointer}: {text} is not a date")
    return found


def _report(problems: list[str]) -> str:
    return "\n".join(problems)


# --- the contract ----------------------------------------------------------------------


def test_every_request_body_and_success_answer_has_an_example(app: FastAPI) -> None:
    missing = without_examples(app.openapi())
    assert not missing, "no example (give the model `examples`):\n" + _report(missing)


def test_every_example_validates_against_its_schema(app: FastAPI) -> None:
    document = app.openapi()
    assert sum(1 for _ in all_examples(document)) > 60  # the walk reaches them
    invalid = invalid_examples(document)
    assert not invalid, "examples the schema refuses:\n" + _report(invalid)


def test_the_walk_reaches_every_example_in_the_contract(app: FastAPI) -> None:
    document = app.openapi()
    checked = {example.pointer for example in all_examples(document)}
    # An `examples` map holds Example Objects: what is checked is each one's value.
    everywhere = set(example_keys(document))
    unreached = sorted(
        pointer
        for pointer in everywhere
        if pointer not in checked
        and not any(c.startswith(f"{pointer}/") for c in checked)
        and _resolve_pointer(document, pointer) not in ([], {})
    )
    assert not unreached, "examples not checked:\n" + _report(unreached)


def _resolve_pointer(document: dict[str, Any], pointer: str) -> Any:
    return _resolve(document, {"$ref": f"#{pointer}"})


def test_example_credit_codes_and_dates_are_real(app: FastAPI) -> None:
    implausible = implausible_values(app.openapi())
    assert not implausible, _report(implausible)


# --- the checks themselves -------------------------------------------------------------


def _document(schema_extra: dict[str, Any], media_extra: dict[str, Any]) -> dict[str, Any]:
    """A one-operation contract whose answer schema is `Thing`."""
    thing = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "on": {"type": "string", "format": "date"},
            "credit_code": {"type": "string", "format": "gb32100-credit-code"},
        },
        "required": ["id"],
        **schema_extra,
    }
    media = {"schema": {"$ref": "#/components/schemas/Thing"}, **media_extra}
    return {
        "openapi": "3.1.0",
        "paths": {
            "/things": {"get": {"responses": {"200": {"content": {"application/json": media}}}}}
        },
        "components": {"schemas": {"Thing": thing}},
    }


GOOD = {"id": "01a23573-6527-76a8-b70c-48682a5d395d", "on": "2026-11-30"}


def test_the_checks_find_a_missing_example() -> None:
    assert without_examples(_document({}, {})) == ["GET /things: 200 application/json"]
    assert without_examples(_document({"examples": [GOOD]}, {})) == []
    assert without_examples(_document({}, {"examples": {"one": {"value": GOOD}}})) == []


def test_the_checks_find_an_invalid_example() -> None:
    assert invalid_examples(_document({"examples": [GOOD]}, {})) == []
    for bad in (
        {"on": "2026-11-30"},  # `id` missing
        {**GOOD, "id": "01a23573-6527"},  # not a UUID
        {**GOOD, "on": "2026-02-30"},  # not a calendar day
        {**GOOD, "credit_code": "91220322MA0Y8K2L0D"},  # wrong check character
    ):
        assert invalid_examples(_document({}, {"example": bad})), bad
        assert invalid_examples(_document({"examples": [bad]}, {})), bad


def test_the_checks_find_implausible_values_in_free_text() -> None:
    text = {"content": {"note": "统一社会信用代码：91220322MA0Y8K2L0D", "due": "2026-11-31"}}
    document = _document({"properties": {"content": {"type": "object"}}}, {"example": text})
    assert len(implausible_values(document)) == 2
