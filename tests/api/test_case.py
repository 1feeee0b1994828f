"""The typed bodies of a step and a draft edit, as a client reads and sends them."""

from __future__ import annotations

from typing import Any

import httpx

from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import CaseAction, Category
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, open_case, step, take

URL = "/api/v1/cases"


def _body_schema(contract: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found = contract["paths"][path][method]["requestBody"]["content"]["application/json"]
    return dict(found["schema"])


def _problems(response: httpx.Response) -> list[tuple[str, str]]:
    return [(e["pointer"], e["code"]) for e in response.json()["errors"]]


def _edit(client: httpx.AsyncClient, case: dict[str, Any], body: dict[str, Any]) -> Any:
    return client.patch(
        f"{URL}/{case['id']}", json=body, headers={"If-Match": f'"{case["version"]}"'}
    )


async def test_the_contract_names_one_schema_per_action_and_per_category(
    anonymous: httpx.AsyncClient,
) -> None:
    contract = (await anonymous.get("/openapi.json")).json()
    schemas = contract["components"]["schemas"]
    transition = _body_schema(contract, "/api/v1/cases/{case_id}/transitions", "post")
    names = {a: "".join(p.capitalize() for p in a.split("_")) + "Step" for a in CaseAction}
    assert transition["discriminator"] == {
        "propertyName": "action",
        "mapping": {a.value: f"#/components/schemas/{n}" for a, n in names.items()},
    }
    assert sorted(s["$ref"] for s in transition["oneOf"]) == sorted(
        f"#/components/schemas/{n}" for n in names.values()
    )
    for name in names.values():
        assert schemas[name]["additionalProperties"] is False
        assert len(schemas[name]["examples"]) == 1
    # What every withdrawal records is required; what depends on the category is not.
    assert schemas["WithdrawStep"]["required"] == ["action", "reason"]
    assert schemas["ReportCompletionStep"]["required"] == [
        "action", "completion_date", "completion_evidence"
    ]  # fmt: skip
    assert "handling_result" in schemas["ReportCompletionStep"]["properties"]

    edit = _body_schema(contract, "/api/v1/cases/{case_id}", "patch")
    edits = {
        "illegal": "IllegalDraftEdit",
        "elimination": "EliminationDraftEdit",
        "rectification": "RectificationDraftEdit",
        "forced_exit": "ForcedExitDraftEdit",
        "compliant": "CompliantDraftEdit",
    }
    assert set(edits) == {c.value for c in Category}
    assert edit["discriminator"] == {
        "propertyName": "category",
        "mapping": {c: f"#/components/schemas/{n}" for c, n in edits.items()},
    }
    for name in edits.values():
        assert schemas[name]["required"] == ["category"]
        assert schemas[name]["additionalProperties"] is False


async def test_the_contracts_examples_are_steps_a_case_takes(client_as: ClientAs) -> None:
    contract = (await client_as(None).get("/openapi.json")).json()
    schemas = contract["components"]["schemas"]
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    draft = await open_case(approver, "illegal")
    [publish] = schemas["PublishStep"]["examples"]
    published = await step(approver, draft, publish.pop("action"), **publish)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "publicized"
    [withdraw] = schemas["WithdrawStep"]["examples"]
    withdrawn = await step(approver, published.json(), withdraw.pop("action"), **withdraw)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["closing_reason"] == withdraw["reason"]


async def test_a_member_the_step_does_not_record_is_422(client_as: ClientAs) -> None:
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    draft = await open_case(approver, "illegal")
    for extra in ({"colour": "red"}, {"reason": "提前公示"}, {"acceptance_date": "2026-11-30"}):
        refused = await step(approver, draft, "publish", **extra)
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "validation_error"
        assert _problems(refused) == [(f"/{next(iter(extra))}", "extra_forbidden")]
    # A period of publicity belongs to a publication only.
    published = await take(approver, draft, "publish")
    refused = await step(approver, published, "withdraw", reason="撤回", publicity_working_days=5)
    assert _problems(refused) == [("/publicity_working_days", "extra_forbidden")]
    assert (await approver.get(f"{URL}/{draft['id']}")).json()["version"] == published["version"]


async def test_a_member_every_such_step_records_is_required_by_its_schema(
    client_as: ClientAs,
) -> None:
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    published = await take(approver, await open_case(approver, "illegal"), "publish")
    for body in ({}, {"reason": None}, {"reason": "   "}):
        refused = await step(approver, published, "withdraw", **body)
        assert refused.status_code == 422, refused.text
        assert [pointer for pointer, _ in _problems(refused)] == ["/reason"]
    # A field only some categories record is the service's: still `missing_fields`.
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    incomplete = await step(
        officer, published, "report_completion", completion_date="2026-11-30",
        completion_evidence="已拆除。",
    )  # fmt: skip
    assert incomplete.status_code == 422
    assert incomplete.json()["code"] == "missing_fields"
    assert _problems(incomplete) == [("/handling_result", "missing_field")]


async def test_a_draft_edit_names_its_cases_category(client_as: ClientAs) -> None:
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    draft = await open_case(officer, "illegal")
    other = await _edit(officer, draft, {"category": "rectification", "problems": None})
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "category_mismatch"
    assert _problems(other) == [("/category", "category_mismatch")]
    unnamed = await _edit(officer, draft, {"handling_basis": "《环境影响评价法》第三十一条"})
    assert unnamed.status_code == 422
    assert _problems(unnamed) == [("/category", "union_tag_not_found")]
    foreign = await _edit(officer, draft, {"category": "illegal", "problems": []})
    assert _problems(foreign) == [("/problems", "extra_forbidden")]
    after = (await officer.get(f"{URL}/{draft['id']}")).json()
    assert (after["version"], after["payload"]) == (draft["version"], draft["payload"])


async def test_a_draft_edit_replaces_what_it_names_and_clears_what_is_null(
    client_as: ClientAs,
) -> None:
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    draft = await open_case(officer, "illegal")
    edited = await _edit(
        officer,
        draft,
        {
            "category": "illegal",
            "handling_basis": "《环境影响评价法》第三十二条",
            "handling_requirements": None,
        },
    )
    assert edited.status_code == 200, edited.text
    content = edited.json()["payload"]
    assert content["handling_basis"] == "《环境影响评价法》第三十二条"
    assert content["handling_requirements"] is None
    assert content["illegal_matters"] == draft["payload"]["illegal_matters"]  # absent: kept
    [*_, event] = (await officer.get(f"{URL}/{draft['id']}/events")).json()["items"]
    assert event["changes"] == {
        "handling_basis": "《环境影响评价法》第三十二条",
        "handling_requirements": None,
    }
