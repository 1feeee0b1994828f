from __future__ import annotations

from pathlib import Path

import httpx

from capacity_exit.config import Environment, Settings
from capacity_exit.main import create_app
from tests.fixtures.stores import fresh_database


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def _readyz(url: str, var_dir: Path) -> httpx.Response:
    app = create_app(Settings(env=Environment.test, database_url=url, var_dir=var_dir))
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/readyz")
    finally:
        await app.state.database.dispose()


async def test_readyz_is_503_before_migrations(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        response = await _readyz(url, tmp_path)
    assert response.status_code == 503
    assert response.json()["code"] == "migrations_pending"


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    response = await _readyz("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", tmp_path)
    assert response.status_code == 503
    assert response.json()["code"] == "database_unreachable"
