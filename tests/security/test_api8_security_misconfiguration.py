"""OWASP API8:2023 Security Misconfiguration.

What an attacker looks for in how the service is set up rather than in what it does:

* a `Host` header the service believes: `Host: evil.example` written into the Atom
  feed's ids and links and into `Location` headers (cache poisoning, links that send
  readers elsewhere; issue 14, item 7): absolute URLs come from the configured public
  base URL, and an unknown host is refused (400 `untrusted_host`);
* forwarding headers believed from anyone: a made-up `X-Forwarded-For` from a local
  client passing as many clients to get past the public rate limit (issue 14, item 7):
  they are believed only from the configured proxies;
* a server that names its software (`server: uvicorn`);
* answers a browser may sniff, frame or cache, docs pages that would run injected
  script (issue 14, item 8): `nosniff`, a Content-Security-Policy, `X-Frame-Options`,
  `Referrer-Policy` on every answer, HSTS when configured, `no-store` on what a principal
  reads;
* production started on development defaults (a public base URL of 127.0.0.1, every
  peer trusted as a proxy): refused at start.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.config import (
    Environment,
    InsecureConfiguration,
    Settings,
    check_production_ready,
)
from capacity_exit.core.hosts import HostCheck, allowed_hosts
from capacity_exit.main import create_app
from tests.conftest import ClientAs, TokenFor
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.factories import enterprise_body
from tests.fixtures.live_server import live_server

PUBLIC = "https://capexit.siping.gov.cn"
ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "/api/v1/disclosures/feed.atom"
PROBLEM = "application/problem+json"
EVIL = "evil.example"


@asynccontextmanager
async def _served(
    settings: Settings, token: str | None = None, **update: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built with these settings changed (the test client's Host is
    `testserver`, admitted in tests)."""
    app = create_app(settings.model_copy(update=update))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
        ) as client:
            yield client
    finally:
        await app.state.database.dispose()


# --- Host ----------------------------------------------------------------------------------


async def test_location_comes_from_the_public_base_url_whatever_the_host(
    settings: Settings, token_for: TokenFor
) -> None:
    token = token_for(f"{COUNTY}-ecoenv", Role.officer)
    async with _served(settings, token, public_base_url=PUBLIC) as client:
        for host in ("testserver", "127.0.0.1:8000", "localhost"):
            body = enterprise_body()
            created = await client.post(
                "/api/v1/enterprises",
                json=body,
                headers={"Host": host, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "http"},
            )
            assert created.status_code == 201, created.text
            assert created.headers["location"] == (
                f"{PUBLIC}/api/v1/enterprises/{created.json()['id']}"
            )


async def test_the_feed_names_the_public_base_url_whatever_the_host(
    settings: Settings, token_for: TokenFor
) -> None:
    token = token_for(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    async with _served(settings, token, public_base_url=f"{PUBLIC}/") as client:
        case = await take(client, await open_case(client, "illegal"), "publish")
        response = await client.get(
            FEED, params={"category": "illegal"}, headers={"Host": "localhost:8000"}
        )
    assert response.status_code == 200, response.text
    feed = ElementTree.fromstring(response.content)
    assert feed.findtext(f"{ATOM}id") == f"{PUBLIC}{FEED}?category=illegal"
    [own] = feed.findall(f"{ATOM}link[@rel='self']")
    assert own.get("href") == f"{PUBLIC}{FEED}?category=illegal"
    [entry] = feed.findall(f"{ATOM}entry")
    [link] = entry.findall(f"{ATOM}link")
    href = link.get("href", "")
    assert href.startswith(f"{PUBLIC}/api/v1/disclosures/") and href.endswith("/document")
    assert "localhost" not in response.text and case["id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", FEED), ("GET", "/api/v1/disclosures"), ("POST", "/api/v1/enterprises"),
     ("GET", "/docs"), ("GET", "/openapi.json")],
)  # fmt: skip
async def test_an_unknown_host_is_refused(client_as: ClientAs, method: str, path: str) -> None:
    client = client_as(f"{COUNTY}-ecoenv", Role.officer)
    response = await client.request(
        method, path, json=enterprise_body() if method == "POST" else None, headers={"Host": EVIL}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "untrusted_host"
    assert EVIL not in response.text  # not reflected
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_health_probes_answer_by_any_address(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/healthz", headers={"Host": "10.1.2.3:8000"})
    assert response.status_code == 200


def test_production_serves_only_its_own_hosts(tmp_path: Path) -> None:
    production = Settings(
        env=Environment.production, var_dir=tmp_path, public_base_url=f"{PUBLIC}/"
    )
    check = HostCheck(allowed_hosts(production))
    assert check.allows("capexit.siping.gov.cn") and check.allows("capexit.siping.gov.cn:443")
    for host in (
        "testserver",
        "127.0.0.1:8000",
        "localhost",
        EVIL,
        "",
        "capexit.siping.gov.cn.evil.example",
    ):
        assert not check.allows(host), host
    listed = production.model_copy(update={"allowed_hosts": ["*.siping.gov.cn", "10.0.0.5"]})
    check = HostCheck(allowed_hosts(listed))
    assert check.allows("open.siping.gov.cn") and check.allows("10.0.0.5:8000")
    assert not check.allows("siping.gov.cn.evil.example") and not check.allows("testserver")
    with pytest.raises(ValueError, match="not a host name"):
        allowed_hosts(production.model_copy(update={"allowed_hosts": ["*"]}))


def test_production_refuses_development_defaults_for_urls_and_proxies(tmp_path: Path) -> None:
    production = Settings(
        env=Environment.production, database_url="postgresql+asyncpg://u@h/db", var_dir=tmp_path
    )
    with pytest.raises(InsecureConfiguration, match="CAPEXIT_PUBLIC_BASE_URL"):
        check_production_ready(production)
    with pytest.raises(InsecureConfiguration, match="CAPEXIT_TRUSTED_PROXIES"):
        check_production_ready(
            production.model_copy(update={"public_base_url": PUBLIC, "trusted_proxies": ["*"]})
        )


def test_host_and_proxy_lists_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPEXIT_ALLOWED_HOSTS", "capexit.siping.gov.cn, *.siping.gov.cn")
    monkeypatch.setenv("CAPEXIT_TRUSTED_PROXIES", '["10.0.0.1", "10.8.0.0/16"]')
    settings = Settings()
    assert settings.allowed_hosts == ["capexit.siping.gov.cn", "*.siping.gov.cn"]
    assert settings.trusted_proxies == ["10.0.0.1", "10.8.0.0/16"]


# --- the live server: forwarding headers and the server header -----------------------------

LIMITED = "/api/v1/calendar/days/2026-12-01"


def _burst(base: str, count: int) -> list[int]:
    """`count` requests from one loopback client, each claiming another address."""
    with httpx.Client(base_url=base, timeout=10) as http:
        return [
            http.get(LIMITED, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(1, count + 1)
        ]


def test_a_forged_x_forwarded_for_does_not_get_past_the_rate_limit(
    database_url: str, tmp_path: Path
) -> None:
    with live_server(database_url, tmp_path, CAPEXIT_PUBLIC_RATE_LIMIT="3") as base:
        statuses = _burst(base, 5)
        answer = httpx.get(f"{base}/healthz")
    assert statuses == [200, 200, 200, 429, 429]  # one client (the peer), whatever it says
    assert "server" not in answer.headers


def test_forwarding_headers_are_believed_from_a_configured_proxy(
    database_url: str, tmp_path: Path
) -> None:
    env = {"CAPEXIT_PUBLIC_RATE_LIMIT": "3", "CAPEXIT_TRUSTED_PROXIES": "127.0.0.1"}
    with live_server(database_url, tmp_path, **env) as base:
        spread = _burst(base, 5)  # five clients behind the proxy
        with httpx.Client(base_url=base, timeout=10) as http:
            same = [
                http.get(LIMITED, headers={"X-Forwarded-For": "198.51.100.7"}).status_code
                for _ in range(4)
            ]
    assert spread == [200] * 5
    assert same == [200, 200, 200, 429]


# --- headers a browser needs ---------------------------------------------------------------

BASELINE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"


def _browser_headers(response: httpx.Response) -> None:
    for name, value in BASELINE.items():
        assert response.headers.get(name) == value, (name, response.request.url)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # off unless configured


async def test_every_answer_carries_the_browser_headers(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    await take(owner, await open_case(owner, "illegal"), "publish")
    [notice] = (await anonymous.get("/api/v1/disclosures")).json()["items"]
    document = await anonymous.get(notice["document"], headers={"Accept": "text/html"})
    assert document.headers["content-type"].startswith("text/html")
    # A notice's HTML loads nothing and runs nothing.
    assert document.headers["content-security-policy"].startswith(DOCUMENT_POLICY)
    answers = [
        document,
        await anonymous.get(notice["document"], headers={"Accept": "text/plain"}),
        await anonymous.get("/api/v1/disclosures"),
        await anonymous.get(FEED),
        await anonymous.get("/api/v1/city-summaries"),
        await anonymous.get("/api/v1/disclosures/00000000-0000-7000-8000-000000000000"),  # 404
        await owner.get("/api/v1/enterprises"),
        await owner.post("/api/v1/enterprises", json={}),  # 422
        await anonymous.get("/api/v1/enterprises"),  # 401
        await anonymous.get("/healthz"),
        await anonymous.get("/openapi.json"),
        await anonymous.get("/docs-static/swagger-ui.css"),
    ]
    for response in answers:
        _browser_headers(response)


async def test_an_unexpected_error_carries_them_too(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/boom")
    finally:
        await app.state.database.dispose()
    assert response.status_code == 500
    _browser_headers(response)
    assert response.headers["cache-control"] == "no-store"


async def test_hsts_is_sent_when_configured(settings: Settings) -> None:
    async with _served(settings, hsts_seconds=31_536_000) as client:
        for path in ("/api/v1/disclosures", "/healthz", "/docs"):
            response = await client.get(path)
            assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_authenticated_answers_are_not_stored_and_public_ones_keep_their_caching(
    client_as: ClientAs, anonymous: httpx.AsyncClient
) -> None:
    officer = client_as(f"{COUNTY}-ecoenv", Role.officer)
    created = await officer.post("/api/v1/enterprises", json=enterprise_body())
    for response in (
        created,
        await officer.get(created.headers["location"]),
        await officer.get("/api/v1/enterprises"),
        await officer.get("/api/v1/auth/me"),
        await officer.get("/api/v1/auth/jwks.json"),  # public, but asked with a token
        await officer.get("/api/v1/nothing-here"),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
    public = await anonymous.get("/api/v1/auth/jwks.json")
    assert public.headers["cache-control"] == "public, max-age=300"
    listing = await anonymous.get("/api/v1/disclosures")
    assert "no-store" not in listing.headers.get("cache-control", "")


def _inline_script_hashes(page: str) -> set[str]:
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    }


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_docs_pages_run_only_their_own_scripts(
    anonymous: httpx.AsyncClient, path: str
) -> None:
    response = await anonymous.get(path)
    assert response.status_code == 200
    _browser_headers(response)
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in response.headers["content-security-policy"].split("; ")
    )
    assert policy["default-src"] == ["'none'"]
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert set(scripts) == {"'self'", *_inline_script_hashes(response.text)}
    assert not any(s.startswith(("http", "*")) for values in policy.values() for s in values)
    # What the page loads is served here, under that policy.
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', response.text):
        assert (await anonymous.get(asset)).status_code == 200, asset
