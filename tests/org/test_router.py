from __future__ import annotations

import httpx
import pytest

from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE

COUNTIES = {"220302", "220303", "220322", "220323", "220382"}
MEMBER_KINDS = {
    "drc", "miit", "natres", "ecoenv", "emergency", "market",
    "tax", "finance", "energy", "sasac", "hrss",
}  # fmt: skip


async def test_jurisdictions_list_the_city_and_its_current_counties(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/jurisdictions")
    assert response.status_code == 200
    items = {j["code"]: j for j in response.json()["items"]}
    assert items["220300"]["name"] == "四平市"
    assert items["220300"]["level"] == "city"
    counties = {c for c, j in items.items() if j["parent_code"] == "220300"}
    assert counties == COUNTIES
    assert "220381" not in items


async def test_retired_code_is_kept_as_history(client: httpx.AsyncClient) -> None:
    listed = await client.get("/api/v1/jurisdictions", params={"include_retired": True})
    assert "220381" in {j["code"] for j in listed.json()["items"]}
    gongzhuling = (await client.get("/api/v1/jurisdictions/220381")).json()
    assert gongzhuling["status"] == "retired"
    assert gongzhuling["successor_code"] == "220184"
    assert gongzhuling["retired_year"] == 2020


async def test_filter_jurisdictions_by_level_and_parent(client: httpx.AsyncClient) -> None:
    counties = await client.get(
        "/api/v1/jurisdictions", params={"level": "county", "parent": "220300"}
    )
    assert {j["code"] for j in counties.json()["items"]} == COUNTIES


async def test_county_departments_are_the_member_units_and_the_government(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/departments", params={"jurisdiction": "220322"})
    assert response.status_code == 200
    items = response.json()["items"]
    kinds = {d["kind"] for d in items}
    assert kinds == MEMBER_KINDS | {"gov"}
    assert all(d["code"] == f"220322-{d['kind']}" for d in items)
    by_kind = {d["kind"]: d for d in items}
    assert by_kind["miit"]["is_lead"] is True
    assert sum(d["is_lead"] for d in items) == 1
    assert by_kind["gov"]["is_member_unit"] is False
    assert by_kind["gov"]["name"] == "梨树县人民政府"
    assert by_kind["ecoenv"]["name"] == "梨树县生态环境局"


async def test_filter_departments_by_kind_across_levels(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/departments", params={"kind": "miit"})
    codes = {d["code"] for d in response.json()["items"]}
    assert codes == {f"{c}-miit" for c in COUNTIES | {"220300", "220000"}}


async def test_get_department(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/departments/220300-drc")
    assert response.status_code == 200
    assert response.json()["name"] == "四平市发展和改革委员会"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/jurisdictions/999999", 404),
        ("/api/v1/jurisdictions/22x", 422),
        ("/api/v1/departments/220322-nope", 404),
        ("/api/v1/departments?kind=police", 422),
    ],
)
async def test_unknown_or_malformed_codes(client: httpx.AsyncClient, url: str, status: int) -> None:
    response = await client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE


async def test_province_departments_read_but_are_not_member_units(
    client: httpx.AsyncClient,
) -> None:
    items = (await client.get("/api/v1/departments", params={"jurisdiction": "220000"})).json()
    by_kind = {d["kind"]: d for d in items["items"]}
    assert by_kind["miit"]["name"] == "吉林省工业和信息化厅"
    assert by_kind["energy"]["name"] == "吉林省能源局"
    assert not any(d["is_member_unit"] for d in items["items"])


async def test_reference_data_needs_a_token(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/api/v1/departments")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
