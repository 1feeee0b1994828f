"""OWASP API5:2023 Broken Function Level Authorization.

What an attacker with a legitimate but lesser token tries, to call functions meant for
others:

* a county's administrator changing what the whole city shares: loading a year's
  calendar (`PUT /calendar/years/{year}`) moves every department's deadlines (issue 14,
  item 5). Reference data, the calendar and credit targets are administered at the
  administering level only (the city, or `CAPEXIT_ADMINISTRATION_LEVEL`): a county's or
  the province's administrator is refused with 403 and nothing changes;
* a county administrator climbing to the city: creating an admin account in a city
  department (403), or an admin account of its own county, which still administers
  nothing city-wide;
* any role without `admin` — each alone or all together — calling the administration
  functions (accounts, the calendar, verifying the audit chain): 403;
* a viewer calling every write operation of the contract: 403, before anything about
  the target is looked up or validated (no 404 or 422 that would tell what exists).

Every function is found from the app's own contract (`x-access`), so a new one is
covered without editing this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from tests.conftest import ClientAs

YEAR_URL = "/api/v1/calendar/years/2033"
CITY_ADMIN = "220300-miit"
COUNTY_ADMIN = "220322-ecoenv"  # the department of the probe
SCHEDULE = {
    "notice": "国务院办公厅关于2033年部分节假日安排的通知（伪造）",
    "holidays": [{"date": "2033-01-03", "name": "元旦"}],
    "adjusted_workdays": [],
}


def _operations(app: FastAPI) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operation id, method, path with its parameters filled, policy) of every
    protected operation."""
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            policy = operation.get("x-access", {})
            if policy and not policy.get("public"):
                yield operation["operationId"], method.upper(), _filled(path), policy


def _filled(path: str) -> str:
    """Path parameters with values of the right type for nothing that exists."""
    return path.replace("{year}", "2033").replace("{date}", "2033-01-03").format_map(_AnyId())


class _AnyId(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return str(uuid.uuid4())


async def _send(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    # A body of the right media type that no operation accepts: the guard must answer first.
    body: dict[str, object] | None = None if method in {"GET", "DELETE"} else {}
    return await client.request(method, url, json=body, headers={"If-Match": '"1"'})


async def test_a_county_administrator_cannot_load_the_citys_calendar(
    client_as: ClientAs,
) -> None:
    before = await client_as(None).get(YEAR_URL)
    etag = before.headers["etag"]
    for department in (COUNTY_ADMIN, "220322-miit", "220000-miit"):
        # Every role at once changes nothing: the level decides.
        refused = await client_as(department, *Role).put(
            YEAR_URL, json=SCHEDULE, headers={"If-Match": etag}
        )
        assert refused.status_code == 403, (department, refused.text)
        assert refused.json()["code"] == "administration_level"
    after = await client_as(None).get(YEAR_URL)
    assert after.json() == before.json() and after.headers["etag"] == etag

    loaded = await client_as(CITY_ADMIN, Role.admin).put(
        YEAR_URL, json=SCHEDULE, headers={"If-Match": etag}
    )
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["source"] == "loaded"


async def test_every_administration_function_refuses_other_levels(
    app: FastAPI, client_as: ClientAs
) -> None:
    administered = [op for op in _operations(app) if op[3]["scope"] == "administration"]
    assert {op[0] for op in administered} >= {"load_calendar_year"}
    for department in (COUNTY_ADMIN, "220000-miit"):
        client = client_as(department, *Role)
        for operation_id, method, url, _policy in administered:
            response = await _send(client, method, url)
            assert response.status_code == 403, (operation_id, department, response.text)


async def test_a_county_administrator_cannot_climb_to_the_city(client_as: ClientAs) -> None:
    county_admin = client_as("220322-miit", Role.admin)
    account = {
        "kind": "user",
        "login": "climber.admin",
        "display_name": "越权",
        "department": CITY_ADMIN,
        "roles": ["admin"],
        "password": "a long enough password",
    }
    refused = await county_admin.post("/api/v1/accounts", json=account)
    assert refused.status_code == 403, refused.text

    own = await county_admin.post("/api/v1/accounts", json={**account, "department": "220322-miit"})
    assert own.status_code == 201, own.text
    token = await client_as(None).post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "climber.admin",
            "password": account["password"],
        },
    )
    assert token.status_code == 200, token.text
    as_new_admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
    etag = (await client_as(None).get(YEAR_URL)).headers["etag"]
    load = await client_as(None).put(
        YEAR_URL, json=SCHEDULE, headers={**as_new_admin, "If-Match": etag}
    )
    assert load.status_code == 403, load.text


@pytest.mark.parametrize("roles", [*([r] for r in Role if r != Role.admin), "all but admin"])
async def test_no_other_role_reaches_an_administration_function(
    app: FastAPI, client_as: ClientAs, roles: list[Role] | str
) -> None:
    held = [r for r in Role if r != Role.admin] if roles == "all but admin" else list(roles)
    # A city department: only the role, not the level, stands in the way.
    client = client_as(CITY_ADMIN, *held)
    admin_only = [op for op in _operations(app) if op[3]["roles"] == ["admin"]]
    assert {op[0] for op in admin_only} >= {"load_calendar_year", "create_account"}
    for operation_id, method, url, _policy in admin_only:
        response = await _send(client, method, url)
        assert response.status_code == 403, (operation_id, held, response.text)
        assert response.json()["code"] == "role_required", (operation_id, response.text)


async def test_a_viewer_reaches_no_write(app: FastAPI, client_as: ClientAs) -> None:
    viewer = client_as(COUNTY_ADMIN, Role.viewer)
    writes = [
        op
        for op in _operations(app)
        if op[1] not in {"GET", "HEAD"} and Role.viewer.value not in op[3]["roles"]
    ]
    assert len(writes) >= 15
    for operation_id, method, url, _policy in writes:
        response = await _send(viewer, method, url)
        assert response.status_code == 403, (operation_id, response.text)
        assert response.json()["code"] == "role_required", (operation_id, response.text)
