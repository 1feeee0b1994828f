"""A JSON body's booleans and numbers are taken only as what the contract says they are.

Pydantic's lax mode would take `0` and `"yes"` for `false`, `true` for `1` and `"50"` for
50, while the contract says `boolean`, `integer` or `number`: a client sending the wrong
type would see it silently converted, and contract fuzzing reports it as a
schema-violating request accepted (issue 16's fuzzing found `limit_value: false` and
`compliant: 0`). Every JSON request body of the contract is walked from its example:
each boolean and number in it is replaced by a value of another JSON type, and the
request must be 422 at that member, before anything else about it is looked at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

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


def _example(document: dict[str, Any], media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    if media.get("examples"):
        return next(iter(media["examples"].values()))["value"]
    return _resolve(document, media["schema"]).get("examples", [None])[0]


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
            body = _example(document, media["application/json"])
            for pointer, scalar in _scalars(body):
                for wrong in WRONG[type(scalar)]:
                    yield method, _path(document, template, operation), pointer, body, wrong


async def test_every_boolean_and_number_of_a_json_body_takes_only_its_type(
    app: FastAPI, client_as: ClientAs
) -> None:
    caller = client_as("220300-miit", *Role)
    accepted = []
    count = 0
    for method, path, pointer, body, wrong in mutations(app):
        count += 1
        answer = await caller.request(
            method,
            path,
            json=_replaced(body, pointer, wrong),
            headers={"If-Match": '"1"', "Idempotency-Key": str(uuid.uuid4())},
        )
        problems = answer.json().get("errors", []) if answer.status_code == 422 else []
        if not any(p.get("pointer", "").startswith(pointer) for p in problems):
            accepted.append(f"{method.upper()} {path} {pointer}={wrong!r}: {answer.status_code}")
    assert count > 20  # the walk found the bodies' scalars
    assert not accepted, "\n".join(accepted)


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
