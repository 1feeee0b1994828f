"""A JSON body's booleans and numbers are taken only as what the contract says they are.

Pydantic's lax mode would take `0` and `"yes"` for `false`, `true` for `1` and `"50"` for
50, while the contract says `boolean`, `integer` or `number`: a client sending the wrong
type would see it silently converted, and contract fuzzing reports it as a
schema-violating request accepted (issue 16's fuzzing found `limit_value: false` and
`compliant: 0`). Every JSON request body of the contract is walked from its example:
each boolean and number in it is replaced by a value of another JSON type, and the
request must be 422 at that member, before anything else about it is looked at; and
each integer sent as a number without a fraction part (`22.0`, an integer to JSON
Schema) is not refused there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs

METHODS = ("post", "put", "patch")
WRONG: dict[type, tuple[Any, ...]] = {bool: (0, "true"), int: (True, "5"), float: (False, "5.5")}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _examples(document: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """Every example of a body: the media type's, else its schema's or, for a union, its
    members'."""
    if "example" in media:
        return [media["example"]]
    if media.get("examples"):
        return [e["value"] for e in media["examples"].values()]
    return _schema_examples(document, media["schema"])


def _schema_examples(document: dict[str, Any], schema: Any) -> list[Any]:
    schema = _resolve(document, schema)
    if schema.get("examples"):
        return list(schema["examples"])
    members = schema.get("oneOf", []) + schema.get("anyOf", [])
    return [example for member in members for example in _schema_examples(document, member)]


def _scalars(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _scalars(member, f"{pointer}/{_escape(key)}")
    elif isinstance(value, list):
        for i, member in enumerate(value):
            yield from _scalars(member, f"{pointer}/{i}")
    elif isinstance(value, bool | int | float):
        yield pointer, value


def _replaced(value: Any, pointer: str, new: Any) -> Any:
    parts = pointer.split("/")[1:]
    if not parts:
        return new
    head = parts[0].replace("~1", "/").replace("~0", "~")
    rest = "".join(f"/{part}" for part in parts[1:])
    if isinstance(value, list):
        index = int(head)
        return [_replaced(v, rest, new) if i == index else v for i, v in enumerate(value)]
    return {k: (_replaced(v, rest, new) if k == head else v) for k, v in value.items()}


def _path(document: dict[str, Any], template: str, operation: dict[str, Any]) -> str:
    path = template
    for parameter in operation.get("parameters", []):
        parameter = _resolve(document, parameter)
        if parameter["in"] == "path":
            kind = _resolve(document, parameter["schema"]).get("type")
            value = "2027" if kind == "integer" else str(uuid.uuid4())
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def mutations(app: FastAPI) -> Iterator[tuple[str, str, str, Any, Any]]:
    document = app.openapi()
    for template, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            media = (operation or {}).get("requestBody", {}).get("content", {})
            if "application/json" not in media:
                continue
            for body in _examples(document, media["application/json"]):
                for pointer, scalar in _scalars(body):
                    for wrong in WRONG[type(scalar)]:
                        yield method, _path(document, template, operation), pointer, body, wrong


async def _refused_at(
    caller: httpx.AsyncClient, method: str, path: str, body: Any, pointer: str
) -> tuple[bool, int]:
    answer = await caller.request(
        method,
        path,
        json=body,
        headers={"If-Match": '"1"', "Idempotency-Key": str(uuid.uuid4())},
    )
    problems = answer.json().get("errors", []) if answer.status_code == 422 else []
    return any(p.get("pointer", "").startswith(pointer) for p in problems), answer.status_code


async def test_every_boolean_and_number_of_a_json_body_takes_only_its_type(
    app: FastAPI, client_as: ClientAs
) -> None:
    caller = client_as("220300-miit", *Role)
    wrongly_taken, wrongly_refused = [], []
    count = 0
    for method, path, pointer, body, wrong in mutations(app):
        count += 1
        refused, status = await _refused_at(
            caller, method, path, _replaced(body, pointer, wrong), pointer
        )
        if not refused:
            wrongly_taken.append(f"{method.upper()} {path} {pointer}={wrong!r}: {status}")
        scalar = _at(body, pointer)
        if type(scalar) is int:
            as_float = _replaced(body, pointer, float(scalar))
            if (await _refused_at(caller, method, path, as_float, pointer))[0]:
                wrongly_refused.append(f"{method.upper()} {path} {pointer}={float(scalar)}")
    assert count > 20  # the walk found the bodies' scalars
    assert not wrongly_taken, "\n".join(wrongly_taken)
    assert not wrongly_refused, "\n".join(wrongly_refused)


def _at(value: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


@pytest.mark.parametrize(
    ("pointer", "new", "expected"),
    [
        ("/a/1/b", 7, {"a": [{"b": 1}, {"b": 7}], "x/y": 1}),
        ("/x~1y", 0, {"a": [{"b": 1}, {"b": 2}], "x/y": 0}),
    ],
)
def test_a_member_is_replaced_where_its_pointer_says(
    pointer: str, new: Any, expected: dict[str, Any]
) -> None:
    body = {"a": [{"b": 1}, {"b": 2}], "x/y": 1}
    assert _replaced(body, pointer, new) == expected


def test_the_walk_finds_every_boolean_and_number() -> None:
    assert dict(_scalars({"a": True, "b": [1, 2.5], "c": "s"})) == {
        "/a": True,
        "/b/0": 1,
        "/b/1": 2.5,
    }
