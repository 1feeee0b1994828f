from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.audit import keys as audit_keys
from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings, get_settings
from capacity_exit.core import clock
from capacity_exit.core.keys import generate_private_pem
from capacity_exit.main import create_app
from tests.fixtures import baseline
from tests.fixtures.clock import PINNED_INSTANT, travel
from tests.fixtures.stores import fresh_database, store


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--serial",
        action="store_true",
        help="run only the tests marked serial, which a parallel (xdist) run leaves out",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"capacity-exit test store: {store()}"]
    if config.getoption("numprocesses", None):
        lines.append("tests marked serial are left out: run them after with --serial")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `serial` need the machine to themselves (a latency bound, worker
    processes racing faults): a parallel run leaves them out, for a run of their own
    after it with `--serial` (make test does both); a plain run keeps every test."""
    if config.getoption("serial"):
        wanted = True
    elif hasattr(config, "workerinput"):  # a pytest-xdist worker
        wanted = False
    else:
        return
    kept = [item for item in items if (item.get_closest_marker("serial") is not None) == wanted]
    left_out = [item for item in items if (item.get_closest_marker("serial") is not None) != wanted]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _session_clock() -> Iterator[None]:
    """Session fixtures (databases, live servers) are built on the pinned clock too."""
    clock.start_at(PINNED_INSTANT)
    yield
    clock.reset()


@pytest.fixture(scope="session", autouse=True)
def _audit_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One audit key for the test process and every server and command it starts: the
    chain's hashes are keyed with it (issue 14), so all of them must agree on it."""
    path = tmp_path_factory.mktemp("audit-key") / "audit-key.pem"
    path.write_bytes(generate_private_pem())
    os.environ["CAPEXIT_AUDIT_KEY_FILE"] = str(path)
    get_settings.cache_clear()
    audit_keys.install(get_settings())
    yield
    del os.environ["CAPEXIT_AUDIT_KEY_FILE"]
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    """Every test starts at 10:00 on the pinned business day (tests.fixtures.clock)."""
    clock.start_at(PINNED_INSTANT)
    yield
    clock.start_at(PINNED_INSTANT)


@pytest.fixture(scope="session")
def _built_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        baseline.build(url)
        yield url


@pytest.fixture(scope="session")
async def database_url(_built_database: str) -> AsyncIterator[str]:
    """One database per test process (each xdist worker has its own), built by the
    migrations and loaded with reference data, put back after each test that uses it
    (tests.fixtures.baseline)."""
    async with baseline.pooled(_built_database):
        yield _built_database


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env=Environment.test,
        database_url=database_url,
        var_dir=Path(tmp_path_factory.mktemp("var")),
        public_rate_limit=0,  # tests of the limit build their own app
        report_submit_per_minute=0,  # as are the report platform's
        report_lookup_per_minute=0,
        report_challenge_max_number=1000,  # solved in a millisecond (tests.fixtures.reports)
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.database.dispose()


TokenFor = Callable[..., str]
ClientAs = Callable[..., httpx.AsyncClient]


@pytest.fixture(scope="session")
def token_for(settings: Settings) -> TokenFor:
    """`token_for("220322-ecoenv", Role.officer, ...)`: a valid token for that department."""

    def issue(department: str, *roles: Role) -> str:
        token, _ = tokens.issue(
            settings, subject=f"test:{department}", department=department, roles=roles, kind="test"
        )
        return token

    return issue


@pytest.fixture
async def client_as(app: FastAPI, token_for: TokenFor) -> AsyncIterator[ClientAs]:
    """`client_as("220322-ecoenv", Role.officer)`: an HTTP client with that principal's token;
    `client_as(None)` has no token."""
    opened: list[httpx.AsyncClient] = []

    def make(department: str | None, *roles: Role) -> httpx.AsyncClient:
        headers = {}
        if department is not None:
            headers["Authorization"] = f"Bearer {token_for(department, *(roles or (Role.viewer,)))}"
        c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
        )
        opened.append(c)
        return c

    yield make
    for c in opened:
        await c.aclose()


@pytest.fixture
def anonymous(client_as: ClientAs) -> httpx.AsyncClient:
    return client_as(None)


@pytest.fixture
def client(client_as: ClientAs) -> httpx.AsyncClient:
    """A Lishu county (220322) environment officer: the usual caller in these tests."""
    return client_as("220322-ecoenv", Role.officer)


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After each test that used the shared database, put it back to its baseline."""
    yield
    if "database_url" not in request.fixturenames:
        return
    await baseline.restore(request.getfixturevalue("database_url"))


TravelTo = Callable[[str], None]


@pytest.fixture
def travel_to(pinned_clock: None) -> TravelTo:
    """`travel_to("2025-10-15")`: the app's clock reads 10:00 on that business day from
    now on, and runs on from there; the next test starts on the pinned day again."""
    return travel
