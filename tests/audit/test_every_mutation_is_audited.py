"""Every mutating operation of the app writes an audit event in its transaction.

Walks the app's own operations: each POST, PUT, PATCH and DELETE must be exercised
below (the access matrix's builders, plus the token endpoint), and each call must leave
an event carrying its request id. A future route that forgets to audit fails here.
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import select

from capacity_exit.audit.models import AuditEvent
from capacity_exit.auth.roles import Role
from capacity_exit.core.db import Database
from tests.auth.test_access_matrix import CALLER, MATRIX, REPORT, World, report_receipt
from tests.conftest import ClientAs
from tests.fixtures.reports import add_evidence, submit_report, tiny_png

MUTATING = {"post", "put", "patch", "delete"}
# POSTs that change nothing: the receipt travels in a body so it is never in a URL.
READS_BY_POST = {"look_up_report_receipt"}


async def _events_for(app: FastAPI, request_id: str) -> list[AuditEvent]:
    database: Database = app.state.database
    async with database.sessionmaker() as session:
        rows = await session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id))
        return list(rows.all())


async def _token_form(world: World) -> dict[str, str]:
    """Client credentials of a new service account."""
    created = await world.home.post(
        "/api/v1/accounts",
        json={
            "kind": "service",
            "login": f"audit.{uuid.uuid4().hex[:8]}",
            "display_name": "测试",
            "department": CALLER,
            "roles": ["viewer"],
        },
    )
    account = created.json()
    return {
        "grant_type": "client_credentials",
        "client_id": account["account"]["login"],
        "client_secret": account["secret"],
    }


async def test_every_mutating_operation_is_audited(app: FastAPI, client_as: ClientAs) -> None:
    operations = {
        operation["operationId"]: method
        for item in app.openapi()["paths"].values()
        for method, operation in item.items()
        if method in MUTATING
    }
    world = World(client_as)
    checked = set()
    for operation_id in sorted(operations):
        request_id = f"audit-walk-{uuid.uuid4().hex}"
        headers = {"X-Request-ID": request_id}
        if operation_id in READS_BY_POST:
            checked.add(operation_id)
            continue
        if operation_id == "submit_report":
            response = await submit_report(
                client_as(None), REPORT | {"county": CALLER[:6]}, headers
            )
        elif operation_id == "act_on_report_receipt":
            receipt = await report_receipt(world)
            body = {
                "tracking_code": receipt["tracking_code"],
                "secret": receipt["secret"],
                "action": "add_information",
                "text": "补充。",
            }
            response = await client_as(None).post(
                "/api/v1/report-receipts/actions", json=body, headers=headers
            )
        elif operation_id == "add_report_evidence":
            receipt = await report_receipt(world)
            response = await add_evidence(
                client_as(None), receipt, [("a.png", tiny_png(), "image/png")], headers
            )
        elif operation_id == "issue_token":
            form = await _token_form(world)
            response = await client_as(None).post("/api/v1/auth/token", data=form, headers=headers)
        else:
            assert operation_id in MATRIX, f"{operation_id}: no way to call it here"
            row = MATRIX[operation_id]
            call = await row.build(world, False)
            caller = client_as(row.department, *Role)
            response = await caller.request(
                call.method, call.url, json=call.json, headers={**call.headers, **headers}
            )
        assert 200 <= response.status_code < 300, (operation_id, response.text)
        events = await _events_for(app, request_id)
        assert events, f"{operation_id} changed something without an audit event"
        checked.add(operation_id)
    assert checked == set(operations)


async def test_a_failed_change_leaves_no_event(app: FastAPI, client_as: ClientAs) -> None:
    client = client_as(CALLER, Role.officer)
    response = await client.post(
        "/api/v1/enterprises",
        json={
            "name": "x",
            "credit_code": "914403001922038216",
            "address": "y",
            "jurisdiction": "220302",
        },
        headers={"X-Request-ID": "audit-refused-1"},
    )
    assert response.status_code == 403
    assert await _events_for(app, "audit-refused-1") == []


async def test_events_are_visible_in_scope(client_as: ClientAs) -> None:
    lishu = client_as(CALLER, Role.officer)
    created = await lishu.post(
        "/api/v1/enterprises",
        json={
            "name": "梨树水泥",
            "credit_code": "914403001922038216",
            "address": "梨树县",
            "jurisdiction": "220322",
        },
    )
    enterprise_id = created.json()["id"]
    mine = await lishu.get("/api/v1/audit-events", params={"object_id": enterprise_id})
    [event] = mine.json()["items"]
    assert event["action"] == "enterprise.create"
    assert event["subject"] == f"test:{CALLER}"
    assert event["after_state"]["credit_code"] == "914403001922038216"
    other = client_as("220302-ecoenv", Role.viewer)
    hidden = await other.get("/api/v1/audit-events", params={"object_id": enterprise_id})
    assert hidden.json()["items"] == []
    verify = await client_as("220300-miit", Role.admin).get("/api/v1/audit-events/verify")
    assert verify.json()["ok"] is True


async def test_time_filters_take_rfc3339_only(client_as: ClientAs) -> None:
    admin = client_as("220300-miit", Role.admin)
    assert (await admin.get("/api/v1/audit-events", params={"until": "0.5"})).status_code == 422
    assert (
        await admin.get("/api/v1/audit-events", params={"since": "2026-11-28T09:00:00"})
    ).status_code == 422
    ok = await admin.get("/api/v1/audit-events", params={"since": "2026-01-01T00:00:00+08:00"})
    assert ok.status_code == 200
