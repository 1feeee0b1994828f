"""OWASP API2:2023 Broken Authentication.

What an attacker tries, to get or keep a token they should not have:

* guessing a password with many parallel requests, so that the guesses race past the
  login lock: each one read the count before any wrote it, the count stayed low and
  far more guesses than the limit were checked, a 500 for most of the first burst, and
  the right password accepted after a hundred failures (issue 14, item 1). Whatever the
  concurrency, at most the limit of guesses is checked against the account (counted in
  the audit log), the rest are 429 with `Retry-After`, and the right password is
  refused until the lock has expired;
* a token that never expires, from a key the service trusts: `exp` far in the future
  or written as a string, `iat` / `nbf` as strings, or a lifetime (`exp - iat`) beyond
  what its issuer may grant, our own or an external one (issue 14, item 4);
* and, for the record, the forgeries that already failed: `alg: none`, HS256 signed
  with the public key, tampered claims, tokens in query strings (tests/auth/test_tokens.py).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from jose import jwt as jose_jwt  # the external issuer's own tooling

from capacity_exit.auth import tokens
from capacity_exit.auth.jwt import encode
from capacity_exit.auth.keys import key_set
from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core import clock
from capacity_exit.core.keys import generate_private_pem, verification_key
from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE
from capacity_exit.main import create_app
from tests.conftest import ClientAs
from tests.fixtures import forge
from tests.fixtures.factories import enterprise_body

TOKEN_URL = "/api/v1/auth/token"
PASSWORD = "the right password 2026"
BURST = 30


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A token-less client that sees a 500 as a response, as an attacker would."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", timeout=120
    ) as client:
        yield client


async def _account(client_as: ClientAs, kind: str) -> tuple[str, str]:
    """A login and its secret: a Lishu user with a chosen password, or a service account."""
    body: dict[str, object] = {
        "kind": kind,
        "login": f"target.{kind}",
        "display_name": "目标",
        "department": "220322-ecoenv",
        "roles": ["officer"],
    }
    if kind == "user":
        body["password"] = PASSWORD
    response = await client_as("220322-miit", Role.admin).post("/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    return created["account"]["login"], created["secret"]


def _form(kind: str, login: str, secret: str) -> dict[str, str]:
    if kind == "user":
        return {"grant_type": "password", "username": login, "password": secret}
    return {"grant_type": "client_credentials", "client_id": login, "client_secret": secret}


async def _burst(http: httpx.AsyncClient, forms: list[dict[str, str]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(http.post(TOKEN_URL, data=form) for form in forms)))


async def _checked(client_as: ClientAs, login: str) -> list[str]:
    """The audit log's record of the guesses checked against `login` and found wrong, as a
    city administrator reads it."""
    admin = client_as("220300-miit", Role.admin)
    response = await admin.get(
        "/api/v1/audit-events", params={"object_type": "login", "object_id": login, "limit": 200}
    )
    assert response.status_code == 200, response.text
    return [event["action"] for event in response.json()["items"]]


def _assert_refused_for_now(responses: list[httpx.Response], lockout: int) -> None:
    for response in responses:
        assert response.status_code == 429, response.text
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert 0 < int(response.headers["retry-after"]) <= lockout


@pytest.mark.parametrize("kind", ["user", "service", "unknown"])
async def test_parallel_guesses_never_get_past_the_lock(
    kind: str, http: httpx.AsyncClient, client_as: ClientAs, settings: Settings
) -> None:
    limit, lockout = settings.login_max_failures, settings.login_lockout_seconds
    if kind == "unknown":  # a name that is no account: throttled alike, tells nothing
        login, secret, form_kind = "nobody.at.all", "", "user"
    else:
        login, secret = await _account(client_as, kind)
        form_kind = kind

    first = await _burst(
        http, [_form(form_kind, login, f"guess {i:02d} wrong") for i in range(BURST)]
    )
    statuses = Counter(r.status_code for r in first)
    assert statuses == {401: limit - 1, 429: BURST - limit + 1}, statuses
    _assert_refused_for_now([r for r in first if r.status_code == 429], lockout)
    assert await _checked(client_as, login) == ["auth.login_failed"] * limit

    if kind == "unknown":
        return
    # Another burst with the right secret among the guesses: every one refused unchecked.
    forms = [_form(kind, login, f"guess {i:02d} again") for i in range(BURST - 1)]
    second = await _burst(http, [*forms, _form(kind, login, secret)])
    _assert_refused_for_now(second, lockout)
    assert await _checked(client_as, login) == ["auth.login_failed"] * limit

    # The right secret is refused until the lock expires, and then accepted.
    refused = await http.post(TOKEN_URL, data=_form(kind, login, secret))
    _assert_refused_for_now([refused], lockout)
    wait = int(refused.headers["retry-after"])
    clock.start_at(clock.utcnow() + timedelta(seconds=wait - 10))
    _assert_refused_for_now([await http.post(TOKEN_URL, data=_form(kind, login, secret))], 10)
    clock.start_at(clock.utcnow() + timedelta(seconds=11))
    accepted = await http.post(TOKEN_URL, data=_form(kind, login, secret))
    assert accepted.status_code == 200, accepted.text
    assert await _checked(client_as, login) == ["auth.login_failed"] * limit


# --- tokens that never expire ---------------------------------------------------------


def _our_token(settings: Settings, **changes: object) -> str:
    """A token of ours with changed claims, signed with the service's own key: what a
    leaked signing pipeline, a confused peer or a careless script could produce."""
    good, _ = tokens.issue(
        settings, subject="attacker", department="220322-ecoenv", roles=[Role.viewer], kind="test"
    )
    return encode({**forge.claims_of(good), **changes}, key_set(settings).signing)


async def _status(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def _assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_our_tokens_cannot_be_made_to_live_longer(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    now, ttl = tokens.token_now(), settings.access_token_ttl_seconds
    attacks: dict[str, dict[str, Any]] = {
        "exp 10**30": {"exp": 10**30},
        "exp as a string": {"exp": str(now + 600)},
        "iat as a string": {"iat": str(now)},
        "nbf as a string": {"nbf": str(now)},
        "exp as a list": {"exp": [now + 600]},
        "exp Infinity": {"exp": float("inf")},
        "lifetime beyond the TTL": {"iat": now, "nbf": now, "exp": now + ttl + 1},
        "iat backdated": {"iat": now - 86_400, "nbf": now, "exp": now + 600},
    }
    for name, changes in attacks.items():
        response = await _status(http, _our_token(settings, **changes))
        assert response.status_code == 401, (name, response.text)
        _assert_invalid_token(response)
    ok = await _status(http, _our_token(settings, iat=now, nbf=now, exp=now + ttl))
    assert ok.status_code == 200, ok.text


@pytest.fixture
async def with_external_issuer(
    settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The app trusting an external identity provider (ES256, one key, no kid), with the
    external lifetime cap at 600 s; the client and the provider's private key."""
    pem = generate_private_pem()
    (tmp_path / "idp.pub.pem").write_text(verification_key(pem).public_pem)
    issuers = tmp_path / "issuers.json"
    issuers.write_text(
        json.dumps(
            [
                {
                    "issuer": "https://idp.jl.gov.example",
                    "audience": settings.jwt_audience,
                    "algorithms": ["ES256"],
                    "public_key_file": "idp.pub.pem",
                }
            ]
        )
    )
    configured = settings.model_copy(
        update={"trusted_issuers_file": issuers, "external_token_max_lifetime_seconds": 600}
    )
    app = create_app(configured)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client, pem.decode()
    await app.state.database.dispose()


async def test_external_tokens_live_at_most_the_configured_cap(
    with_external_issuer: tuple[httpx.AsyncClient, str], settings: Settings
) -> None:
    client, key = with_external_issuer
    now = tokens.token_now()

    def token(iat: object, exp: object) -> str:
        claims = {
            "iss": "https://idp.jl.gov.example", "aud": settings.jwt_audience, "sub": "idp:9",
            "iat": iat, "exp": exp, "dept": "220322-ecoenv", "roles": ["viewer"],
        }  # fmt: skip
        return str(jose_jwt.encode(claims, key, algorithm="ES256"))

    assert (await _status(client, token(now, now + 600))).status_code == 200
    _assert_invalid_token(await _status(client, token(now, now + 601)))
    _assert_invalid_token(await _status(client, token(now, 10**30)))
    _assert_invalid_token(await _status(client, token(now, str(now + 300))))
    _assert_invalid_token(await _status(client, token(str(now), now + 300)))


async def test_a_subject_too_long_to_audit_is_refused_not_a_500(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    """A signed token whose subject the audit log cannot hold is refused before it
    acts: a write under it would otherwise fail when audited (a 500 on PostgreSQL)."""
    now = tokens.token_now()
    claims = {"iat": now, "nbf": now, "exp": now + 600, "roles": ["officer"]}

    async def create(subject: str) -> httpx.Response:
        token = _our_token(settings, sub=subject, **claims)
        return await http.post(
            "/api/v1/enterprises",
            json=enterprise_body(),
            headers={"Authorization": f"Bearer {token}"},
        )

    refused = await create("s" * 101)
    _assert_invalid_token(refused)
    assert refused.json()["code"] == "invalid_token"
    accepted = await create("s" * 100)
    assert accepted.status_code == 201, accepted.text
