"""The report platform under dozens of simultaneous requests (一(一)5): what is claimed
once (a receipt for one Idempotency-Key, a handling step at one version, the reporter's
one objection) is claimed once, and nothing is lost.

Run on both stores; on PostgreSQL the requests really overlap in the database.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs
from tests.fixtures import reports

pytestmark = pytest.mark.seed("一(一)5")

LEAD = "220322-miit"
HANDLER = "220322-ecoenv"
RECEIPTS = "/api/v1/report-receipts"


async def _scalar(app: FastAPI, sql: str, **params: Any) -> Any:
    async with app.state.database.sessionmaker() as session:
        return await session.scalar(text(sql), params)


async def test_thirty_simultaneous_submissions_with_one_key_make_one_report(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    body = {**reports.SUBMISSION, "altcha": await reports.solved(anonymous)}
    headers = {"Idempotency-Key": "form-submit-7c41"}
    answers = await asyncio.gather(
        *(anonymous.post(reports.SUBMIT_URL, json=body, headers=headers) for _ in range(30))
    )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1  # one receipt, given to every retry
    receipt = answers[0].json()
    assert await _scalar(app, "SELECT count(*) FROM reports") == 1
    assert await _scalar(app, "SELECT count(*) FROM spent_challenges") == 1
    lookup = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}
    assert (await anonymous.post(RECEIPTS, json=lookup)).json()["status"] == "received"


async def test_thirty_simultaneous_submissions_each_get_their_own_receipt(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    bodies = [{**reports.SUBMISSION, "altcha": await reports.solved(anonymous)} for _ in range(30)]
    answers = await asyncio.gather(*(anonymous.post(reports.SUBMIT_URL, json=b) for b in bodies))
    assert [a.status_code for a in answers] == [201] * 30, [a.text for a in answers]
    assert len({a.json()["tracking_code"] for a in answers}) == 30
    assert await _scalar(app, "SELECT count(*) FROM reports") == 30


async def test_thirty_simultaneous_acceptances_at_one_version_accept_once(
    client_as: ClientAs,
) -> None:
    report_id = await reports.submitted(client_as)
    lead = client_as(LEAD, Role.approver)
    etag = (await lead.get(f"/api/v1/reports/{report_id}")).headers["ETag"]
    answers = await asyncio.gather(
        *(
            lead.post(
                f"/api/v1/reports/{report_id}/transitions",
                json={"action": "accept"},
                headers={"If-Match": etag},
            )
            for _ in range(30)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 29, [a.text for a in answers if a.status_code != 412]
    events = (await lead.get(f"/api/v1/reports/{report_id}/events")).json()["items"]
    assert [e["action"] for e in events].count("accept") == 1


async def test_thirty_simultaneous_objections_reopen_once(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    receipt = (await reports.submit_report(anonymous, reports.SUBMISSION)).json()
    lookup = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}
    lead = client_as(LEAD, Role.approver)
    listed = (await lead.get("/api/v1/reports")).json()["items"]
    [report] = [r for r in listed if r["tracking_code"] == receipt["tracking_code"]]
    await reports.take_step(lead, report["id"], {"action": "accept"})
    await reports.take_step(
        lead, report["id"], {"action": "assign", "handling_departments": [HANDLER]}
    )
    handler = client_as(HANDLER, Role.approver)
    await reports.take_step(handler, report["id"], {"action": "start_investigation"})
    conclusion = {"result": "unsubstantiated", "measures": "现场核查。", "public_text": "未发现。"}
    await reports.take_step(handler, report["id"], {"action": "conclude", **conclusion})

    objection = lookup | {"action": "object", "text": "企业仍在生产。"}
    answers = await asyncio.gather(
        *(anonymous.post(f"{RECEIPTS}/actions", json=objection) for _ in range(30))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 29, [a.text for a in answers]
    events = (await lead.get(f"/api/v1/reports/{report['id']}/events")).json()["items"]
    assert [e["action"] for e in events].count("object") == 1
    assert (await anonymous.post(RECEIPTS, json=lookup)).json()["status"] == "reopened"
