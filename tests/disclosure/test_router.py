"""The public record: notices published by case steps, corrected and withdrawn with
history, reviewed by the city, read without a token as JSON, documents and a feed."""

from __future__ import annotations

import uuid
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import COUNTY, EQUIPMENT, open_case, take

URL = "/api/v1/disclosures"
ATOM = "{http://www.w3.org/2005/Atom}"


async def _public(anonymous: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await anonymous.get(URL, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _publish_elimination(client_as: ClientAs) -> tuple[dict[str, Any], httpx.AsyncClient]:
    approver = client_as(f"{COUNTY}-miit", Role.approver)
    case = await take(approver, await open_case(approver, "elimination"), "publish")
    return case, approver


@pytest.mark.seed("一(一)2")
async def test_published_corrected_and_withdrawn_in_the_public_record(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    case, approver = await _publish_elimination(client_as)
    [notice] = await _public(anonymous, category="elimination", jurisdiction=COUNTY)
    assert notice["kind"] == "publicity" and notice["status"] == "current"
    assert notice["content"]["elimination_items"] == [EQUIPMENT]
    assert notice["content"]["exit_method"] == "dismantle"
    assert notice["department"]["code"] == f"{COUNTY}-miit"
    assert notice["level"] == "county"
    assert notice["enterprise"]["credit_code"]
    feed = ElementTree.fromstring((await anonymous.get(f"{URL}/feed.atom")).content)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == f"urn:uuid:{notice['id']}"
    assert "1000立方米高炉" in (entry.findtext(f"{ATOM}summary") or "")

    # A correction is a new version; the old one stays reachable with the reason.
    corrected_items = [{**EQUIPMENT, "quantity": 2}]
    correction = await approver.post(
        f"{URL}/{notice['id']}/corrections",
        json={"reason": "数量有误", "content": {"elimination_items": corrected_items}},
        headers={"If-Match": '"1"'},
    )
    assert correction.status_code == 201, correction.text
    new = correction.json()
    assert (new["version"], new["previous_id"]) == (2, notice["id"])
    [listed] = await _public(anonymous, category="elimination")
    assert listed["id"] == new["id"] and listed["content"]["elimination_items"] == corrected_items
    detail = (await anonymous.get(f"{URL}/{new['id']}")).json()
    assert [(v["version"], v["status"]) for v in detail["versions"]] == [
        (1, "superseded"),
        (2, "current"),
    ]
    assert detail["versions"][0]["content"]["elimination_items"] == [EQUIPMENT]
    assert [(e["kind"], e["reason"]) for e in detail["history"]] == [
        ("published", None),
        ("corrected", "数量有误"),
    ]
    # The superseded version cannot be corrected again.
    again = await approver.post(
        f"{URL}/{notice['id']}/corrections",
        json={"reason": "再改", "content": {}},
        headers={"If-Match": '"1"'},
    )
    assert again.status_code == 409

    withdrawn = await approver.post(
        f"{URL}/{new['id']}/withdrawal", json={"reason": "企业主体认定错误"},
        headers={"If-Match": '"2"'},
    )  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.text
    assert await _public(anonymous, category="elimination") == []
    [shown] = await _public(anonymous, category="elimination", include_withdrawn="true")
    assert (shown["status"], shown["withdrawn_reason"]) == ("withdrawn", "企业主体认定错误")
    # The case the notice stood on ends with it, with the same reason.
    after = (await approver.get(f"/api/v1/cases/{case['id']}")).json()
    assert (after["status"], after["closing_reason"]) == ("withdrawn", "企业主体认定错误")


async def test_only_the_publisher_corrects_and_only_notice_fields(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    _, approver = await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    url = f"{URL}/{notice['id']}/corrections"
    other = client_as(f"{COUNTY}-drc", Role.approver)
    body = {"reason": "改", "content": {"exit_method": "seal"}}
    assert (await other.post(url, json=body, headers={"If-Match": '"1"'})).status_code == 403
    foreign = {"reason": "改", "content": {"completion_date": "2026-01-01"}}
    refused = await approver.post(url, json=foreign, headers={"If-Match": '"1"'})
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/content/completion_date"]
    invalid = {"reason": "改", "content": {"exit_method": "burn"}}
    assert (await approver.post(url, json=invalid, headers={"If-Match": '"1"'})).status_code == 422
    assert (await approver.post(url, json=body)).status_code == 428


@pytest.mark.seed("一(四)")
async def test_a_city_review_with_discrepancies_opens_a_correction_request_for_the_county(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    _, approver = await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    city = client_as("220300-miit", Role.officer)
    review = await city.post(
        f"{URL}/{notice['id']}/reviews",
        json={
            "kind": "spot_check",
            "discrepancies": [{"field": "elimination_items", "finding": "现场高炉为2座"}],
            "notes": "抽查人员：王某",
        },
    )
    assert review.status_code == 201, review.text
    assert review.json()["outcome"] == "discrepancies"
    request_id = review.json()["correction_request_id"]
    # The county sees the request addressed to it; another county does not.
    county = client_as(f"{COUNTY}-miit", Role.viewer)
    [request] = (await county.get("/api/v1/correction-requests")).json()["items"]
    assert (request["id"], request["status"]) == (request_id, "open")
    assert request["addressed_to"] == f"{COUNTY}-miit"
    assert request["discrepancies"][0]["finding"] == "现场高炉为2座"
    other = client_as("220302-miit", Role.viewer)
    assert (await other.get("/api/v1/correction-requests")).json()["items"] == []
    # A county department cannot review, and the review's notes stay internal.
    county_review = await client_as(f"{COUNTY}-drc", Role.officer).post(
        f"{URL}/{notice['id']}/reviews", json={"kind": "recheck"}
    )
    assert county_review.status_code == 403
    public = (await anonymous.get(f"{URL}/{notice['id']}")).json()
    assert "抽查人员" not in str(public)
    # Correcting with the request resolves it.
    corrected = await approver.post(
        f"{URL}/{notice['id']}/corrections",
        json={
            "reason": "按市级抽查更正",
            "content": {"elimination_items": [{**EQUIPMENT, "quantity": 2}]},
            "correction_request_id": request_id,
        },
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 201, corrected.text
    [resolved] = (await county.get("/api/v1/correction-requests")).json()["items"]
    assert (resolved["status"], resolved["resolved_by_id"]) == ("resolved", corrected.json()["id"])


async def test_withdrawing_a_case_withdraws_its_notice(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    case, approver = await _publish_elimination(client_as)
    await take(approver, case, "withdraw", reason="重复立案")
    [notice] = await _public(anonymous, include_withdrawn="true")
    assert (notice["status"], notice["withdrawn_reason"]) == ("withdrawn", "重复立案")


def _schemas_of(document: dict[str, Any], node: Any, seen: set[str]) -> list[dict[str, Any]]:
    """Every schema object reachable from `node`, following $refs once."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            target = document
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            found += _schemas_of(document, target, seen)
        found.append(node)
        for value in node.values():
            found += _schemas_of(document, value, seen)
    elif isinstance(node, list):
        for value in node:
            found += _schemas_of(document, value, seen)
    return found


def test_no_public_response_contains_an_internal_field(app: FastAPI) -> None:
    document = app.openapi()
    marked = [
        s for s in _schemas_of(document, document["components"], set()) if s.get("x-internal")
    ]
    assert marked, "internal fields are marked (x-internal) somewhere, or this test proves nothing"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not operation.get("x-access", {}).get("public"):
                continue
            for schema in _schemas_of(document, operation.get("responses", {}), set()):
                for name, prop in (schema.get("properties") or {}).items():
                    resolved = _schemas_of(document, prop, set())
                    assert not any(s.get("x-internal") for s in resolved), (method, path, name)
                    assert name not in ("published_by", "notes"), (method, path, name)


async def test_the_document_is_html_or_text_by_accept(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    url = f"{URL}/{notice['id']}/document"
    html = await anonymous.get(url)
    assert html.headers["content-type"].startswith("text/html")
    assert "<h1>" in html.text and "拆除" in html.text
    text = await anonymous.get(url, headers={"Accept": "text/plain"})
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.splitlines()[0].endswith("淘汰类装备（生产线）退出情况的公示")
    refused = await anonymous.get(url, headers={"Accept": "application/json"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"


async def test_the_public_list_filters_and_pages(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    ecoenv = client_as(f"{COUNTY}-ecoenv", Role.approver)
    first = await take(ecoenv, await open_case(ecoenv, "illegal"), "publish")
    await take(ecoenv, await open_case(ecoenv, "rectification"), "publish")
    await _publish_elimination(client_as)
    assert len(await _public(anonymous)) == 3
    assert len(await _public(anonymous, department=f"{COUNTY}-ecoenv")) == 2
    assert len(await _public(anonymous, kind="announcement")) == 0
    name = (await ecoenv.get(f"/api/v1/enterprises/{first['enterprise_id']}")).json()
    [by_code] = await _public(anonymous, enterprise=name["credit_code"])
    assert by_code["category"] == "illegal"
    assert len(await _public(anonymous, jurisdiction="220302")) == 0
    page = await anonymous.get(URL, params={"limit": 2})
    rest = await anonymous.get(URL, params={"limit": 2, "cursor": page.json()["next_cursor"]})
    ids = [d["id"] for d in page.json()["items"] + rest.json()["items"]]
    assert len(set(ids)) == 3 and ids == sorted(ids, reverse=True)


@pytest.mark.seed("一(三)")
async def test_a_batch_publishes_every_case_or_none(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    approver = client_as(f"{COUNTY}-miit", Role.approver)
    drafts = [await open_case(approver, "elimination") for _ in range(2)]
    incomplete = await open_case(approver, "elimination", content={"voluntary": True})

    def entries(*cases: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"case_id": c["id"], "version": c["version"]} for c in cases]

    refused = await approver.post(
        "/api/v1/disclosure-batches",
        json={"category": "elimination", "cases": entries(*drafts, incomplete)},
    )
    assert refused.status_code == 422, refused.text
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/cases/2"}
    assert await _public(anonymous) == []  # nothing of the batch was published
    stale = await approver.post(
        "/api/v1/disclosure-batches",
        json={"category": "elimination", "cases": [{"case_id": drafts[0]["id"], "version": 9}]},
    )
    assert stale.status_code == 412

    published = await approver.post(
        "/api/v1/disclosure-batches",
        json={"category": "elimination", "title": "2026年第一批", "cases": entries(*drafts)},
    )
    assert published.status_code == 201, published.text
    batch = published.json()
    listed = await _public(anonymous, batch=batch["id"])
    assert {d["id"] for d in listed} == set(batch["disclosures"])
    assert len(listed) == 2
    # Each enterprise's entry stays addressable on its own.
    one = (await anonymous.get(f"{URL}/{batch['disclosures'][0]}")).json()
    assert one["batch_id"] == batch["id"]
    case = (await approver.get(f"/api/v1/cases/{drafts[0]['id']}")).json()
    assert case["status"] == "publicized"


@pytest.mark.seed("一(四)")
async def test_the_city_republishes_county_targets_with_its_review_results(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    city_officer = client_as("220300-miit", Role.officer)
    reviewed = await city_officer.post(
        f"{URL}/{notice['id']}/reviews", json={"kind": "recheck", "discrepancies": []}
    )
    assert reviewed.status_code == 201
    body = {
        "category": "elimination",
        "scope": "targets",
        "title": "四平市2026年淘汰类装备退出目标公示",
        "disclosures": [notice["id"]],
    }
    county = client_as(f"{COUNTY}-miit", Role.approver)
    assert (await county.post("/api/v1/city-summaries", json=body)).status_code == 403
    wrong_scope = await client_as("220300-miit", Role.approver).post(
        "/api/v1/city-summaries", json={**body, "scope": "completion"}
    )
    assert wrong_scope.status_code == 422
    assert [e["pointer"] for e in wrong_scope.json()["errors"]] == ["/disclosures/0"]
    # A pointer names the position in the request, duplicates included.
    mixed = await client_as("220300-miit", Role.approver).post(
        "/api/v1/city-summaries",
        json={**body, "disclosures": [notice["id"], notice["id"], str(uuid.uuid4())]},
    )
    assert mixed.status_code == 404
    assert [e["pointer"] for e in mixed.json()["errors"]] == ["/disclosures/2"]
    published = await client_as("220300-miit", Role.approver).post(
        "/api/v1/city-summaries", json=body
    )
    assert published.status_code == 201, published.text
    [listed] = (await anonymous.get("/api/v1/city-summaries")).json()["items"]
    assert listed["id"] == published.json()["id"]
    [entry] = listed["entries"]
    assert entry["disclosure_id"] == notice["id"]
    assert entry["county"]["code"] == COUNTY
    assert (entry["review"]["kind"], entry["review"]["outcome"]) == ("recheck", "confirmed")
    assert listed["department"]["code"] == "220300-miit"


@pytest.mark.seed("一(三)")
async def test_a_publicity_period_in_working_days_sets_its_end(
    client_as: ClientAs, anonymous: httpx.AsyncClient, travel_to: TravelTo
) -> None:
    approver = client_as(f"{COUNTY}-miit", Role.approver)
    travel_to("2025-10-15")
    draft = await open_case(approver, "elimination")
    published = await take(approver, draft, "publish", publicity_working_days=5)
    [notice] = await _public(anonymous)
    assert notice["period_end"] == "2025-10-22"  # 16, 17, 20, 21, 22 October
    text = (await anonymous.get(notice["document"], headers={"Accept": "text/plain"})).text
    assert "公示期至2025-10-22" in text
    refused = await approver.post(
        f"/api/v1/cases/{published['id']}/transitions",
        json={"action": "withdraw", "reason": "x", "publicity_working_days": 5},
        headers={"If-Match": f'"{published["version"]}"'},
    )
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/publicity_working_days"]


async def test_a_correction_keeps_every_required_field(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    _, approver = await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    for emptied in (None, ""):
        refused = await approver.post(
            f"{URL}/{notice['id']}/corrections",
            json={"reason": "删", "content": {"elimination_basis": emptied}},
            headers={"If-Match": '"1"'},
        )
        assert refused.status_code == 422, refused.text
        assert "/content/elimination_basis" in [e["pointer"] for e in refused.json()["errors"]]


async def test_a_withdrawn_notice_is_not_reviewed(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    _, approver = await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    await approver.post(
        f"{URL}/{notice['id']}/withdrawal", json={"reason": "错"}, headers={"If-Match": '"1"'}
    )
    review = await client_as("220300-miit", Role.officer).post(
        f"{URL}/{notice['id']}/reviews", json={"kind": "spot_check"}
    )
    assert review.status_code == 409


async def test_a_correction_reaches_the_case(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    case, approver = await _publish_elimination(client_as)
    [notice] = await _public(anonymous)
    corrected = await approver.post(
        f"{URL}/{notice['id']}/corrections",
        json={"reason": "期限笔误", "content": {"completion_deadline": "2027-09-30"}},
        headers={"If-Match": '"1"'},
    )
    assert corrected.status_code == 201, corrected.text
    after = (await approver.get(f"/api/v1/cases/{case['id']}")).json()
    assert after["payload"]["completion_deadline"] == "2027-09-30"
    [completion] = [d for d in after["deadlines"] if d["purpose"] == "completion"]
    assert completion["due"] == "2027-09-30"
    events = (await approver.get(f"/api/v1/cases/{case['id']}/events")).json()["items"]
    assert (events[-1]["kind"], events[-1]["reason"]) == ("corrected", "期限笔误")


async def test_withdrawing_the_notice_of_an_ended_case_leaves_the_case(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    from tests.disclosure.test_documents import _elimination

    await _elimination(client_as)
    [announcement] = await _public(anonymous, kind="announcement")
    approver = client_as(f"{COUNTY}-miit", Role.approver)
    withdrawn = await approver.post(
        f"{URL}/{announcement['id']}/withdrawal", json={"reason": "公告有误，重新发布"},
        headers={"If-Match": '"1"'},
    )  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.text
    [publicity] = await _public(anonymous, kind="publicity")  # still current
    assert publicity["status"] == "current"
    [case] = (await approver.get("/api/v1/cases", params={"category": "elimination"})).json()[
        "items"
    ]
    assert case["status"] == "announced"
