"""OWASP API Security Top 10 (2023), API9: Improper Inventory Management.

What an attacker probes for: routes the contract does not list (a forgotten debug or
test endpoint, an old API version still answering, an alias of a documented path), an
operation served without the access policy it declares, documentation pages that call
out to the internet, and error answers that show the server's internals (a stack trace,
a file path, the SQL that failed). The served contract equals the committed one
(tests/test_openapi_contract.py); here the served app is held to the contract.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import OperationalError

from capacity_exit.auth.dependencies import current_principal
from capacity_exit.config import Environment, Settings
from capacity_exit.credit import targets
from capacity_exit.main import create_app
from tests.fixtures.credit import write_targets

API = "/api/v1"
# Served but not operations of the contract: the documentation (README "Two commands",
# docs/decisions.md "Docs offline"), the contract itself, and `/` pointing at them.
DOCUMENTATION = {
    ("GET", "/"),
    ("GET", "/openapi.json"),
    ("HEAD", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}
# Served outside the contract for operators: Prometheus metrics, on in development and
# tests, off in production unless a token file is set (docs/operations.md, "Metrics").
MONITORING = {("GET", "/metrics")}
DOCS_ASSETS = "/docs-static"
PROBLEM = "application/problem+json"
# Outside the API prefix, only these contract paths are served.
UNPREFIXED = {"/healthz", "/readyz"}


def _pem_key(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _challenge_key(path: Path) -> Path:
    path.write_text(secrets.token_hex(32) + "\n")
    return path


def _report_key(path: Path) -> Path:
    path.write_bytes(base64.b64encode(secrets.token_bytes(32)))
    return path


def production_settings(settings: Settings, directory: Path) -> Settings:
    """The suite's settings with every production requirement met by real files, so
    `check_production_ready` lets the app start as production builds it."""
    return settings.model_copy(
        update={
            "env": Environment.production,
            "jwt_signing_key_file": _pem_key(directory / "jwt.pem"),
            "audit_key_file": _pem_key(directory / "audit.pem"),
            "report_contact_key_file": _report_key(directory / "report-contact.key"),
            "credit_targets_file": write_targets(directory, "https://credit.example.gov.cn"),
            "report_challenge_key_file": _challenge_key(directory / "report_challenge_key"),
            "public_base_url": "https://capacity-exit.example.gov.cn",
            "allowed_hosts": ["testserver"],  # the test client's Host
        }
    )


@pytest.fixture(scope="module")
async def production_app(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    application = create_app(production_settings(settings, tmp_path_factory.mktemp("prod")))
    try:
        yield application
    finally:
        targets.install(settings)  # the app installed its targets process-wide
        await application.state.database.dispose()


def _client(application: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application, raise_app_exceptions=False),
        base_url="http://testserver",
    )


def _served(application: FastAPI) -> dict[tuple[str, str], Any]:
    """(method, path) -> route, for every route the app answers, in the contract or not."""
    served: dict[tuple[str, str], Any] = {}
    for route in iter_route_contexts(application.routes):
        path = route.path_format or ""
        if path.startswith(DOCS_ASSETS):
            continue  # a static mount, checked by the docs tests
        for method in route.methods or ():
            served[(method, path)] = route
    return served


def _contract(application: FastAPI) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in application.openapi()["paths"].items()
        for method, operation in item.items()
    }


@pytest.mark.parametrize("build", ["test", "production"])
def test_every_served_route_is_in_the_contract_and_nothing_else_is_served(
    build: str, app: FastAPI, production_app: FastAPI
) -> None:
    application = production_app if build == "production" else app
    served, contract = _served(application), _contract(application)
    undocumented = set(served) - set(contract) - DOCUMENTATION - MONITORING
    assert undocumented == set(), f"served but not in the contract: {sorted(undocumented)}"
    assert set(contract) <= set(served)
    # The only unversioned paths are the health probes and the documentation.
    for _, path in served:
        assert (
            path.startswith(f"{API}/")
            or path in UNPREFIXED
            or ("GET", path) in DOCUMENTATION | MONITORING
        )


def test_the_production_app_serves_the_same_routes_without_debug(
    app: FastAPI, production_app: FastAPI
) -> None:
    assert production_app.debug is False
    assert set(_served(production_app)) == set(_served(app)) - MONITORING


def test_each_operation_enforces_the_policy_it_declares(app: FastAPI) -> None:
    """`x-access` is what the contract promises; the route's dependencies are what runs.
    A public operation asks for no principal; every other one asks for a principal and
    guards exactly the roles it declares."""
    contract = _contract(app)
    for key, route in _served(app).items():
        if key in DOCUMENTATION | MONITORING:
            continue
        policy = contract[key].get("x-access")
        assert policy, f"{key} declares no access policy"
        dependencies = [d.dependency for d in route.dependencies]
        guarded = [
            d.roles for d in dependencies if isinstance(getattr(d, "roles", None), frozenset)
        ]
        if policy.get("public"):
            assert current_principal not in dependencies, key
            assert guarded == [], key
            continue
        assert current_principal in dependencies, f"{key} is served without a principal"
        assert [sorted(r.value for r in roles) for roles in guarded] == [policy["roles"]], key


def test_no_operation_is_deprecated_or_from_another_version(app: FastAPI) -> None:
    for key, operation in _contract(app).items():
        assert not operation.get("deprecated"), key
    # One server, this deployment itself: no second base path advertised.
    assert app.openapi()["servers"] == [{"url": "/", "description": "This deployment"}]


# What a scanner asks for first: debug and admin consoles, other versions, other
# spellings of the API's paths.
PROBES = [
    "/debug",
    "/_debug",
    f"{API}/debug",
    f"{API}/_test",
    "/admin",
    "/console",
    "/graphql",
    "/metrics",
    "/server-status",
    "/.env",
    "/swagger.json",
    "/swagger-ui.html",
    f"{API}/openapi.json",
    f"{API}/docs",
    "/api/v0/enterprises",
    "/api/v2/enterprises",
    "/api/enterprises",
    "/v1/enterprises",
    "/api/v1.0/enterprises",
    "/api/V1/enterprises",
    "/api/v1//enterprises",
    "/docs-static/",
    "/docs-static/../pyproject.toml",
]


@pytest.mark.parametrize("path", PROBES)
async def test_probed_paths_are_not_found(production_app: FastAPI, path: str) -> None:
    async with _client(production_app) as client:
        response = await client.get(path)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "not_found"


async def test_no_path_is_served_again_with_a_trailing_slash(app: FastAPI) -> None:
    """`/api/v1/enterprises/` is not an alias of `/api/v1/enterprises` (Starlette's
    redirect to it is built from the request's `Host`, not the public base URL): not
    found, like any other path the contract does not list."""
    paths = sorted(
        {
            path
            for method, path in _served(app)
            if method == "GET" and "{" not in path and path != "/"  # `/` ends in a slash
        }
    )
    async with _client(app) as client:
        for path in paths:
            response = await client.get(f"{path}/")
            assert response.status_code == 404, (path, response.status_code)
            assert "location" not in response.headers, path
            assert response.headers["content-type"] == PROBLEM, path


async def test_unserved_methods_are_405_problems(app: FastAPI) -> None:
    async with _client(app) as client:
        for method in ("TRACE", "DELETE", "PUT"):
            response = await client.request(method, f"{API}/enterprises")
            assert response.status_code == 405, (method, response.text)
            assert response.headers["content-type"] == PROBLEM
            assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


# --- the documentation works on a closed network ------------------------------------

_ABSOLUTE = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")
_CSS_REFERENCES = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+)""")


async def test_the_oauth2_redirect_page_names_no_other_host(production_app: FastAPI) -> None:
    async with _client(production_app) as client:
        page = await client.get("/docs/oauth2-redirect")
    assert page.status_code == 200
    assert _ABSOLUTE.findall(page.text) == []


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_stylesheets_load_nothing_from_elsewhere(
    production_app: FastAPI, page: str
) -> None:
    """The pages load their own assets (tests/core/test_docs.py); the stylesheets those
    assets are must not pull fonts or images from a CDN either."""
    async with _client(production_app) as client:
        html = (await client.get(page)).text
        stylesheets = re.findall(rf"""["']({DOCS_ASSETS}/[^"']+\.css)["']""", html)
        for href in stylesheets:
            css = await client.get(href)
            assert css.status_code == 200, href
            for a, b in _CSS_REFERENCES.findall(css.text):
                reference = a or b
                assert reference.startswith(("data:", "#")) or not re.match(
                    r"^(?:[a-z]+:)?//", reference
                ), (href, reference)


# --- errors never show the server's internals ---------------------------------------

SECRET_DETAIL = "password=hunter2 at /srv/capacity_exit/secret.py"


def _add_failing_routes(application: FastAPI) -> None:
    """Test-only routes on a private app instance (never on the product's routers)."""

    async def crash() -> None:
        raise RuntimeError(SECRET_DETAIL)

    async def database_failure() -> None:
        raise OperationalError(
            "SELECT secret_hash FROM accounts WHERE login = 'demo.city.admin'",
            {"login": "demo.city.admin"},
            Exception("FATAL: password authentication failed for user capexit_app"),
        )

    application.add_api_route("/_test/crash", crash, include_in_schema=False)
    application.add_api_route("/_test/database", database_failure, include_in_schema=False)


@pytest.fixture
async def failing_app(settings: Settings, tmp_path: Path) -> AsyncIterator[FastAPI]:
    application = create_app(production_settings(settings, tmp_path))
    _add_failing_routes(application)
    try:
        yield application
    finally:
        targets.install(settings)
        await application.state.database.dispose()


@pytest.mark.parametrize("path", ["/_test/crash", "/_test/database"])
async def test_an_internal_error_is_a_bare_problem_and_the_trace_is_only_logged(
    failing_app: FastAPI, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with _client(failing_app) as client:
        response = await client.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "internal_error"
    assert set(body) <= {"type", "title", "status", "detail", "instance", "code", "request_id"}
    for leak in (
        "Traceback",
        'File "',
        ".py",
        "RuntimeError",
        "OperationalError",
        "hunter2",
        "SELECT",
        "secret_hash",
        "capexit_app",
        "demo.city.admin",
    ):
        assert leak not in response.text, leak
    # Logged for the operators, with its trace, under the id the caller was given.
    assert body["request_id"] and response.headers["x-request-id"] == body["request_id"]
    [record] = [r for r in caplog.records if r.exc_info is not None]
    assert path in record.getMessage()
