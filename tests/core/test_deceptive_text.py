"""Text that deceives (issue 14, item 9): names and titles that display differently from
what they are are refused with 422, a pointer and `deceptive_character`; the rule is in
the published schema's pattern, so clients and fuzzers see it too."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.core.text import LINE_PATTERN, PARAGRAPH_PATTERN
from tests.conftest import ClientAs
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

CITY_ADMIN = "220300-miit"
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
ZWSP, ZWJ, WJ, BOM = "\u200b", "\u200d", "\u2060", "\ufeff"
# A name that displays as "梨树县某某水泥有限公司" only with the override: what is stored
# reads otherwise, and searching for what is displayed does not find it.
TROJAN_NAME = f"梨树县某某{RLO}司公限有泥水{PDF}"
DECEPTIVE = [RLO, PDF, LRI, PDI, "\u200e", "\u200f", "\u061c", ZWSP, ZWJ, WJ, BOM, "\u00ad"]


def _deceptive(response: httpx.Response, pointer: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problems = response.json()["errors"]
    assert {"pointer": pointer, "code": "deceptive_character"} in [
        {"pointer": p.get("pointer"), "code": p["code"]} for p in problems
    ], problems


@pytest.mark.parametrize("char", DECEPTIVE, ids=lambda c: f"U+{ord(c):04X}")
async def test_an_enterprise_name_with_a_deceptive_character_is_refused(
    client: httpx.AsyncClient, char: str
) -> None:
    response = await client.post(
        "/api/v1/enterprises", json=enterprise_body(name=f"梨树县某某{char}水泥有限公司")
    )
    _deceptive(response, "/name")


async def test_trojan_source_in_the_registry_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.post("/api/v1/enterprises", json=enterprise_body(name=TROJAN_NAME))
    _deceptive(refused, "/name")
    representative = await client.post(
        "/api/v1/enterprises", json=enterprise_body(legal_representative=f"张{ZWSP}三")
    )
    _deceptive(representative, "/legal_representative")
    listed = await client.get("/api/v1/enterprises", params={"limit": 200})
    assert all(
        not re.search(f"[{RLO}{PDF}{ZWSP}]", e["name"] + (e.get("legal_representative") or ""))
        for e in listed.json()["items"]
    )


async def test_a_patch_cannot_bring_one_in_either(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v1/enterprises", json=enterprise_body())
    assert created.status_code == 201, created.text
    patched = await client.patch(
        f"/api/v1/enterprises/{created.json()['id']}",
        json={"name": TROJAN_NAME},
        headers={"If-Match": created.headers["etag"]},
    )
    _deceptive(patched, "/name")


async def test_account_names_are_refused(client_as: ClientAs) -> None:
    admin = client_as(CITY_ADMIN, Role.admin)
    response = await admin.post(
        "/api/v1/accounts",
        json={
            "kind": "user",
            "login": "deceptive.name",
            "display_name": f"市工信局{RLO}员理管",
            "department": CITY_ADMIN,
            "roles": ["viewer"],
        },
    )
    _deceptive(response, "/display_name")


async def test_holiday_names_and_notices_are_refused(client_as: ClientAs) -> None:
    admin = client_as(CITY_ADMIN, Role.admin)
    body: dict[str, Any] = {
        "notice": f"测试通知{BOM}〔2027〕1号",
        "holidays": [{"date": "2027-01-01", "name": f"元{LRI}旦{PDI}"}],
        "adjusted_workdays": [],
    }
    response = await admin.put(
        "/api/v1/calendar/years/2027", json=body, headers={"If-Match": '"0"'}
    )
    _deceptive(response, "/holidays/0/name")
    _deceptive(response, "/notice")


async def test_titles_are_refused(client_as: ClientAs) -> None:
    approver = client_as(CITY_ADMIN, Role.approver)
    response = await approver.post(
        "/api/v1/city-summaries",
        json={
            "category": "elimination",
            "scope": "targets",
            "title": f"四平市2026年淘汰{RLO}示公标目{PDF}",
            "disclosures": [str(uuid.uuid4())],
        },
    )
    _deceptive(response, "/title")


async def test_paragraphs_refuse_reordering_but_keep_zero_width_characters(
    client: httpx.AsyncClient,
) -> None:
    """Facts are read, not compared: an override that reverses "罚款10000元" on screen is
    refused; a zero-width space pasted from a word processor is kept as sent."""
    enterprise = await client.post("/api/v1/enterprises", json=enterprise_body())
    assert enterprise.status_code == 201, enterprise.text
    enterprise_id = enterprise.json()["id"]
    reordered = await client.post(
        "/api/v1/inspections",
        json=inspection_body(enterprise_id, conclusion=f"罚款{RLO}00001{PDF}元。"),
    )
    _deceptive(reordered, "/conclusion")
    pasted = await client.post(
        "/api/v1/inspections",
        json=inspection_body(enterprise_id, conclusion=f"颗粒物排放超标，{ZWSP}责令限期整改。"),
    )
    assert pasted.status_code == 201, pasted.text
    assert pasted.json()["conclusion"] == f"颗粒物排放超标，{ZWSP}责令限期整改。"


def test_the_rule_is_in_the_published_patterns(app: FastAPI) -> None:
    """The contract's patterns refuse what the validators refuse, read by a JSON-schema
    validator (jsonschema-rs, what schemathesis checks with) as by Python."""
    schemas = app.openapi()["components"]["schemas"]
    name = schemas["EnterpriseCreate"]["properties"]["name"]
    assert name["pattern"] == LINE_PATTERN
    line = jsonschema_rs.validator_for({"type": "string", "pattern": LINE_PATTERN})
    paragraph = jsonschema_rs.validator_for({"type": "string", "pattern": PARAGRAPH_PATTERN})
    for char in DECEPTIVE:
        assert not line.is_valid(f"某某{char}公司"), f"U+{ord(char):04X}"
        assert not re.match(LINE_PATTERN, f"某某{char}公司")
    for char in (RLO, PDF, LRI, PDI, "\u200f"):
        assert not paragraph.is_valid(f"罚款{char}10000元"), f"U+{ord(char):04X}"
        assert not re.match(PARAGRAPH_PATTERN, f"罚款{char}10000元")
    for fine in ("梨树县某某水泥有限公司", "GB 13271-2014", "mg/m³", "葛\ufe00"):
        assert line.is_valid(fine) and re.match(LINE_PATTERN, fine), fine
    assert paragraph.is_valid(f"第一行{ZWSP}\n第二行")
