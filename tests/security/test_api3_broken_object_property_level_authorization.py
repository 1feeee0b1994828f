"""OWASP API3:2023 Broken Object Property Level Authorization.

An attacker who may read or write an object tries to read or write properties of it
that are not theirs:

* read a credit push's stored platform answers (excerpts, which a hostile or echoing
  platform may have filled with our credentials) with a role that does not act on them
  (issue 14, item 6): a viewer or officer gets the push and its attempts without the
  excerpt; an approver or administrator reads it, redacted;
* read account secrets: no answer (account lists, the account, the audit log of its
  creation and rotation) carries a secret hash, and a secret appears once, `no-store`;
* mass assignment: set server-owned properties (`id`, `version`, `status`, timestamps,
  the department, an account's `disabled` or `secret_hash`, a push's `status`) in a body:
  refused (422 with a pointer to the property), never stored.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.credit import delivery, outbox
from capacity_exit.credit.records import Trigger
from tests.conftest import ClientAs
from tests.fixtures.credit import FakeCredit, pushes_of, sample_record
from tests.fixtures.factories import enterprise_body

COUNTY = "220322"
ADMIN = (f"{COUNTY}-ecoenv", Role.admin)


async def _delivered_push(client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit) -> str:
    owner = client_as(f"{COUNTY}-miit", Role.officer)
    enterprise = (await owner.post("/api/v1/enterprises", json=enterprise_body())).json()
    async with app.state.database.sessionmaker() as session, session.begin():
        [push, *_] = await outbox.add(
            session,
            sample_record(1, enterprise["name"], enterprise["credit_code"]),
            trigger=Trigger.manual,
            enterprise_id=uuid.UUID(enterprise["id"]),
            jurisdiction_code=COUNTY,
            case_id=None,
        )
    async with delivery.new_client() as client:
        assert await fake_credit.worker().run_once(client) == 3
    return str(push.id)


@pytest.mark.parametrize(
    ("roles", "reads_excerpts"),
    [
        ((Role.viewer,), False),
        ((Role.officer,), False),
        ((Role.lead,), False),
        ((Role.approver,), True),
        ((Role.admin,), True),
    ],
)
async def test_only_approvers_and_administrators_read_what_a_platform_answered(
    client_as: ClientAs,
    app: FastAPI,
    fake_credit: FakeCredit,
    roles: tuple[Role, ...],
    reads_excerpts: bool,
) -> None:
    push_id = await _delivered_push(client_as, app, fake_credit)
    reader = client_as(f"{COUNTY}-miit", *roles)
    response = await reader.get(f"/api/v1/credit-pushes/{push_id}")
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["status"] == "delivered"  # the push itself is readable to every role
    [attempt] = detail["attempt_log"]
    assert attempt["status_code"] == 200
    if reads_excerpts:
        assert json.loads(attempt["response_excerpt"])["key"] == detail["idempotency_key"]
    else:
        assert attempt["response_excerpt"] is None
    # Nor does the list, for anyone.
    [listed] = [p for p in await pushes_of(reader) if p["id"] == push_id]
    assert "attempt_log" not in listed and "response_excerpt" not in json.dumps(listed)


def _no_secret_in(text: str, *secrets: str) -> None:
    """Neither a secret nor its hash (the audit log may name the field, redacted)."""
    assert "$argon2" not in text, text[:500]
    for secret in secrets:
        assert secret not in text, text[:500]


async def test_account_secrets_are_shown_once_and_their_hashes_never(
    client_as: ClientAs,
) -> None:
    admin = client_as(*ADMIN)
    created = await admin.post(
        "/api/v1/accounts",
        json={
            "kind": "service",
            "login": "api3.gateway",
            "display_name": "信用网关",
            "department": f"{COUNTY}-ecoenv",
            "roles": ["viewer"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    secret = created.json()["secret"]
    account = created.json()["account"]
    assert "secret_hash" not in account
    _no_secret_in(json.dumps(account), secret)
    rotated = await admin.post(
        f"/api/v1/accounts/{account['id']}/rotate-secret",
        json={},
        headers={"If-Match": created.headers["etag"]},
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    for path in (
        "/api/v1/accounts",
        f"/api/v1/accounts/{account['id']}",
        "/api/v1/audit-events?limit=200",
    ):
        response = await admin.get(path)
        assert response.status_code == 200, (path, response.text)
        _no_secret_in(response.text, secret, new_secret)
        if "audit" not in path:
            assert "secret_hash" not in response.text


async def _refused(response: httpx.Response, *pointers: str) -> None:
    assert response.status_code == 422, response.text
    found = {e.get("pointer") for e in response.json()["errors"]}
    assert set(pointers) <= found, (pointers, found)


SERVER_OWNED = {
    "id": "00000000-0000-7000-8000-000000000001",
    "version": 99,
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
}


async def test_server_owned_properties_cannot_be_set_on_create(client_as: ClientAs) -> None:
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    body: dict[str, Any] = {**enterprise_body(), **SERVER_OWNED}
    await _refused(
        await officer.post("/api/v1/enterprises", json=body), *(f"/{k}" for k in SERVER_OWNED)
    )
    assert (await officer.get("/api/v1/enterprises")).json()["items"] == []


async def test_server_owned_properties_cannot_be_patched(client_as: ClientAs) -> None:
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    created = await officer.post("/api/v1/enterprises", json=enterprise_body())
    enterprise = created.json()
    for field, value in {**SERVER_OWNED, "jurisdiction_code": "220323"}.items():
        response = await officer.patch(
            f"/api/v1/enterprises/{enterprise['id']}",
            json={field: value},
            headers={"If-Match": created.headers["etag"]},
        )
        await _refused(response, f"/{field}")
    after = (await officer.get(f"/api/v1/enterprises/{enterprise['id']}")).json()
    assert after == enterprise


async def test_an_account_cannot_be_created_disabled_hashed_or_elsewhere(
    client_as: ClientAs,
) -> None:
    admin = client_as(*ADMIN)
    base = {
        "kind": "user",
        "login": "api3.user",
        "display_name": "张三",
        "department": f"{COUNTY}-ecoenv",
        "roles": ["officer"],
    }
    for extra in (
        {"secret_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"},
        {"disabled": True},
        {"id": SERVER_OWNED["id"]},
        {"secret_rotated_at": "2020-01-01T00:00:00Z"},
    ):
        [(field, _)] = extra.items()
        await _refused(await admin.post("/api/v1/accounts", json={**base, **extra}), f"/{field}")
    listed = (await admin.get("/api/v1/accounts")).json()["items"]
    assert [a for a in listed if a["login"] == "api3.user"] == []


async def test_a_push_cannot_be_created_delivered(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit
) -> None:
    approver = client_as(f"{COUNTY}-ecoenv", Role.approver)
    response = await approver.post(
        "/api/v1/credit-pushes",
        json={
            "case_id": str(uuid.uuid4()),
            "kind": "listing",
            "reason": "推送",
            "status": "delivered",
            "delivered_at": "2026-11-30T00:00:00Z",
        },
    )
    await _refused(response, "/status", "/delivered_at")
