"""Database engine, sessions and the declarative base.

The request (or job) owns the transaction: `get_session` opens it, services only
flush, and the session commits after the endpoint returns but before the response
is sent, so a failed commit is reported to the client instead of being lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(
    url: str, *, echo: bool = False, pool_size: int = 20, pool_timeout: float = 5.0
) -> AsyncEngine:
    # No pre-ping: on asyncpg it costs three round trips (BEGIN, ping, ROLLBACK) on every
    # checkout. A connection found dead invalidates the pool instead, that one request is
    # answered 503 with Retry-After (core.errors), and connections are recycled hourly.
    # A request waits at most `pool_timeout` for a connection, then is answered 503 too
    # (sqlalchemy.exc.TimeoutError, core.errors): an exhausted pool sheds load quickly.
    kwargs: dict[str, Any] = {"echo": echo, "pool_recycle": 3600, "pool_timeout": pool_timeout}
    # A statement's parameters stay out of exception texts, so out of logged tracebacks:
    # they carry what a request sent (personal data, password hashes). Echo shows them.
    kwargs["hide_parameters"] = not echo
    if not is_sqlite(url):
        # Connections beyond the pool are closed on return: a pool smaller than the usual
        # concurrency reconnects (and re-reads type codecs) on most requests under load.
        kwargs |= {"pool_size": pool_size, "max_overflow": pool_size // 2}
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def from_url(
        cls, url: str, *, echo: bool = False, pool_size: int = 20, pool_timeout: float = 5.0
    ) -> Database:
        engine = create_engine(url, echo=echo, pool_size=pool_size, pool_timeout=pool_timeout)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


Session = Annotated[AsyncSession, Depends(_request_session, scope="function")]

__all__ = ["Base", "Database", "Engine", "Session", "create_engine", "is_sqlite"]
