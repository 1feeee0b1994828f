"""Exit 0 when the test PostgreSQL answers (TEST_DATABASE_URL or 127.0.0.1:5432), else 1."""

from __future__ import annotations

import asyncio
import sys

import asyncpg
from sqlalchemy.engine import make_url

sys.path.insert(0, ".")
from tests.fixtures.stores import postgres_admin_url


async def _ping() -> None:
    dsn = (
        make_url(postgres_admin_url())
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )
    connection = await asyncpg.connect(dsn, timeout=5)
    await connection.close()


if __name__ == "__main__":
    try:
        asyncio.run(_ping())
    except Exception as exc:
        print(f"PostgreSQL not reachable at {postgres_admin_url()}: {exc}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
