from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from capacity_exit.auth.models import LoginThrottle
from capacity_exit.auth.roles import Role
from capacity_exit.core.clock import utcnow
from capacity_exit.core.db import Database
from tests.conftest import ClientAs

TOKEN_URL = "/api/v1/auth/token"


async def _account(admin: httpx.AsyncClient, kind: str = "user", **extra: object) -> dict[str, Any]:
    body = {
        "kind": kind,
        "login": f"login.{kind}.{len(str(extra))}",
        "display_name": "测试",
        "department": "220322-ecoenv",
        "roles": ["officer"],
        **extra,
    }
    response = await admin.post("/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _login(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await client.post(
        TOKEN_URL, data={"grant_type": "password", "username": login, "password": password}
    )


async def test_password_grant_gives_a_token_that_works(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    admin = client_as("220322-miit", Role.admin)
    created = await _account(admin, password="correct horse battery")
    response = await _login(anonymous, created["account"]["login"], "correct horse battery")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    token = response.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 900
    me = await anonymous.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["department"] == "220322-ecoenv"
    assert me.json()["roles"] == ["officer"]
    assert me.json()["readable_jurisdictions"] == ["220322"]


async def test_client_credentials_in_form_or_basic(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    admin = client_as("220322-miit", Role.admin)
    created = await _account(admin, kind="service")
    client_id, secret = created["account"]["login"], created["secret"]
    form = await anonymous.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert form.status_code == 200, form.text
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    header = await anonymous.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert header.status_code == 200, header.text
    # A service account cannot use the password grant.
    assert (await _login(anonymous, client_id, secret)).status_code == 401


async def test_wrong_password_is_401_with_a_challenge(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    created = await _account(client_as("220322-miit", Role.admin))
    response = await _login(anonymous, created["account"]["login"], "not the password")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_grant"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_repeated_failures_are_throttled(
    client_as: ClientAs, anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    created = await _account(client_as("220322-miit", Role.admin), password="the right one!")
    login = created["account"]["login"]
    statuses = [(await _login(anonymous, login, f"wrong {i}")).status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = await _login(anonymous, login, "the right one!")
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 300
    # Unknown names are throttled the same way: probing tells nothing.
    unknown = [(await _login(anonymous, "nobody.here", "x" * 12)).status_code for _ in range(5)]
    assert unknown[-1] == 429

    # When the lockout has passed, the right password works again and clears the count.
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.login == login)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert (await _login(anonymous, login, "the right one!")).status_code == 200
    assert (await _login(anonymous, login, "wrong again")).status_code == 401


async def test_disabled_account_cannot_log_in_and_its_tokens_stop(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    admin = client_as("220322-miit", Role.admin)
    created = await _account(admin, password="a good password")
    account = created["account"]
    token = (await _login(anonymous, account["login"], "a good password")).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert (await anonymous.get("/api/v1/auth/me", headers=auth)).status_code == 200

    disabled = await admin.post(
        f"/api/v1/accounts/{account['id']}/disable", headers={"If-Match": '"1"'}
    )
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert (await anonymous.get("/api/v1/auth/me", headers=auth)).status_code == 401
    assert (await _login(anonymous, account["login"], "a good password")).status_code == 401

    enabled = await admin.post(
        f"/api/v1/accounts/{account['id']}/enable", headers={"If-Match": '"2"'}
    )
    assert enabled.status_code == 200
    assert (await anonymous.get("/api/v1/auth/me", headers=auth)).status_code == 200


async def test_rotation_replaces_the_secret(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    admin = client_as("220322-miit", Role.admin)
    created = await _account(admin, kind="service")
    account, old = created["account"], created["secret"]
    rotated = await admin.post(
        f"/api/v1/accounts/{account['id']}/rotate-secret", json={}, headers={"If-Match": '"1"'}
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old

    def grant(secret: str) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": account["login"],
            "client_secret": secret,
        }

    assert (await anonymous.post(TOKEN_URL, data=grant(old))).status_code == 401
    assert (await anonymous.post(TOKEN_URL, data=grant(new))).status_code == 200
    stale = await admin.post(
        f"/api/v1/accounts/{account['id']}/rotate-secret", json={}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_accounts_are_scoped_and_secrets_never_listed(client_as: ClientAs) -> None:
    lishu_admin = client_as("220322-miit", Role.admin)
    city_admin = client_as("220300-miit", Role.admin)
    mine = (await _account(lishu_admin))["account"]
    tiexi = await city_admin.post(
        "/api/v1/accounts",
        json={
            "kind": "user",
            "login": "tiexi.user",
            "display_name": "铁西",
            "department": "220302-ecoenv",
            "roles": ["viewer"],
        },
    )
    assert tiexi.status_code == 201
    listed = (await lishu_admin.get("/api/v1/accounts")).json()["items"]
    assert [a["id"] for a in listed] == [mine["id"]]
    assert all("secret" not in a and "secret_hash" not in a for a in listed)
    city_listed = (await city_admin.get("/api/v1/accounts")).json()["items"]
    assert {a["login"] for a in city_listed} == {mine["login"], "tiexi.user"}
    refused = await lishu_admin.post(
        "/api/v1/accounts",
        json={**_body("x.other"), "department": "220302-ecoenv"},
    )
    assert refused.status_code == 403


async def test_service_accounts_get_a_generated_secret_only(client_as: ClientAs) -> None:
    admin = client_as("220322-miit", Role.admin)
    response = await admin.post(
        "/api/v1/accounts", json={**_body("svc.one"), "kind": "service", "password": "x" * 20}
    )
    assert response.status_code == 422
    taken = await admin.post("/api/v1/accounts", json=_body("dup.login"))
    again = await admin.post("/api/v1/accounts", json=_body("dup.login"))
    assert (taken.status_code, again.status_code) == (201, 409)


def _body(login: str) -> dict[str, object]:
    return {
        "kind": "user",
        "login": login,
        "display_name": "测试",
        "department": "220322-ecoenv",
        "roles": ["viewer"],
    }


async def test_control_characters_in_credentials_are_refused_cleanly(
    anonymous: httpx.AsyncClient,
) -> None:
    nul = await anonymous.post(
        TOKEN_URL, data={"grant_type": "password", "username": "p\x00x", "password": "a\x00b"}
    )
    assert nul.status_code == 422
    basic = base64.b64encode(b"svc\x00:secret").decode()
    refused = await anonymous.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert refused.status_code == 401
