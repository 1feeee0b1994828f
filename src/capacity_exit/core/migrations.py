"""Alembic, driven from code: the migrations are found next to the package.

In a source checkout they are `migrations/` at the top of the repository; in a wheel
(the Docker image) they are packaged as `capacity_exit/_migrations`. So
`capacity-exit migrate` works from any working directory.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from capacity_exit.core.db import create_engine

_PACKAGE = Path(__file__).resolve().parent.parent


def script_location() -> Path:
    for candidate in (_PACKAGE / "_migrations", _PACKAGE.parent.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("capacity-exit migrations not found next to the package")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade from synchronous code (the CLI); runs its own event loop."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


async def _run_on_engine(database_url: str, action: Callable[[Config], None]) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:

            def run(sync_connection: Connection) -> None:
                config = alembic_config(database_url)
                config.attributes["connection"] = sync_connection
                action(config)

            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Upgrade from inside a running event loop (tests, start-up hooks)."""
    await _run_on_engine(database_url, lambda config: command.upgrade(config, revision))


async def downgrade_async(database_url: str, revision: str = "base") -> None:
    await _run_on_engine(database_url, lambda config: command.downgrade(config, revision))


@lru_cache
def head_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.get_heads())


def _current_heads(connection: Connection) -> frozenset[str]:
    """Alembic's own record of the applied revisions (none before the first migration)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def applied_revisions(engine: AsyncEngine) -> frozenset[str]:
    async with engine.connect() as connection:
        try:
            return await connection.run_sync(_current_heads)
        except Exception:  # an unreadable version table counts as nothing applied
            return frozenset()


async def at_head(engine: AsyncEngine) -> bool:
    return await applied_revisions(engine) == head_revisions()
