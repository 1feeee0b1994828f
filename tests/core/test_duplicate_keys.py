"""A JSON body that names a member twice is refused (issue 14, item 9): two readers of
it (a gateway that checks the first `jurisdiction`, a service that acts on the last)
would otherwise see two different requests."""

from __future__ import annotations

import json

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.core.json_body import duplicate_pointers
from tests.conftest import ClientAs
from tests.fixtures.factories import enterprise_body

JSON = {"content-type": "application/json"}


def _with_duplicate(body: dict[str, object], name: str, first: object) -> str:
    """`body` serialised with `name` given twice: `first`, then the body's own value."""
    encoded = json.dumps(body, ensure_ascii=False)
    return "{" + f"{json.dumps(name)}: {json.dumps(first, ensure_ascii=False)}, " + encoded[1:]


def _refused(response: httpx.Response, *pointers: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "duplicate_key"
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        (p, "duplicate_key") for p in pointers
    ]


async def test_a_duplicated_member_is_refused_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    body = enterprise_body()
    # The first `jurisdiction` is another county's; the last, the caller's own.
    sent = _with_duplicate(body, "jurisdiction", "220302")
    response = await client.post("/api/v1/enterprises", content=sent, headers=JSON)
    _refused(response, "/jurisdiction")
    listed = await client.get("/api/v1/enterprises", params={"limit": 200})
    assert body["credit_code"] not in {e["credit_code"] for e in listed.json()["items"]}


async def test_duplicates_are_found_at_any_depth(client_as: ClientAs) -> None:
    admin = client_as("220300-miit", Role.admin)
    sent = (
        '{"notice": "测试通知〔2027〕1号", "holidays": ['
        '{"date": "2027-01-01", "name": "元旦"},'
        '{"date": "2027-01-04", "name": "元旦", "date": "2027-01-05"}],'
        '"adjusted_workdays": []}'
    )
    response = await admin.put(
        "/api/v1/calendar/years/2027", content=sent, headers={**JSON, "If-Match": '"0"'}
    )
    _refused(response, "/holidays/1/date")


async def test_an_unauthenticated_caller_is_told_401_first(anonymous: httpx.AsyncClient) -> None:
    sent = _with_duplicate(enterprise_body(), "name", "x")
    response = await anonymous.post("/api/v1/enterprises", content=sent, headers=JSON)
    assert response.status_code == 401


async def test_media_types_with_a_json_suffix_are_checked(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v1/enterprises", json=enterprise_body())
    assert created.status_code == 201, created.text
    response = await client.patch(
        f"/api/v1/enterprises/{created.json()['id']}",
        content='{"industry": "钢铁", "industry": "水泥"}',
        headers={"content-type": "application/merge-patch+json", "If-Match": '"1"'},
    )
    _refused(response, "/industry")


async def test_bodies_without_duplicates_and_other_requests_pass(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    # The same name in two different objects is no duplicate.
    created = await client.post("/api/v1/enterprises", json=enterprise_body())
    assert created.status_code == 201, created.text
    # Form posts (the token endpoint) are not JSON: the field names there are the form's.
    token = await anonymous.post(
        "/api/v1/auth/token",
        content="grant_type=password&grant_type=password",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert token.status_code != 422 or token.json()["code"] != "duplicate_key"
    assert (await anonymous.get("/api/v1/calendar/days/2025-10-01")).status_code == 200


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ('{"a": 1, "b": 2}', []),
        ('{"a": {"x": 1}, "b": {"x": 2}}', []),
        ('{"a": 1, "a": 2}', ["/a"]),
        ('{"a": 1, "a": 2, "a": 3, "b": 0, "b": 0}', ["/a", "/b"]),
        ('[{"k": 1}, {"k": 1, "k": 2}]', ["/1/k"]),
        (
            '{"p": {"q": [0, {"r/s": 1, "r/s": 2, "t~": {"u": 1, "u": 1}}]}}',
            ["/p/q/1/r~1s", "/p/q/1/t~0/u"],
        ),
        ('{"o": {"t~": {"u": 1, "u": 1}}}', ["/o/t~0/u"]),
        ('{"x": [], "y": {}, "x": []}', ["/x"]),
        ("[]", []),
        ('"text"', []),
    ],
)
def test_pointers_name_each_duplicated_member(body: str, pointers: list[str]) -> None:
    assert duplicate_pointers(body) == pointers


def test_deep_documents_do_not_recurse() -> None:
    depth = 500  # json.loads' own limit is about 1000 levels
    body = '{"a": ' * depth + '{"b": 1, "b": 2}' + "}" * depth
    assert duplicate_pointers(body) == ["/a" * depth + "/b"]
