from __future__ import annotations

import asyncio

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.core.pagination import encode_cursor
from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE
from capacity_exit.enterprise.credit_code import complete
from tests.conftest import ClientAs
from tests.fixtures.factories import credit_code, enterprise_body

URL = "/api/v1/enterprises"


async def _create(client: httpx.AsyncClient, **overrides: object) -> httpx.Response:
    response = await client.post(URL, json=enterprise_body(**overrides))
    assert response.status_code == 201, response.text
    return response


async def test_standard_example_code_is_refused_naming_the_check_character(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(URL, json=enterprise_body(credit_code="91350100M000100Y4Z"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["status"] == 422
    [error] = problem["errors"]
    assert error["pointer"] == "/credit_code"
    assert error["code"] == "credit_code_checksum"
    assert "check character" in error["detail"]


async def test_register_then_duplicate_is_409(client: httpx.AsyncClient) -> None:
    body = enterprise_body(credit_code="914403001922038216")
    created = await client.post(URL, json=body)
    assert created.status_code == 201
    enterprise = created.json()
    assert enterprise["credit_code"] == "914403001922038216"
    assert enterprise["jurisdiction"] == "220322"
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"].endswith(f"/api/v1/enterprises/{enterprise['id']}")

    again = await client.post(URL, json=body)
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert again.json()["code"] == "credit_code_taken"
    assert again.json()["existing_id"] == enterprise["id"]

    fetched = await client.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == enterprise


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "水泥\x00厂", "control_character"),
        ("name", "x" * 201, "string_too_long"),
        ("name", "   ", "blank"),
        ("address", "a\nb", "control_character"),
        ("jurisdiction", "22032", "string_pattern_mismatch"),
        ("credit_code", "91440300I92203821X", "credit_code_charset"),
        ("status", "published", "extra_forbidden"),
        ("id", "01a21fb6-64a4-7516-853c-72a5cdea29eb", "extra_forbidden"),
    ],
)
async def test_bad_fields_are_422_with_a_pointer(
    client: httpx.AsyncClient, field: str, value: str, code: str
) -> None:
    response = await client.post(URL, json=enterprise_body(**{field: value}))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert {"pointer": f"/{field}", "code": code} in [
        {"pointer": e["pointer"], "code": e["code"]} for e in errors
    ]


@pytest.mark.parametrize("jurisdiction", ["220381", "220000", "110000"])
async def test_enterprise_must_belong_to_a_current_city_or_county(
    client: httpx.AsyncClient, jurisdiction: str
) -> None:
    response = await client.post(URL, json=enterprise_body(jurisdiction=jurisdiction))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_jurisdiction"


async def test_code_from_a_retired_division_registers(client: httpx.AsyncClient) -> None:
    # 公主岭 (220381) left Siping in 2020; codes registered there stay valid.
    await _create(client, credit_code=complete("9122038100000077"))


async def test_list_filters(client: httpx.AsyncClient, client_as: ClientAs) -> None:
    shuangliao = client_as("220382-ecoenv", Role.officer)
    city = client_as("220300-ecoenv", Role.viewer)
    cement = (await _create(client, name="四平水泥厂")).json()
    steel = (await _create(shuangliao, name="双辽钢铁厂", jurisdiction="220382")).json()

    by_jurisdiction = (await city.get(URL, params={"jurisdiction": "220382"})).json()
    assert [e["id"] for e in by_jurisdiction["items"]] == [steel["id"]]

    by_name = (await city.get(URL, params={"name_contains": "水泥"})).json()
    assert [e["id"] for e in by_name["items"]] == [cement["id"]]

    by_code = (await city.get(URL, params={"credit_code": steel["credit_code"]})).json()
    assert [e["id"] for e in by_code["items"]] == [steel["id"]]

    # LIKE wildcards in the search term are literal.
    assert (await city.get(URL, params={"name_contains": "%"})).json()["items"] == []


async def test_scope_county_sees_its_own_city_sees_its_counties(
    client: httpx.AsyncClient, client_as: ClientAs
) -> None:
    lishu = (await _create(client)).json()
    tiexi = (await _create(client_as("220302-ecoenv", Role.officer), jurisdiction="220302")).json()

    listed = (await client.get(URL)).json()["items"]
    assert [e["id"] for e in listed] == [lishu["id"]]
    assert (await client.get(f"{URL}/{tiexi['id']}")).status_code == 404
    refused = await client.patch(
        f"{URL}/{tiexi['id']}", json={"address": "x"}, headers={"If-Match": '"1"'}
    )
    assert refused.status_code == 404

    city = client_as("220300-ecoenv", Role.officer)
    assert {e["id"] for e in (await city.get(URL)).json()["items"]} == {lishu["id"], tiexi["id"]}
    # The city reviews its counties' records but acts at city level.
    forbidden = await city.patch(
        f"{URL}/{tiexi['id']}", json={"address": "x"}, headers={"If-Match": '"1"'}
    )
    assert forbidden.status_code == 403
    assert (await city.post(URL, json=enterprise_body(jurisdiction="220302"))).status_code == 403
    assert (await city.post(URL, json=enterprise_body(jurisdiction="220300"))).status_code == 201

    # The province reads everything below it and acts on nothing.
    province = client_as("220000-miit", Role.viewer, Role.officer)
    assert (await province.get(f"{URL}/{tiexi['id']}")).status_code == 200
    assert (
        await province.post(URL, json=enterprise_body(jurisdiction="220302"))
    ).status_code == 403


async def test_cursor_pagination_walks_every_enterprise_once(client: httpx.AsyncClient) -> None:
    ids = [(await _create(client)).json()["id"] for _ in range(5)]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2, "jurisdiction": "220322"}
    while True:
        page = (await client.get(URL, params=params)).json()
        seen.extend(e["id"] for e in page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == ids


async def test_cursor_is_bound_to_its_filters(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await _create(client)
    first = (await client.get(URL, params={"limit": 1, "jurisdiction": "220322"})).json()
    other = await client.get(URL, params={"limit": 1, "cursor": first["next_cursor"]})
    assert other.status_code == 422
    assert other.json()["code"] == "invalid_cursor"
    forged = await client.get(URL, params={"cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422


async def test_limit_above_cap_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"limit": 201})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "limit"


async def test_patch_requires_if_match_and_the_current_version(client: httpx.AsyncClient) -> None:
    created = await _create(client)
    url = created.headers["location"]

    missing = await client.patch(url, json={"address": "新地址"})
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM_MEDIA_TYPE

    stale = await client.patch(url, json={"address": "新地址"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412

    weak = await client.patch(url, json={"address": "新地址"}, headers={"If-Match": 'W/"1"'})
    assert weak.status_code == 412

    ok = await client.patch(url, json={"address": "新地址"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"'
    assert ok.json()["address"] == "新地址"
    assert ok.json()["version"] == 2

    replay = await client.patch(url, json={"address": "又一个"}, headers={"If-Match": '"1"'})
    assert replay.status_code == 412
    assert (await client.get(url)).json()["address"] == "新地址"


async def test_patch_cannot_clear_required_fields_or_take_a_used_code(
    client: httpx.AsyncClient,
) -> None:
    first = await _create(client)
    second = await _create(client)
    url = second.headers["location"]
    cleared = await client.patch(url, json={"name": None}, headers={"If-Match": '"1"'})
    assert cleared.status_code == 422
    taken = await client.patch(
        url, json={"credit_code": first.json()["credit_code"]}, headers={"If-Match": '"1"'}
    )
    assert taken.status_code == 409
    assert (await client.get(url)).json()["version"] == 1


async def test_concurrent_patches_at_one_version_exactly_one_wins(
    client: httpx.AsyncClient,
) -> None:
    url = (await _create(client)).headers["location"]
    results = await asyncio.gather(
        *(
            client.patch(url, json={"address": f"地址{i}"}, headers={"If-Match": '"1"'})
            for i in range(4)
        )
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 412, 412, 412]
    final = (await client.get(url)).json()
    assert final["version"] == 2
    winner = next(r for r in results if r.status_code == 200)
    assert final["address"] == winner.json()["address"]


async def test_unknown_enterprise_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{URL}/01a21fb6-64a4-7516-853c-72a5cdea29eb")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    bad_id = await client.get(f"{URL}/not-a-uuid")
    assert bad_id.status_code == 422


async def test_fresh_codes_do_not_collide() -> None:
    assert credit_code() != credit_code()


async def test_a_cursor_with_a_forged_position_is_422_not_500(client: httpx.AsyncClient) -> None:
    # The filter digest is not secret, so a client can build a well-formed cursor whose
    # position is garbage: it must be refused like any other foreign cursor.
    filters = {"jurisdiction": None, "name_contains": None, "credit_code": None}
    forged = encode_cursor("not-a-uuid", filters)
    response = await client.get(URL, params={"cursor": forged})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"
    audit = await client.get(
        "/api/v1/audit-events",
        params={
            "cursor": encode_cursor(
                "7", {k: None for k in ("object_type", "object_id", "subject", "since", "until")}
            )
        },
    )
    assert audit.status_code == 422
