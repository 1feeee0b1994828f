"""One set of migrations for both stores: up, down, up again, and no drift from the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from capacity_exit.core import migrations
from capacity_exit.core.db import create_engine, is_sqlite
from capacity_exit.models import metadata
from tests.fixtures.stores import fresh_database


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def _drift(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "render_as_batch": is_sqlite(url),
            },
        )
        return list(compare_metadata(context, metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_without_drift(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        await migrations.upgrade_async(url)
        assert await _tables(url) == set(metadata.tables)
        assert await _drift(url) == []

        await migrations.downgrade_async(url, "base")
        assert await _tables(url) == set()

        await migrations.upgrade_async(url)
        assert await _tables(url) == set(metadata.tables)
        assert await _drift(url) == []


def _cli(*args: str, cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "capacity_exit.cli", *args],
        cwd=cwd,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_command_works_from_any_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with fresh_database(tmp_path) as url:
        migrated = _cli("migrate", cwd=elsewhere, url=url)
        assert migrated.returncode == 0, migrated.stderr
        seeded = _cli("seed", cwd=elsewhere, url=url)
        assert seeded.returncode == 0, seeded.stderr
        assert "84 departments" in seeded.stdout
