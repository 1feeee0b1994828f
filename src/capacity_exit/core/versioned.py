"""Conditional updates on a `version` column: the database decides who wins a race."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core.clock import utcnow

# An ORM class with `id`, `version` and `updated_at` columns (Mapped attributes do not
# satisfy a typing Protocol at class level, hence Any).
Versioned = Any


async def update_if_version(
    session: AsyncSession,
    model: Versioned,
    object_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> bool:
    """Apply `changes` and bump the version only if the row is still at `version`."""
    result = await session.execute(
        update(model)
        .where(model.id == object_id, model.version == version)
        .values(**changes, version=model.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def current_version(session: AsyncSession, model: Versioned, object_id: uuid.UUID) -> int:
    return int(await session.scalar(select(model.version).where(model.id == object_id)) or 0)
