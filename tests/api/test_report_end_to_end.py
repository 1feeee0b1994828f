"""A report of each category from submission to the reporter's last word (一(一)5).

For every category the platform takes, two reporters write about the same enterprise:
one anonymous, one named, each with a phone photo carrying its GPS position. Each
follows the report with the receipt alone. The lead department the rules name triages
both and assigns them to the departments the routing rules name for the category; the
first handler downloads the photo (its GPS gone), investigates and concludes. An
inspection from the report, the case the category leads to and its published notice are
recorded by the first handler, or, for the city's matters (the county departments' own
work), by a department of the enterprise's county the city's lead adds, since a case
about an enterprise is recorded in its jurisdiction. The anonymous reporter is satisfied
and the lead closes the report; the named reporter is not and objects, which reopens it
for the lead.

The expectations are written out here, not read from the routing table: they are what
a reader of the rules would expect for each category.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures import cases
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body
from tests.fixtures.reports import GPS_IFD, add_evidence, jpeg_with_gps, submit_report, take_step

pytestmark = pytest.mark.seed("一(一)5")

COUNTY = "220322"  # 梨树县
RECEIPTS = "/api/v1/report-receipts"


@dataclass(frozen=True)
class Expected:
    category: str
    lead: str  # the department that triages
    handlers: tuple[str, ...]  # the departments the routing rules name
    case_category: str  # the case the handler opens from it
    # Who records the inspection and the case: the first handler, or for a city matter a
    # department of the enterprise's county the lead adds (cases about an enterprise are
    # recorded in its jurisdiction; the city investigates the county's own work).
    recorder: str | None = None

    def case_department(self) -> str:
        return self.recorder or self.handlers[0]

    def assigned(self) -> list[str]:
        return [*self.handlers, *([self.recorder] if self.recorder else [])]


EXPECTED = (
    # County matters: the county's 工信 leads, the county's departments investigate.
    Expected("should_inspect", "220322-miit", ("220322-miit",), "elimination"),
    Expected(
        "should_rectify",
        "220322-miit",
        ("220322-ecoenv", "220322-emergency", "220322-market"),
        "rectification",
    ),
    Expected("should_exit", "220322-miit", ("220322-miit", "220322-drc"), "elimination"),
    Expected("resurgence", "220322-miit", ("220322-miit", "220322-market"), "illegal"),
    # The county departments' own work: the city's 工信 leads, the city investigates.
    Expected("fraud", "220300-miit", ("220300-miit",), "elimination", "220322-drc"),
    Expected(
        "lax_approval", "220300-miit", ("220300-drc", "220300-natres"), "illegal", "220322-natres"
    ),
    Expected("other", "220322-miit", ("220322-miit",), "illegal"),
)


def submission(category: str, *, contact: dict[str, str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": category,
        "enterprise": {"name": "梨树县某某冶炼厂", "address": "梨树镇工业路12号"},
        "county": COUNTY,
        "what_was_seen": "夜间厂区有生产声音，原料车辆进出。",
        "seen_on": "2026-11-27",
        "location": {"latitude": 43.3071, "longitude": 124.3352},
    }
    if contact is not None:
        body |= {"anonymous": False, "contact": contact}
    return body


async def reporter_action(
    anonymous: httpx.AsyncClient, lookup: dict[str, str], **action: str
) -> dict[str, Any]:
    answer = await anonymous.post(f"{RECEIPTS}/actions", json=lookup | action)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def a_report_with_a_photo(
    anonymous: httpx.AsyncClient, body: dict[str, Any], marker: str
) -> dict[str, str]:
    """Submitted, a photo added with the receipt: the receipt (code and secret)."""
    submitted = await submit_report(anonymous, body)
    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    photo = [("IMG_0001.jpg", jpeg_with_gps(marker), "image/jpeg")]
    assert (await add_evidence(anonymous, receipt, photo)).status_code == 200
    return {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}


async def triaged(
    client_as: ClientAs, expected: Expected, tracking_code: str
) -> tuple[str, list[str], list[str]]:
    """Found in its lead's list, accepted and assigned: its id, the departments suggested
    at acceptance, those assigned."""
    lead = client_as(expected.lead, Role.approver)
    listed = (await lead.get("/api/v1/reports", params={"limit": 200})).json()["items"]
    [report] = [r for r in listed if r["tracking_code"] == tracking_code]
    accepted = await take_step(lead, report["id"], {"action": "accept", "public_text": "已受理。"})
    assignment: dict[str, Any] = {"action": "assign"}
    if expected.recorder:
        assignment["handling_departments"] = expected.assigned()
    assigned = await take_step(lead, report["id"], assignment)
    return str(report["id"]), accepted["suggested_departments"], assigned["handling_departments"]


async def investigated_with_a_published_case(
    client_as: ClientAs, expected: Expected, report_id: str, marker: str
) -> dict[str, Any]:
    """The first handler: the photo, the investigation and its conclusion; the recorder: the
    inspection, the case and its notice. What the report shows afterwards."""
    handler = client_as(expected.handlers[0], Role.approver)
    recorder = client_as(expected.case_department(), Role.approver)
    report = (await handler.get(f"/api/v1/reports/{report_id}")).json()
    [evidence] = report["evidence"]
    download = await handler.get(f"/api/v1/reports/{report_id}/evidence/{evidence['id']}")
    assert download.status_code == 200 and download.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(download.content))
    assert dict(picture.getexif().get_ifd(GPS_IFD)) == {}
    assert marker.encode() not in download.content

    await take_step(handler, report_id, {"action": "start_investigation"})
    enterprise = await recorder.post(
        "/api/v1/enterprises", json=enterprise_body(jurisdiction=COUNTY)
    )
    assert enterprise.status_code == 201, enterprise.text
    inspection = await recorder.post(
        f"/api/v1/reports/{report_id}/inspections",
        json=inspection_body(enterprise.json()["id"]),
    )
    assert inspection.status_code == 201, inspection.text
    opened = await recorder.post(
        f"/api/v1/reports/{report_id}/cases",
        json=cases.create_body(
            expected.case_category, enterprise.json()["id"], inspection.json()["id"]
        ),
    )
    assert opened.status_code == 201, opened.text
    published = await cases.take(recorder, opened.json(), "publish")
    assert published["status"] == "publicized"
    await take_step(
        handler,
        report_id,
        {
            "action": "conclude",
            "result": "substantiated",
            "measures": "立案查处并公示。",
            "public_text": "经查举报属实，已立案并公示。",
        },
    )
    return dict((await handler.get(f"/api/v1/reports/{report_id}")).json())


@pytest.mark.parametrize("expected", EXPECTED, ids=[e.category for e in EXPECTED])
async def test_a_report_of_each_category_from_submission_to_the_reporters_answer(
    anonymous: httpx.AsyncClient, client_as: ClientAs, expected: Expected
) -> None:
    named_contact = {"name": "赵举报", "phone": "13700001111", "email": "zhao@example.cn"}
    receipts = {
        "anonymous": await a_report_with_a_photo(
            anonymous, submission(expected.category, contact=None), "MARKER-ANON-CAM"
        ),
        "named": await a_report_with_a_photo(
            anonymous, submission(expected.category, contact=named_contact), "MARKER-NAMED-CAM"
        ),
    }
    for who, lookup in receipts.items():
        tracked = await anonymous.post(RECEIPTS, json=lookup)
        assert tracked.status_code == 200, tracked.text
        assert tracked.json()["status"] == "received", who
        assert [e["kind"] for e in tracked.json()["history"]] == ["received", "evidence"]

    report_ids: dict[str, str] = {}
    for who, lookup in receipts.items():
        report_id, suggested, assigned = await triaged(client_as, expected, lookup["tracking_code"])
        assert suggested == list(expected.handlers), who
        assert assigned == expected.assigned(), who
        report_ids[who] = report_id
        marker = "MARKER-ANON-CAM" if who == "anonymous" else "MARKER-NAMED-CAM"
        shown = await investigated_with_a_published_case(client_as, expected, report_id, marker)
        assert shown["status"] == "concluded"
        [case] = shown["links"]["cases"]
        assert (case["category"], case["status"]) == (expected.case_category, "publicized")
        [notice] = shown["links"]["notices"]
        assert notice["case_id"] == case["id"]

    # Each reporter reads the department's answer with the receipt.
    for lookup in receipts.values():
        seen = (await anonymous.post(RECEIPTS, json=lookup)).json()
        assert (seen["status"], seen["answer"]) == ("concluded", "经查举报属实，已立案并公示。")
        assert seen["may_answer_satisfaction"] and seen["may_object"]

    # The anonymous reporter is satisfied: the lead closes the report.
    satisfied = await reporter_action(
        anonymous, receipts["anonymous"], action="answer_satisfaction", satisfaction="satisfied"
    )
    assert satisfied["satisfaction"] == "satisfied"
    lead = client_as(expected.lead, Role.approver)
    closed = await take_step(lead, report_ids["anonymous"], {"action": "close"})
    assert closed["status"] == "closed" and closed["contact"] is None
    seen = (await anonymous.post(RECEIPTS, json=receipts["anonymous"])).json()
    assert (seen["status"], seen["satisfaction"]) == ("closed", "satisfied")

    # The named reporter is not, and objects: the report is reopened for the lead, who sees
    # the reporter's contact as the named report's lead.
    await reporter_action(
        anonymous, receipts["named"], action="answer_satisfaction", satisfaction="dissatisfied"
    )
    objected = await reporter_action(
        anonymous, receipts["named"], action="object", text="企业仍在夜间生产。"
    )
    assert objected["status"] == "reopened" and not objected["may_object"]
    reopened = (await lead.get(f"/api/v1/reports/{report_ids['named']}")).json()
    assert reopened["status"] == "reopened", reopened
    assert reopened["contact"] == named_contact
    events = (await lead.get(f"/api/v1/reports/{report_ids['named']}/events")).json()["items"]
    assert [e["action"] or e["kind"] for e in events] == [
        "received",
        "evidence",
        "accept",
        "assign",
        "start_investigation",
        "conclude",
        "satisfaction",
        "object",
    ]
