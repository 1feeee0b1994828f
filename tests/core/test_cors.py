"""CORS (issue 16, item 5): what a browser page on another origin is told.

Through the whole app, as a browser would ask: the preflight `OPTIONS` it sends before
a request with a token or a JSON body, then the request itself. The real browser's view
is tests/core/test_cors_browser.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core.cors import allowed_origins
from capacity_exit.core.problems import PROBLEM_MEDIA_TYPE
from capacity_exit.main import create_app
from tests.conftest import TokenFor
from tests.fixtures.factories import enterprise_body

SPA = "http://localhost:5173"
OTHER = "https://portal.siping.gov.cn"
STRANGER = "https://evil.example"
LIST = "/api/v1/disclosures"
ENTERPRISES = "/api/v1/enterprises"
EXPOSED = {"etag", "location", "retry-after", "x-request-id", "idempotent-replayed"}


def _exposed(response: httpx.Response) -> set[str]:
    value = response.headers.get("access-control-expose-headers", "")
    return {name.strip().lower() for name in value.split(",") if name.strip()}


async def _served(settings: Settings, origins: list[str]) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings.model_copy(update={"cors_origins": origins}))
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await application.state.database.dispose()


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _served(settings, [SPA, f"{OTHER}/"]):
        yield client


def _preflight(origin: str, method: str = "POST", headers: str = "") -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return asked


async def test_a_preflight_from_an_allowed_origin_is_answered_before_any_token_check(
    http: httpx.AsyncClient,
) -> None:
    asked = _preflight(SPA, "POST", "authorization, content-type, idempotency-key")
    answer = await http.options(ENTERPRISES, headers=asked)
    assert answer.status_code == 204, answer.text
    assert answer.headers["access-control-allow-origin"] == SPA
    methods = {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PATCH", "PUT", "DELETE"} <= methods
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed
    assert answer.headers["access-control-max-age"] == "600"
    assert "origin" in answer.headers["vary"].lower()
    # Bearer tokens, never cookies: no credentials, ever.
    assert "access-control-allow-credentials" not in answer.headers
    # The other middleware still marks it (request id, browser headers).
    assert answer.headers["x-request-id"]
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_a_configured_origin_is_matched_as_browsers_send_it(http: httpx.AsyncClient) -> None:
    # Configured with a trailing slash; the browser sends the bare origin.
    answer = await http.options(LIST, headers=_preflight(OTHER, "GET"))
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == OTHER


@pytest.mark.parametrize(
    ("asked", "refused"),
    [
        (_preflight(STRANGER), "origin"),
        (_preflight(SPA, "TRACE"), "method"),
        (_preflight(SPA, "POST", "authorization, x-api-key"), "headers"),
    ],
)
async def test_a_preflight_that_asks_too_much_is_refused_and_grants_nothing(
    http: httpx.AsyncClient, asked: dict[str, str], refused: str
) -> None:
    answer = await http.options(ENTERPRISES, headers=asked)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert answer.json()["code"] == "cors_refused"
    assert refused in answer.json()["detail"]
    assert not [name for name in answer.headers if name.startswith("access-control-")]


async def test_a_simple_get_from_an_allowed_origin_may_be_read(http: httpx.AsyncClient) -> None:
    answer = await http.get(LIST, headers={"Origin": SPA})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == SPA
    assert _exposed(answer) >= EXPOSED
    assert "origin" in answer.headers["vary"].lower()


async def test_an_answer_to_another_origin_allows_nothing(http: httpx.AsyncClient) -> None:
    answer = await http.get(LIST, headers={"Origin": STRANGER})
    assert answer.status_code == 200  # the browser, not the server, withholds it
    assert "access-control-allow-origin" not in answer.headers
    assert "origin" in answer.headers["vary"].lower()  # a cache keeps the answers apart


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", ENTERPRISES, 401),  # no token
        ("GET", f"{LIST}/00000000-0000-7000-8000-000000000000", 404),
        ("DELETE", LIST, 405),
    ],
)
async def test_a_refusal_may_be_read_by_the_page(
    http: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    answer = await http.request(method, path, headers={"Origin": SPA})
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert answer.headers["access-control-allow-origin"] == SPA
    assert _exposed(answer) >= EXPOSED
    assert "www-authenticate" in _exposed(answer)
    assert "allow" in _exposed(answer)


async def test_a_last_resort_error_may_be_read_too(settings: Settings) -> None:
    application = create_app(settings.model_copy(update={"cors_origins": [SPA]}))

    async def crash() -> None:
        raise RuntimeError("boom")

    application.add_api_route("/_test/crash", crash, include_in_schema=False)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answer = await http.get("/_test/crash", headers={"Origin": SPA})
    finally:
        await application.state.database.dispose()
    assert answer.status_code == 500
    assert answer.headers["access-control-allow-origin"] == SPA
    assert _exposed(answer) >= EXPOSED


async def test_a_body_too_large_is_refused_readably(http: httpx.AsyncClient) -> None:
    answer = await http.post(ENTERPRISES, content=b"x" * 2_000_000, headers={"Origin": SPA})
    assert answer.status_code == 413
    assert answer.headers["access-control-allow-origin"] == SPA


async def test_a_create_shows_its_etag_and_location_and_a_replay_its_own_origin(
    http: httpx.AsyncClient, token_for: TokenFor
) -> None:
    headers = {
        "Authorization": f"Bearer {token_for('220322-ecoenv', Role.officer)}",
        "Idempotency-Key": "cors-create-1",
    }
    body = enterprise_body()
    created = await http.post(ENTERPRISES, json=body, headers={**headers, "Origin": SPA})
    assert created.status_code == 201, created.text
    assert created.headers["access-control-allow-origin"] == SPA
    assert {"etag", "location"} <= _exposed(created)
    # The idempotency recorder sits inside CORS: a replay is told its own origin.
    replayed = await http.post(ENTERPRISES, json=body, headers={**headers, "Origin": OTHER})
    assert replayed.status_code == 201
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.headers["access-control-allow-origin"] == OTHER


async def test_without_origins_no_cors_header_is_sent(settings: Settings) -> None:
    async for http in _served(settings, []):
        preflight = await http.options(LIST, headers=_preflight(SPA, "GET"))
        simple = await http.get(LIST, headers={"Origin": SPA})
    assert preflight.status_code == 405
    for answer in (preflight, simple):
        assert not [name for name in answer.headers if name.startswith("access-control-")]


async def test_any_origin_is_star_without_credentials(settings: Settings) -> None:
    async for http in _served(settings, ["*"]):
        preflight = await http.options(
            ENTERPRISES, headers=_preflight(STRANGER, "POST", "authorization")
        )
        simple = await http.get(LIST, headers={"Origin": STRANGER})
    assert preflight.status_code == 204
    for answer in (preflight, simple):
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in answer.headers


def _origins(*values: str) -> tuple[str, ...]:
    return allowed_origins(Settings(cors_origins=list(values)))


def test_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPEXIT_CORS_ORIGINS", "http://localhost:5173, https://portal.gov.cn")
    assert Settings().cors_origins == ["http://localhost:5173", "https://portal.gov.cn"]


def test_origins_are_normalized_to_what_browsers_send() -> None:
    assert _origins("HTTPS://Portal.Gov.CN:443/", "http://localhost:5173", "http://[::1]:80") == (
        "https://portal.gov.cn",
        "http://localhost:5173",
        "http://[::1]",
    )


@pytest.mark.parametrize(
    "values",
    [
        ("https://portal.gov.cn/app",),
        ("portal.gov.cn",),
        ("ftp://portal.gov.cn",),
        ("https://user@portal.gov.cn",),
        ("https://portal.gov.cn:99999",),
        ("null",),
        ("*", "https://portal.gov.cn"),
    ],
)
def test_a_malformed_origin_stops_the_start(settings: Settings, values: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="CAPEXIT_CORS_ORIGINS"):
        create_app(settings.model_copy(update={"cors_origins": list(values)}))
