"""Every date in a request body is a `YYYY-MM-DD` string and nothing else (issue 14,
item 3): pydantic's lax parsing took `1764547200` as 2025-12-01 and a datetime at
midnight as its day, in inspections, case payloads, drafts, transitions, corrections and
calendar schedules. Each is a 422 `iso_date` pointing at the date, and nothing changes;
the contract says so too (`format: date` with a `pattern`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.case.payloads import DRAFT_MODELS
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, OWNER, enterprise_and_inspection, open_case, step, take
from tests.fixtures.inspections import inspection_body

DECEMBER_FIRST = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
# What a careless or hostile client sends for 2025-12-01 (and what was stored as it).
NOT_A_DATE: list[Any] = [
    int(DECEMBER_FIRST.timestamp()),  # 1764547200: Unix seconds at midnight UTC
    float(DECEMBER_FIRST.timestamp()),
    "2025-12-01T00:00:00+08:00",
    "2025-12-01T00:00:00Z",
    "2025-12-01 00:00:00",
    "2025-12-01\n",
    "２０２５-１２-０１",  # full-width digits
    True,
]


def _refused_at(response: httpx.Response, pointer: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [(pointer, "iso_date")]


@pytest.mark.seed("一(三)")
@pytest.mark.parametrize("value", NOT_A_DATE)
async def test_an_inspection_s_completion_is_a_written_date(
    client_as: ClientAs, value: Any
) -> None:
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    enterprise_id, _ = await enterprise_and_inspection(officer)
    refused = await officer.post(
        "/api/v1/inspections", json=inspection_body(enterprise_id, completed_on=value)
    )
    _refused_at(refused, "/completed_on")
    listed = await officer.get("/api/v1/inspections", params={"enterprise_id": enterprise_id})
    assert [i["completed_on"] for i in listed.json()["items"]] == ["2025-09-26"]


@pytest.mark.seed("一(一)1")
@pytest.mark.parametrize("value", NOT_A_DATE[:3])
async def test_a_case_s_dates_are_written_dates_in_every_body(
    client_as: ClientAs, value: Any
) -> None:
    owner = client_as(OWNER["illegal"], Role.officer, Role.approver)
    enterprise_id, inspection_id = await enterprise_and_inspection(owner)
    created = await owner.post(
        "/api/v1/cases",
        json={
            "category": "illegal",
            "enterprise_id": enterprise_id,
            "inspection_id": inspection_id,
            "payload": {"completion_deadline": value},
        },
    )
    _refused_at(created, "/payload/completion_deadline")

    draft = await open_case(owner, "illegal")
    edited = await owner.patch(
        f"/api/v1/cases/{draft['id']}",
        json={"category": "illegal", "completion_deadline": value},
        headers={"If-Match": f'"{draft["version"]}"'},
    )
    _refused_at(edited, "/completion_deadline")
    _refused_at(
        await step(owner, draft, "publish", completion_deadline=value), "/completion_deadline"
    )

    published = await take(owner, draft, "publish")
    reported = await step(
        owner, published, "report_completion", completion_date=value,
        completion_evidence="已拆除。", handling_result="已拆除。",
    )  # fmt: skip
    _refused_at(reported, "/completion_date")
    after = (await owner.get(f"/api/v1/cases/{draft['id']}")).json()
    assert (after["status"], after["version"]) == ("publicized", published["version"])
    assert after["payload"].get("completion_date") is None

    [notice] = (
        await owner.get("/api/v1/disclosures", params={"department": OWNER["illegal"]})
    ).json()["items"]
    corrected = await owner.post(
        f"/api/v1/disclosures/{notice['id']}/corrections",
        json={"reason": "时限有误", "content": {"completion_deadline": value}},
        headers={"If-Match": f'"{notice["version"]}"'},
    )
    _refused_at(corrected, "/content/completion_deadline")


@pytest.mark.seed("一(一)5")
async def test_a_confirmation_is_dated_by_a_written_date(client_as: ClientAs) -> None:
    lead = client_as(OWNER["compliant"], Role.lead)
    draft = await open_case(lead, "compliant")
    confirmations = [
        {"department": f"{COUNTY}-market", "confirmed_on": int(DECEMBER_FIRST.timestamp())},
        {"department": f"{COUNTY}-drc", "confirmed_on": "2026-11-03"},
    ]
    refused = await step(lead, draft, "confirm", confirmations=confirmations)
    _refused_at(refused, "/confirmations/0/confirmed_on")


@pytest.mark.parametrize("value", NOT_A_DATE[:3])
async def test_a_schedule_s_days_are_written_dates(client_as: ClientAs, value: Any) -> None:
    admin = client_as("220300-miit", Role.admin)
    body = {
        "notice": "测试通知〔2027〕1号",
        "holidays": [{"date": "2027-01-04", "name": "元旦"}, {"date": value, "name": "元旦"}],
        "adjusted_workdays": [],
    }
    refused = await admin.put("/api/v1/calendar/years/2027", json=body, headers={"If-Match": '"0"'})
    _refused_at(refused, "/holidays/1/date")
    year = await admin.get("/api/v1/calendar/years/2027")
    assert (year.json()["status"], year.headers["etag"]) == ("provisional", '"0"')


def _dates(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        if schema.get("format") in ("date", "date-time"):
            yield path, schema
        for key, value in schema.items():
            yield from _dates(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _dates(value, f"{path}/{i}")


def _request_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Every component schema a request body reaches, by name."""
    components = document["components"]["schemas"]
    seen: dict[str, Any] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen[name] = components[name]
                    visit(components[name])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                visit(operation["requestBody"])
    return seen


async def test_the_contract_states_the_written_form_of_every_date_in_a_body(app: FastAPI) -> None:
    schemas = _request_schemas(app.openapi())
    # Transitions and draft edits carry the fields of their category's payload, which the
    # contract describes apart from those bodies (a forced exit is never created).
    for category, model in DRAFT_MODELS.items():
        schemas[f"{category}:{model.__name__}"] = model.model_json_schema()
    found = {
        f"{name}{path}": schema
        for name, component in schemas.items()
        for path, schema in _dates(component)
    }
    # Inspections, schedules, every payload's dates and those of its items.
    for expected in (
        "InspectionCreate/properties/completed_on",
        "NamedDay/properties/date",
        "Confirmation/properties/confirmed_on/anyOf/0",
        "forced_exit:ForcedExitDraft/properties/closure_date/anyOf/0",
        "forced_exit:ForcedExitDraft/$defs/ForcedExitFailingItem/properties/found_on/anyOf/0",
    ):
        assert expected in found, sorted(found)
    for where, schema in found.items():
        assert schema["format"] == "date", where  # no timestamps in request bodies
        assert schema.get("pattern") == r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", where
