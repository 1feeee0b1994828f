"""A body in a media type the operation does not take is 415, naming what it takes."""

from __future__ import annotations

import json

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures.cases import open_case
from tests.fixtures.factories import enterprise_body

PROBLEM = "application/problem+json"
ENTERPRISES = "/api/v1/enterprises"
TOKEN = "/api/v1/auth/token"


def _assert_415(response: httpx.Response, accepted: list[str]) -> None:
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert body["type"] == "urn:capacity-exit:problem:unsupported_media_type"
    assert body["accepted_media_types"] == accepted
    for media_type in accepted:
        assert media_type in body["detail"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonx",
        "garbage",
    ],
)
async def test_a_json_operation_refuses_another_media_type(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        ENTERPRISES,
        content=json.dumps(enterprise_body()).encode(),
        headers={"content-type": content_type},
    )
    _assert_415(response, ["application/json", "application/*+json"])
    assert response.headers["accept-post"] == "application/json, application/*+json"
    # Nothing was created.
    assert (await client.get(ENTERPRISES)).json()["items"] == []


async def test_a_body_without_content_type_is_415(client: httpx.AsyncClient) -> None:
    """FastAPI would not parse it as JSON (strict content type), and validating the raw
    bytes said 422 "Input should be a valid dictionary": the label, not the content, is
    what is wrong."""
    response = await client.post(ENTERPRISES, content=json.dumps(enterprise_body()).encode())
    assert "content-type" not in response.request.headers
    _assert_415(response, ["application/json", "application/*+json"])
    assert "named none" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.capacity-exit+json",
    ],
)
async def test_json_and_structured_json_types_are_taken(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        ENTERPRISES,
        content=json.dumps(enterprise_body()).encode(),
        headers={"content-type": content_type},
    )
    assert response.status_code == 201, response.text


async def test_a_wrong_type_with_invalid_content_is_still_415(client: httpx.AsyncClient) -> None:
    """The label is checked before the content: the client learns the first thing to fix."""
    response = await client.post(
        ENTERPRISES, content=b"name=x", headers={"content-type": "text/plain"}
    )
    _assert_415(response, ["application/json", "application/*+json"])


async def test_an_empty_body_is_judged_by_its_content(client: httpx.AsyncClient) -> None:
    """No body, no media type to refuse: the missing body is the 422."""
    response = await client.post(ENTERPRISES, headers={"content-type": "text/plain"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


async def test_an_anonymous_caller_is_refused_before_the_media_type(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.post(
        ENTERPRISES, content=b"x", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 401


async def test_patch_takes_merge_patch_json_and_refuses_text(client_as: ClientAs) -> None:
    """A draft edit is a JSON merge patch in all but name (a field given replaces, null
    clears, absent stays): `application/merge-patch+json` is taken, like any +json."""
    officer = client_as("220322-ecoenv", Role.officer)
    case = await open_case(officer, "illegal")
    url = f"/api/v1/cases/{case['id']}"
    edit = json.dumps(
        {"category": "illegal", "handling_basis": "《环境影响评价法》第三十二条"}
    ).encode()
    refused = await officer.patch(
        url,
        content=edit,
        headers={"content-type": "text/plain", "If-Match": f'"{case["version"]}"'},
    )
    _assert_415(refused, ["application/json", "application/*+json"])
    assert refused.headers["accept-patch"] == "application/json, application/*+json"
    taken = await officer.patch(
        url,
        content=edit,
        headers={
            "content-type": "application/merge-patch+json",
            "If-Match": f'"{case["version"]}"',
        },
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["payload"]["handling_basis"] == "《环境影响评价法》第三十二条"


async def test_the_token_endpoint_takes_a_form_and_refuses_json(
    anonymous: httpx.AsyncClient,
) -> None:
    """OAuth 2.0's token request is a form (RFC 6749, 4.4.2): JSON there is 415 too."""
    refused = await anonymous.post(TOKEN, json={"grant_type": "client_credentials"})
    _assert_415(refused, ["application/x-www-form-urlencoded"])
    assert refused.headers["accept-post"] == "application/x-www-form-urlencoded"
    form = await anonymous.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    )
    assert form.status_code != 415, form.text
