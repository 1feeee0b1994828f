"""From reports to cases through HTTP (一(一)5): an inspection and a case recorded from a
report under investigation, the category fitting the report's, and a compliant notice
revoked by a substantiated report against it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures import cases, reports
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

pytestmark = pytest.mark.seed("一(一)5")

HANDLER = "220322-ecoenv"
LEAD = "220322-miit"


async def _enterprise(client: httpx.AsyncClient) -> str:
    created = await client.post("/api/v1/enterprises", json=enterprise_body(jurisdiction="220322"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _inspection(client: httpx.AsyncClient, report_id: str, enterprise_id: str) -> Any:
    return await client.post(
        f"/api/v1/reports/{report_id}/inspections", json=inspection_body(enterprise_id)
    )


async def test_a_handler_records_an_inspection_and_opens_a_case_the_report_shows(
    client_as: ClientAs,
) -> None:
    report_id = await reports.investigating(client_as, [HANDLER])
    handler = client_as(HANDLER, Role.approver)
    before = await handler.get(f"/api/v1/reports/{report_id}")
    enterprise_id = await _enterprise(handler)

    inspection = await _inspection(handler, report_id, enterprise_id)
    assert inspection.status_code == 201, inspection.text
    assert inspection.headers["Location"].endswith(f"/inspections/{inspection.json()['id']}")
    opened = await handler.post(
        f"/api/v1/reports/{report_id}/cases",
        json=cases.create_body("rectification", enterprise_id, inspection.json()["id"]),
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["report_id"] == report_id
    assert case["links"]["report"] == f"/api/v1/reports/{report_id}"
    published = await cases.take(handler, case, "publish")
    assert published["status"] == "publicized" and published["report_id"] == report_id

    shown = await handler.get(f"/api/v1/reports/{report_id}")
    links = shown.json()["links"]
    assert [i["id"] for i in links["inspections"]] == [inspection.json()["id"]]
    assert [(c["id"], c["status"]) for c in links["cases"]] == [(case["id"], "publicized")]
    notices = (await handler.get("/api/v1/disclosures", params={"case": case["id"]})).json()
    [notice] = notices["items"]
    assert [(n["id"], n["case_id"], n["status"]) for n in links["notices"]] == [
        (notice["id"], case["id"], "current")
    ]
    # Linking is not a change of the report: the ETag a handler holds stays valid.
    assert shown.headers["ETag"] == before.headers["ETag"]
    # The lead, reading in scope, sees the same outcomes; and in the list.
    listed = (await client_as(LEAD, Role.viewer).get("/api/v1/reports")).json()["items"]
    [row] = [r for r in listed if r["id"] == report_id]
    assert row["links"] == links
    # Each link is audited on the report.
    events = await handler.get("/api/v1/audit-events", params={"object_id": report_id})
    actions = [e["action"] for e in events.json()["items"]]
    assert actions.count("report.link") == 2


async def test_a_case_of_a_category_that_does_not_fit_is_422_with_the_allowed_ones(
    client_as: ClientAs,
) -> None:
    report_id = await reports.investigating(client_as, [HANDLER])
    handler = client_as(HANDLER, Role.approver)
    enterprise_id = await _enterprise(handler)
    inspection = (await _inspection(handler, report_id, enterprise_id)).json()
    misfit = await handler.post(
        f"/api/v1/reports/{report_id}/cases",
        json=cases.create_body("illegal", enterprise_id, inspection["id"]),
    )
    assert misfit.status_code == 422, misfit.text
    assert misfit.json()["code"] == "category_not_fitting"
    assert misfit.json()["allowed"] == ["rectification"]
    assert misfit.json()["errors"][0]["pointer"] == "/category"
    # A resurgence report opens illegal or elimination cases, not rectification ones.
    resurgence = await reports.investigating(client_as, [LEAD], category="resurgence")
    miit = client_as(LEAD, Role.approver)
    enterprise_id = await _enterprise(miit)
    inspection = (await _inspection(miit, resurgence, enterprise_id)).json()
    rectification = await miit.post(
        f"/api/v1/reports/{resurgence}/cases",
        json=cases.create_body("rectification", enterprise_id, inspection["id"]),
    )
    assert rectification.json()["allowed"] == ["illegal", "elimination"]
    elimination = await miit.post(
        f"/api/v1/reports/{resurgence}/cases",
        json=cases.create_body("elimination", enterprise_id, inspection["id"]),
    )
    assert elimination.status_code == 201, elimination.text
    shown = (await miit.get(f"/api/v1/reports/{resurgence}")).json()["links"]
    assert [c["category"] for c in shown["cases"]] == ["elimination"]


async def test_only_a_handling_department_links_and_only_while_investigating(
    client_as: ClientAs,
) -> None:
    report_id = await reports.investigating(client_as, [HANDLER])
    enterprise_id = await _enterprise(client_as(HANDLER, Role.officer))
    other = client_as("220322-market", Role.approver)  # same county, not handling it
    refused = await _inspection(other, report_id, enterprise_id)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_handling")
    elsewhere = client_as("220302-ecoenv", Role.approver)
    assert (await _inspection(elsewhere, report_id, enterprise_id)).status_code == 404
    viewer = client_as(HANDLER, Role.viewer)
    assert (await _inspection(viewer, report_id, enterprise_id)).status_code == 403
    # Assigned, the investigation not started yet.
    waiting = await reports.assigned(client_as, [HANDLER])
    handler = client_as(HANDLER, Role.approver)
    early = await _inspection(handler, waiting, enterprise_id)
    assert (early.status_code, early.json()["code"]) == (409, "report_not_investigating")
    # Nothing was linked by the refusals.
    shown = (await handler.get(f"/api/v1/reports/{report_id}")).json()
    assert shown["links"] == {"inspections": [], "cases": [], "notices": []}


async def test_a_concluded_report_takes_no_more_links(client_as: ClientAs) -> None:
    report_id = await reports.concluded(client_as, [HANDLER])
    handler = client_as(HANDLER, Role.approver)
    late = await _inspection(handler, report_id, await _enterprise(handler))
    assert (late.status_code, late.json()["code"]) == (409, "report_not_investigating")


async def _published_compliant(client_as: ClientAs) -> tuple[dict[str, Any], str]:
    lead = client_as(LEAD, Role.approver, Role.lead)
    case = await cases.open_case(lead, "compliant")
    case = await cases.take(lead, case, "confirm")
    case = await cases.take(lead, case, "publish")
    [notice] = (await lead.get("/api/v1/disclosures", params={"case": case["id"]})).json()["items"]
    return case, str(notice["id"])


async def test_a_substantiated_report_against_a_compliant_notice_revokes_it(
    client_as: ClientAs,
) -> None:
    case, notice_id = await _published_compliant(client_as)
    lead = client_as(LEAD, Role.approver)
    body = {"reason": "经查举报属实：企业颗粒物排放超标。"}
    # Not before the report is concluded substantiated.
    investigating = await reports.investigating(
        client_as, [HANDLER], category="should_inspect", disputed_notice_id=notice_id
    )
    early = await lead.post(f"/api/v1/reports/{investigating}/revocations", json=body)
    assert (early.status_code, early.json()["code"]) == (409, "report_not_substantiated")
    unfounded = await reports.concluded(
        client_as,
        [HANDLER],
        result="unsubstantiated",
        category="should_inspect",
        disputed_notice_id=notice_id,
    )
    refused = await lead.post(f"/api/v1/reports/{unfounded}/revocations", json=body)
    assert (refused.status_code, refused.json()["code"]) == (409, "report_not_substantiated")

    report_id = await reports.concluded(
        client_as, [HANDLER], category="should_inspect", disputed_notice_id=notice_id
    )
    handler = client_as(HANDLER, Role.approver)
    not_lead = await handler.post(f"/api/v1/reports/{report_id}/revocations", json=body)
    assert (not_lead.status_code, not_lead.json()["code"]) == (403, "not_lead")

    revoked = await lead.post(f"/api/v1/reports/{report_id}/revocations", json=body)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["closing_reason"] == body["reason"]
    assert revoked.json()["report_id"] == report_id
    notice = await client_as(None).get(f"/api/v1/disclosures/{notice_id}")
    assert notice.json()["status"] == "withdrawn", notice.text
    links = (await lead.get(f"/api/v1/reports/{report_id}")).json()["links"]
    assert [(c["id"], c["status"]) for c in links["cases"]] == [(case["id"], "revoked")]
    assert [(n["id"], n["status"]) for n in links["notices"]] == [(notice_id, "withdrawn")]
    # Once: the case is revoked, its table allows no second revocation.
    again = await lead.post(f"/api/v1/reports/{report_id}/revocations", json=body)
    assert again.status_code == 409
    # A report disputing no compliant notice revokes nothing.
    plain = await reports.concluded(client_as, [HANDLER])
    nothing = await lead.post(f"/api/v1/reports/{plain}/revocations", json=body)
    assert (nothing.status_code, nothing.json()["code"]) == (409, "no_disputed_compliant_notice")


async def test_the_public_list_shows_the_case_a_concluded_report_led_to_and_its_notice(
    client_as: ClientAs,
) -> None:
    report_id = await reports.investigating(client_as, [HANDLER])
    handler = client_as(HANDLER, Role.approver)
    enterprise_id = await _enterprise(handler)
    inspection = (await _inspection(handler, report_id, enterprise_id)).json()
    opened = await handler.post(
        f"/api/v1/reports/{report_id}/cases",
        json=cases.create_body("rectification", enterprise_id, inspection["id"]),
    )
    assert opened.status_code == 201, opened.text
    published = await cases.take(handler, opened.json(), "publish")
    conclusion = {
        "action": "conclude",
        "result": "substantiated",
        "measures": "立案整改。",
        "public_text": "举报属实，已责令限期整改并公示。",
    }
    await reports.take_step(handler, report_id, conclusion)

    public = await client_as(None).get("/api/v1/public-reports")
    assert public.status_code == 200, public.text
    [item] = [
        i for i in public.json()["items"] if i["conclusion_text"] == conclusion["public_text"]
    ]
    notices = await handler.get("/api/v1/disclosures", params={"case": published["id"]})
    [notice] = notices.json()["items"]
    assert [c["id"] for c in item["cases"]] == [published["id"]]
    assert [n["id"] for n in item["notices"]] == [notice["id"]]
