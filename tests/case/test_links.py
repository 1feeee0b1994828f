"""A case links to its notices and its credit pushes: by URL in `links`, and by OpenAPI
links in the contract that a client can follow without knowing the query parameters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.credit import TARGETS, FakeCredit


async def _get(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _follow(contract: dict[str, Any], link: dict[str, Any], case: dict[str, Any]) -> str:
    """The path and query an OpenAPI link of a case response leads to (query parameters
    and `$response.body#/…` expressions only: what the case links use)."""
    [(path, _)] = [
        (path, item)
        for path, item in contract["paths"].items()
        if item.get("get", {}).get("operationId") == link["operationId"]
    ]
    query = {}
    for name, value in link["parameters"].items():
        where, _, parameter = name.partition(".")
        assert where == "query", name
        if isinstance(value, str) and value.startswith("$response.body#/"):
            value = case[value.removeprefix("$response.body#/")]
        query[parameter] = str(value)
    return str(httpx.URL(path, params=query))


@pytest.mark.seed("一(二)")
async def test_a_case_links_to_its_own_notices_and_credit_pushes(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    other = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(
        owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改。"
    )
    enterprise = (await owner.get(case["links"]["enterprise"])).json()

    [notice] = await _get(owner, case["links"]["notices"])
    assert (notice["category"], notice["kind"]) == ("rectification", "publicity")
    assert notice["enterprise"]["credit_code"] == enterprise["credit_code"]
    pushes = await _get(owner, case["links"]["credit_pushes"])
    assert sorted(p["target"] for p in pushes) == sorted(code for code, _ in TARGETS)
    assert {(p["case_id"], p["trigger"]) for p in pushes} == {(case["id"], "refusal")}
    # The other case's notice is its own, and it has no pushes.
    [other_notice] = await _get(owner, other["links"]["notices"])
    assert other_notice["id"] != notice["id"]
    assert await _get(owner, other["links"]["credit_pushes"]) == []

    # The contract's links from a case answer lead to the same lists.
    contract = (await owner.get("/openapi.json")).json()
    links = contract["paths"]["/api/v1/cases/{case_id}"]["get"]["responses"]["200"]["links"]
    assert await _get(owner, _follow(contract, links["ListCaseNotices"], case)) == [notice]
    followed = await _get(owner, _follow(contract, links["ListCaseCreditPushes"], case))
    assert followed == pushes


async def test_a_withdrawn_case_still_links_to_its_withdrawn_notice(client_as: ClientAs) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(owner, case, "withdraw", reason="检查结论有误，撤回。")
    [notice] = await _get(owner, case["links"]["notices"])
    assert notice["status"] == "withdrawn"
    # Without a token too: the list is the public record.
    assert await _get(client_as(None), case["links"]["notices"]) == [notice]
