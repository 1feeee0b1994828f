from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, text, update

from capacity_exit.audit import keys as audit_keys
from capacity_exit.audit.chain import GENESIS
from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings, get_settings
from capacity_exit.core import clock, migrations
from capacity_exit.core.db import Database, is_sqlite
from capacity_exit.core.keys import generate_private_pem
from capacity_exit.main import create_app
from capacity_exit.models import (
    Account,
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    CalendarYear,
    CalendarYearVersion,
    Case,
    CaseEvent,
    CitySummary,
    CorrectionRequest,
    CreditPush,
    CreditPushAttempt,
    Disclosure,
    DisclosureBatch,
    DisclosureEvent,
    DisclosurePublisher,
    DisclosureReview,
    Enterprise,
    IdempotencyRecord,
    Inspection,
    LoginThrottle,
    PeriodicJobState,
)
from capacity_exit.org import reference_data
from tests.fixtures.clock import PINNED_INSTANT, travel
from tests.fixtures.stores import fresh_database, store

# Tables that tests write to, emptied after each test (reference data stays loaded).
_MUTABLE_TABLES = (
    PeriodicJobState,
    AuditCheckpoint,
    IdempotencyRecord,
    CreditPushAttempt,
    CreditPush,
    CitySummary,
    CorrectionRequest,
    DisclosureReview,
    DisclosureEvent,
    DisclosurePublisher,
    Disclosure,
    DisclosureBatch,
    CaseEvent,
    Case,
    Inspection,
    Enterprise,
    Account,
    LoginThrottle,
    CalendarYearVersion,
    CalendarYear,
)


def pytest_report_header(config: pytest.Config) -> str:
    return f"capacity-exit test store: {store()}"


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
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per run, built by the migrations and loaded with reference data."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        migrations.upgrade(url)
        asyncio.run(_seed(url))
        yield url


async def _seed(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            await reference_data.apply(session, reference_data.load_file())
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env=Environment.test,
        database_url=database_url,
        var_dir=Path(tmp_path_factory.mktemp("var")),
        public_rate_limit=0,  # tests of the limit build their own app
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
    """After each test that used the shared database, empty the tables tests write to."""
    yield
    if "database_url" not in request.fixturenames:
        return
    await reset_database(request.getfixturevalue("database_url"))


async def reset_database(url: str) -> None:
    """Empty what tests write, the append-only audit log included (PostgreSQL's trigger is
    bypassed for this connection only, as a superuser may)."""
    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            if not is_sqlite(url):
                await session.execute(text("SET LOCAL session_replication_role = replica"))
            for model in _MUTABLE_TABLES:
                await session.execute(delete(model))
            await session.execute(delete(AuditEvent))
            await session.execute(update(AuditHead).values(position=0, hash=GENESIS))
    finally:
        await database.dispose()


TravelTo = Callable[[str], None]


@pytest.fixture
def travel_to(pinned_clock: None) -> TravelTo:
    """`travel_to("2025-10-15")`: the app's clock reads 10:00 on that business day from
    now on, and runs on from there; the next test starts on the pinned day again."""
    return travel
