"""The report platform's periodic jobs with the clock moved: the overdue scan finds a
late acceptance and a late conclusion on the working day after their due dates, counted
across a holiday, and marks each stage once; retention erases a closed report's contact
and keeps the report."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.jobs import PeriodicJob
from capacity_exit.report import jobs
from capacity_exit.report.models import Report
from capacity_exit.worker import registry
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.reports import submit_report

pytestmark = pytest.mark.seed("一(一)5")

COUNTY, LEAD = "220322", "220322-miit"
NAME, PHONE, EMAIL = "保存期限标记人", "13700001111", "retention-9c2d@example.cn"


def submission(named: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "resurgence",
        "enterprise": {"name": "梨树县某某铸造厂", "address": "梨树镇工业路8号"},
        "county": COUNTY,
        "what_was_seen": "已拆除的中频炉夜间恢复生产。",
    }
    if named:
        body |= {"anonymous": False, "contact": {"name": NAME, "phone": PHONE, "email": EMAIL}}
    return body


async def submit(anonymous: httpx.AsyncClient, named: bool = False) -> dict[str, Any]:
    answer = await submit_report(anonymous, submission(named))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def report_id_of(client: httpx.AsyncClient, receipt: dict[str, Any]) -> str:
    items = (await client.get("/api/v1/reports")).json()["items"]
    [found] = [r for r in items if r["tracking_code"] == receipt["tracking_code"]]
    return str(found["id"])


async def step(client: httpx.AsyncClient, report_id: str, **body: Any) -> dict[str, Any]:
    etag = (await client.get(f"/api/v1/reports/{report_id}")).headers["ETag"]
    answer = await client.post(
        f"/api/v1/reports/{report_id}/transitions", json=body, headers={"If-Match": etag}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def run_job(app: FastAPI, settings: Settings, name: str) -> None:
    """Run the registered job as the worker does: judged by the business day."""
    job = registry.registry(settings)[name]
    assert isinstance(job, PeriodicJob) and job.enabled
    await job.run(app.state.database, clock.business_today())


async def overdue_events(client: httpx.AsyncClient, report_id: str) -> list[dict[str, Any]]:
    events = (await client.get(f"/api/v1/reports/{report_id}/events")).json()["items"]
    return [e for e in events if e["kind"] == "overdue"]


async def scan_on(app: FastAPI, travel_to: TravelTo, day: str) -> list[tuple[str, str]]:
    travel_to(day)
    return [
        (str(m.report.id), m.stage)
        for m in await jobs.scan_overdue(app.state.database, dt.date.fromisoformat(day))
    ]


async def test_late_acceptance_and_conclusion_are_marked_the_working_day_after_across_national_day(
    app: FastAPI, settings: Settings, anonymous: httpx.AsyncClient, client_as: ClientAs,
    travel_to: TravelTo,
) -> None:  # fmt: skip
    lead = client_as(LEAD, Role.approver)
    travel_to("2026-09-28")  # a Monday; 10-01..07 off, Saturday 10-10 worked (调休)
    waiting = await submit(anonymous)
    answered_in_time = await submit(anonymous)
    # Five working days: 9-29, 9-30, 10-08, 10-09 and the adjusted Saturday 10-10.
    assert waiting["acceptance_due"] == "2026-10-10"
    waiting_id = await report_id_of(lead, waiting)
    in_time_id = await report_id_of(lead, answered_in_time)
    travel_to("2026-10-09")
    await step(
        lead, in_time_id, action="reject", rejection_reason="insufficient", public_text="线索不足。"
    )

    # Counted without the holiday it would have been due on 10-05; on the due day
    # itself it is not late either.
    for day in ("2026-10-06", "2026-10-09", "2026-10-10"):
        assert await scan_on(app, travel_to, day) == [], day
    travel_to("2026-10-11")
    await run_job(app, settings, jobs.OVERDUE_SCAN)  # the registered job, as the worker runs it
    [mark] = await overdue_events(lead, waiting_id)
    assert (mark["from_state"], mark["business_date"]) == ("received", "2026-10-11")
    assert "2026-10-10" in mark["text"]
    assert await overdue_events(lead, in_time_id) == []
    listed = (await lead.get("/api/v1/reports", params={"overdue": "true"})).json()["items"]
    assert [r["id"] for r in listed] == [waiting_id]
    # A second run, the next day or the same, marks nothing again.
    assert await scan_on(app, travel_to, "2026-10-11") == []
    assert await scan_on(app, travel_to, "2026-10-12") == []
    assert len(await overdue_events(lead, waiting_id)) == 1

    # The reporter sees it on the receipt.
    seen = await anonymous.post(
        "/api/v1/report-receipts",
        json={"tracking_code": waiting["tracking_code"], "secret": waiting["secret"]},
    )
    assert [e["kind"] for e in seen.json()["history"]] == ["received", "overdue"]

    # Accepted late, it is judged again at its conclusion: a second stage, a second mark.
    late = await step(lead, waiting_id, action="accept")
    due = late["conclusion_due"]
    assert due == "2026-11-23"  # 30 working days after Monday 10-12
    assert await scan_on(app, travel_to, due) == []
    day_after = (dt.date.fromisoformat(due) + dt.timedelta(days=1)).isoformat()
    assert await scan_on(app, travel_to, day_after) == [(waiting_id, "conclusion")]
    assert await scan_on(app, travel_to, day_after) == []
    assert [e["from_state"] for e in await overdue_events(lead, waiting_id)] == [
        "received",
        "accepted",
    ]
    async with app.state.database.sessionmaker() as session:
        actions = (
            await session.execute(
                text("SELECT count(*) FROM audit_events WHERE action = 'report.mark_overdue'")
            )
        ).scalar_one()
    assert actions == 2


async def test_a_late_conclusion_is_found_after_the_spring_festival_not_before(
    app: FastAPI, anonymous: httpx.AsyncClient, client_as: ClientAs, travel_to: TravelTo
) -> None:
    lead = client_as(LEAD, Role.approver)
    travel_to("2026-02-09")
    investigated = await submit(anonymous)
    concluded = await submit(anonymous)
    ids = [await report_id_of(lead, r) for r in (investigated, concluded)]
    travel_to("2026-02-10")
    for report_id in ids:
        accepted = await step(lead, report_id, action="accept")
        # 2-15..2-23 off, Saturdays 2-14 and 2-28 worked: due 3-30, not 3-24.
        assert accepted["conclusion_due"] == "2026-03-30"
        await step(lead, report_id, action="assign")
    handler = client_as(LEAD, Role.approver)
    travel_to("2026-03-20")
    await step(handler, ids[1], action="start_investigation")
    await step(
        handler, ids[1], action="conclude", result="unsubstantiated", measures="现场核查。",
        public_text="经核查，未发现生产迹象。",
    )  # fmt: skip
    assert await scan_on(app, travel_to, "2026-03-25") == []
    assert await scan_on(app, travel_to, "2026-03-30") == []
    assert await scan_on(app, travel_to, "2026-03-31") == [(ids[0], "conclusion")]
    assert await scan_on(app, travel_to, "2026-04-01") == []
    assert await overdue_events(lead, ids[1]) == []


async def contact_column(app: FastAPI, report_id: str) -> bytes | None:
    async with app.state.database.sessionmaker() as session:
        value = await session.scalar(
            select(Report.contact_sealed).where(Report.id == uuid.UUID(report_id))
        )
    return bytes(value) if value is not None else None


async def test_retention_erases_a_closed_reports_contact_and_keeps_the_report(
    app: FastAPI, settings: Settings, anonymous: httpx.AsyncClient, client_as: ClientAs,
    travel_to: TravelTo,
) -> None:  # fmt: skip
    assert settings.report_contact_retention_days == 180
    lead = client_as(LEAD, Role.approver)
    rejected = await submit(anonymous, named=True)
    still_open = await submit(anonymous, named=True)
    rejected_id = await report_id_of(lead, rejected)
    open_id = await report_id_of(lead, still_open)
    await step(
        lead, rejected_id, action="reject", rejection_reason="out_of_scope",
        public_text="不属于受理范围。",
    )  # fmt: skip

    travel_to("2027-05-28")  # 179 days after the rejection on 2026-11-30
    await run_job(app, settings, jobs.CONTACT_RETENTION)
    kept = (await lead.get(f"/api/v1/reports/{rejected_id}")).json()
    assert kept["contact"] == {"name": NAME, "phone": PHONE, "email": EMAIL}
    assert kept["contact_erased"] is False
    assert await contact_column(app, rejected_id) is not None

    travel_to("2027-05-29")  # 180 days
    await run_job(app, settings, jobs.CONTACT_RETENTION)
    assert await contact_column(app, rejected_id) is None
    gone = (await lead.get(f"/api/v1/reports/{rejected_id}")).json()
    assert (gone["contact"], gone["contact_erased"], gone["status"]) == (None, True, "rejected")
    assert gone["what_was_seen"] == "已拆除的中频炉夜间恢复生产。"  # the report stays
    events = (await lead.get(f"/api/v1/reports/{rejected_id}/events")).json()["items"]
    assert events[-1]["kind"] == "contact_erased"
    # The open report keeps its contact, and the receipt still works.
    assert (await lead.get(f"/api/v1/reports/{open_id}")).json()["contact"]["name"] == NAME
    receipt = await anonymous.post(
        "/api/v1/report-receipts",
        json={"tracking_code": rejected["tracking_code"], "secret": rejected["secret"]},
    )
    assert receipt.status_code == 200
    async with app.state.database.sessionmaker() as session:
        erasures = (
            await session.execute(
                text("SELECT after_state FROM audit_events WHERE action = 'report.erase_contact'")
            )
        ).all()
    assert len(erasures) == 1
    for marker in (NAME, PHONE, EMAIL):
        assert marker not in repr(erasures)

    await run_job(app, settings, jobs.CONTACT_RETENTION)  # again: nothing left to erase
    events = (await lead.get(f"/api/v1/reports/{rejected_id}/events")).json()["items"]
    assert [e["kind"] for e in events].count("contact_erased") == 1


async def test_a_reopened_report_gets_a_review_due_date_and_its_own_late_mark(
    app: FastAPI, anonymous: httpx.AsyncClient, client_as: ClientAs, travel_to: TravelTo
) -> None:
    lead = client_as(LEAD, Role.approver)
    travel_to("2026-02-09")
    receipt = await submit(anonymous)
    report_id = await report_id_of(lead, receipt)
    travel_to("2026-02-10")
    assert (await step(lead, report_id, action="accept"))["conclusion_due"] == "2026-03-30"
    await step(lead, report_id, action="assign")
    await step(lead, report_id, action="start_investigation")
    # Concluded late: the first stage is marked once, after 3-30.
    assert await scan_on(app, travel_to, "2026-03-31") == [(report_id, "conclusion")]
    await step(
        lead, report_id, action="conclude", result="unsubstantiated", measures="现场核查。",
        public_text="经核查，未发现生产迹象。",
    )  # fmt: skip
    lookup = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}
    objected = await anonymous.post(
        "/api/v1/report-receipts/actions", json=lookup | {"action": "object", "text": "仍在生产。"}
    )
    assert objected.json()["status"] == "reopened", objected.text
    travel_to("2026-04-07")  # a Tuesday, after 清明 (4-04..4-06 off)
    reassigned = await step(lead, report_id, action="reassign", public_text="复查。")
    # 30 working days from 4-07: 17 in April, then May Day (5-01..5-05 off) and the
    # Saturday 5-09 worked: the 30th is 5-21.
    assert reassigned["conclusion_due"] == "2026-05-21"
    assert reassigned["accepted_on"] == "2026-02-10"
    assert await scan_on(app, travel_to, "2026-05-21") == []
    assert await scan_on(app, travel_to, "2026-05-22") == [(report_id, "conclusion")]
    assert await scan_on(app, travel_to, "2026-05-25") == []
    assert len(await overdue_events(lead, report_id)) == 2
