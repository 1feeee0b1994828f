"""The report platform through HTTP: submission, receipt, handling, scope, contact."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures.reports import submit_report

pytestmark = pytest.mark.seed("一(一)5")

NAME, PHONE, EMAIL = "举报人标记甲乙丙", "13912345678", "marker-7f3a@example.cn"


def submission(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "resurgence",
        "enterprise": {"name": "梨树县某某铸造厂", "address": "梨树镇工业路8号"},
        "county": "220322",
        "what_was_seen": "已拆除的中频炉夜间恢复生产。",
        "seen_on": "2026-11-25",
    }
    body.update(overrides)
    return body


def named() -> dict[str, Any]:
    return submission(anonymous=False, contact={"name": NAME, "phone": PHONE, "email": EMAIL})


async def submit(
    anonymous: httpx.AsyncClient, body: dict[str, Any], **headers: str
) -> httpx.Response:
    return await submit_report(anonymous, body, headers)


async def report_id_of(client: httpx.AsyncClient, code: str) -> str:
    items = (await client.get("/api/v1/reports")).json()["items"]
    [found] = [r for r in items if r["tracking_code"] == code]
    return str(found["id"])


async def step(client: httpx.AsyncClient, report_id: str, body: dict[str, Any]) -> httpx.Response:
    etag = (await client.get(f"/api/v1/reports/{report_id}")).headers["ETag"]
    return await client.post(
        f"/api/v1/reports/{report_id}/transitions", json=body, headers={"If-Match": etag}
    )


async def test_submission_answers_a_receipt_due_in_five_working_days(
    anonymous: httpx.AsyncClient,
) -> None:
    answer = await submit(anonymous, submission())
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["status"] == "received"
    # Pinned Monday 2026-11-30: five working days later is Monday 2026-12-07.
    assert (receipt["received_on"], receipt["acceptance_due"]) == ("2026-11-30", "2026-12-07")
    assert len(receipt["tracking_code"]) == 14 and len(receipt["secret"]) >= 40


async def test_the_receipt_shows_the_report_and_a_wrong_secret_is_an_unknown_code(
    anonymous: httpx.AsyncClient,
) -> None:
    receipt = (await submit(anonymous, submission())).json()
    typed = {"tracking_code": receipt["tracking_code"].lower(), "secret": receipt["secret"]}
    right = await anonymous.post("/api/v1/report-receipts", json=typed)
    assert right.status_code == 200, right.text
    assert right.json()["status"] == "received"
    assert [e["kind"] for e in right.json()["history"]] == ["received"]
    wrong = await anonymous.post(
        "/api/v1/report-receipts",
        json={"tracking_code": receipt["tracking_code"], "secret": receipt["secret"] + "x"},
    )
    unknown = await anonymous.post(
        "/api/v1/report-receipts",
        json={"tracking_code": "0000-0000-0000", "secret": receipt["secret"]},
    )
    assert wrong.status_code == unknown.status_code == 404

    def strip(r: httpx.Response) -> dict[str, Any]:
        return {k: v for k, v in r.json().items() if k not in ("instance", "request_id")}

    assert strip(wrong) == strip(unknown)
    assert wrong.json()["code"] == "receipt_not_found"


async def test_the_same_idempotency_key_and_body_give_the_same_receipt(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    first = await submit(anonymous, named(), **{"Idempotency-Key": "k-5b1e"})
    again = await submit(anonymous, named(), **{"Idempotency-Key": "k-5b1e"})
    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json()
    other = await submit(anonymous, submission(), **{"Idempotency-Key": "k-5b1e"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    async with app.state.database.sessionmaker() as session:
        stored = " ".join(
            str(row)
            for row in (await session.execute(text("SELECT * FROM idempotency_keys"))).all()
        )
        count = await session.scalar(text("SELECT count(*) FROM reports"))
    assert first.json()["secret"] not in stored
    assert count == 1


async def test_contact_columns_are_not_plaintext(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    receipt = (await submit(anonymous, named())).json()
    async with app.state.database.sessionmaker() as session:
        rows = (await session.execute(text("SELECT * FROM reports"))).all()
        events = (await session.execute(text("SELECT * FROM report_events"))).all()
        audit = (await session.execute(text("SELECT * FROM audit_events"))).all()
    everything = repr(rows) + repr(events) + repr(audit)
    for marker in (NAME, PHONE, EMAIL, receipt["secret"]):
        assert marker not in everything
        assert marker.encode() not in b"".join(
            v for row in rows for v in row if isinstance(v, bytes | memoryview)
        )


async def test_the_contact_is_shown_to_the_lead_and_handlers_only_and_audited(
    anonymous: httpx.AsyncClient, client_as: ClientAs, app: FastAPI
) -> None:
    receipt = (await submit(anonymous, named())).json()
    lead = client_as("220322-miit", Role.approver)
    report_id = await report_id_of(lead, receipt["tracking_code"])
    shown = (await lead.get(f"/api/v1/reports/{report_id}")).json()
    assert shown["contact"] == {"name": NAME, "phone": PHONE, "email": EMAIL}
    other = client_as("220322-tax", Role.approver)  # same county, not handling it
    assert (await other.get(f"/api/v1/reports/{report_id}")).json()["contact"] is None
    listed = (await lead.get("/api/v1/reports")).json()["items"]
    assert all(r["contact"] is None for r in listed)
    async with app.state.database.sessionmaker() as session:
        reads = (
            await session.execute(
                text("SELECT after_state FROM audit_events WHERE action = 'report.contact_read'")
            )
        ).all()
    assert len(reads) == 1
    assert PHONE not in repr(reads) and NAME not in repr(reads)


async def test_another_countys_report_is_not_found(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    receipt = (await submit(anonymous, submission())).json()
    report_id = await report_id_of(client_as("220322-miit", Role.officer), receipt["tracking_code"])
    elsewhere = client_as("220323-miit", Role.officer)
    assert (await elsewhere.get(f"/api/v1/reports/{report_id}")).status_code == 404
    assert (await elsewhere.get("/api/v1/reports")).json()["items"] == []
    city = client_as("220300-miit", Role.viewer)  # the city over its counties
    assert (await city.get(f"/api/v1/reports/{report_id}")).status_code == 200


async def test_steps_need_if_match(anonymous: httpx.AsyncClient, client_as: ClientAs) -> None:
    receipt = (await submit(anonymous, submission())).json()
    lead = client_as("220322-miit", Role.officer)
    report_id = await report_id_of(lead, receipt["tracking_code"])
    url = f"/api/v1/reports/{report_id}/transitions"
    missing = await lead.post(url, json={"action": "accept"})
    stale = await lead.post(url, json={"action": "accept"}, headers={"If-Match": '"7"'})
    assert (missing.status_code, stale.status_code) == (428, 412)


async def test_a_report_handled_to_the_end_and_reopened_by_the_reporter(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    receipt = (await submit(anonymous, submission())).json()
    lookup = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}
    lead = client_as("220322-miit", Role.approver)
    report_id = await report_id_of(lead, receipt["tracking_code"])
    handler = client_as("220322-market", Role.approver)
    assert (await step(handler, report_id, {"action": "accept"})).status_code == 403

    accepted = await step(lead, report_id, {"action": "accept", "public_text": "已受理。"})
    assert accepted.status_code == 200, accepted.text
    # Accepted Monday 2026-11-30: 30 working days later, New Year's Day 2027 left out;
    # provisional, as 2027's schedule is not yet confirmed.
    assert accepted.json()["conclusion_due"] == "2027-01-12"
    assert accepted.json()["conclusion_due_provisional"] is True
    assert accepted.json()["suggested_departments"] == ["220322-miit", "220322-market"]
    assigned = await step(lead, report_id, {"action": "assign"})
    assert assigned.json()["handling_departments"] == ["220322-miit", "220322-market"]

    info = await anonymous.post(
        "/api/v1/report-receipts/actions",
        json=lookup | {"action": "add_information", "text": "今晚又冒烟了。"},
    )
    assert info.status_code == 200, info.text

    assert (await step(handler, report_id, {"action": "start_investigation"})).status_code == 200
    incomplete = await step(handler, report_id, {"action": "conclude", "result": "substantiated"})
    assert incomplete.status_code == 422
    concluded = await step(
        handler,
        report_id,
        {
            "action": "conclude",
            "result": "substantiated",
            "measures": "责令停产，拆除设备。",
            "public_text": "举报属实，已责令停产并拆除中频炉。",
        },
    )
    assert concluded.json()["status"] == "concluded", concluded.text
    early_close = await step(lead, report_id, {"action": "close"})
    assert (early_close.status_code, early_close.json()["code"]) == (409, "guard_failed")

    seen = (await anonymous.post("/api/v1/report-receipts", json=lookup)).json()
    assert seen["answer"] == "举报属实，已责令停产并拆除中频炉。" and seen["may_object"]
    objection = await anonymous.post(
        "/api/v1/report-receipts/actions",
        json=lookup | {"action": "object", "text": "设备并未拆除。"},
    )
    assert objection.json()["status"] == "reopened", objection.text
    twice = await anonymous.post(
        "/api/v1/report-receipts/actions",
        json=lookup | {"action": "object", "text": "again"},
    )
    assert twice.status_code == 409
    reassigned = await step(
        lead,
        report_id,
        {"action": "reassign", "handling_departments": ["220322-ecoenv"], "public_text": "复查。"},
    )
    assert reassigned.json()["handling_departments"] == ["220322-ecoenv"]

    events = (await lead.get(f"/api/v1/reports/{report_id}/events")).json()["items"]
    assert [e["action"] or e["kind"] for e in events] == [
        "received",
        "accept",
        "assign",
        "information",
        "start_investigation",
        "conclude",
        "object",
        "reassign",
    ]


async def test_a_rejection_as_duplicate_names_the_other_report(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    first = (await submit(anonymous, submission())).json()
    second = (await submit(anonymous, submission())).json()
    lead = client_as("220322-miit", Role.approver)
    first_id = await report_id_of(lead, first["tracking_code"])
    second_id = await report_id_of(lead, second["tracking_code"])
    body = {"action": "reject", "rejection_reason": "duplicate", "public_text": "重复举报。"}
    assert (await step(lead, second_id, body)).status_code == 422
    rejected = await step(lead, second_id, body | {"related_report_id": first_id})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["related_report_id"] == first_id


async def test_overdue_reports_are_listed_for_the_lead(
    anonymous: httpx.AsyncClient, client_as: ClientAs, travel_to: Any
) -> None:
    await submit(anonymous, submission())
    lead = client_as("220322-miit", Role.officer)
    assert (await lead.get("/api/v1/reports?overdue=true")).json()["items"] == []
    travel_to("2026-12-07")  # the due day itself: not yet overdue
    assert (await lead.get("/api/v1/reports?overdue=true")).json()["items"] == []
    travel_to("2026-12-08")
    [late] = (await lead.get("/api/v1/reports?overdue=true")).json()["items"]
    assert late["overdue"] is True


async def test_a_county_outside_the_city_and_an_unpublished_notice_are_refused(
    anonymous: httpx.AsyncClient,
) -> None:
    retired = await submit(anonymous, submission(county="220381"))
    assert (retired.status_code, retired.json()["code"]) == (422, "county_unknown")
    city = await submit(anonymous, submission(county="220300"))
    assert city.status_code == 422
    notice = await submit(
        anonymous, submission(disputed_notice_id="01935c1e-7a00-7c2e-9b1a-3f4d5e6a7b8c")
    )
    assert (notice.status_code, notice.json()["code"]) == (422, "notice_not_found")
