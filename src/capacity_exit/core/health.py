"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from capacity_exit.core.db import Database
from capacity_exit.core.errors import ServiceUnavailable
from capacity_exit.core.migrations import at_head
from capacity_exit.core.problems import problem_responses, public

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ok"}, {"status": "ready"}]}
    )

    status: str


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Process is up",
    description='Answers `{"status": "ok"}` while the process serves requests, without '
    "touching the database: the liveness probe. Changes nothing. No clause of the "
    "regulation: operations.",
    response_model=Health,
    **public(),
)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Database reachable and migrations at head",
    description='Answers `{"status": "ready"}` when the database answers and its schema is at '
    "the latest migration, otherwise 503 (`database_unreachable`, "
    "`migrations_pending`), so a load balancer sends nothing to a replica that cannot "
    "serve. Changes nothing. No clause of the regulation: operations.",
    response_model=Health,
    responses=problem_responses(503),
    **public(),
)
async def readyz(request: Request) -> Health:
    database: Database = request.app.state.database
    try:
        ready = await at_head(database.engine)
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        raise ServiceUnavailable(
            "The database is not reachable.", code="database_unreachable"
        ) from exc
    if not ready:
        raise ServiceUnavailable(
            "The database schema is not at the latest migration; run `capacity-exit migrate`.",
            code="migrations_pending",
        )
    return Health(status="ready")
