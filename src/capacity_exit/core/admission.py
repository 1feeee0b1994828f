"""A lane for writing requests, so that a burst of writes cannot queue every reader.

The connection pool serves whoever asked first. A burst of creates (each checking a
connection out several times: the principal, the idempotency claim, the work, the
stored response) fills its queue, and an unrelated read joining behind them waits for
the whole burst to drain. So requests that may write (POST, PUT, PATCH, DELETE) go
through a lane of `limit` places per process, in arrival order, before they touch the
database; reads do not, and the connections beyond the writers' share stay free for
them. Writers lose little: on PostgreSQL they serialize on the audit chain's head row
anyway, and on SQLite on the database's write lock, whose busy handler is not fair and
fails the unlucky with "database is locked" when too many spin against each other.

The place is taken by a dependency, after the body has been read (FastAPI reads it
before solving dependencies), so a client trickling its body holds no place; it is
given back once the request's transaction has ended. A writer not admitted within
`timeout` is answered 503 with Retry-After, as is a request the pool cannot serve in
time (core.errors).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import Request

from capacity_exit.core.errors import BUSY_RETRY_AFTER, ServiceUnavailable

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WriteLane:
    def __init__(self, limit: int, timeout: float) -> None:
        self.limit = limit
        self.timeout = timeout
        self._places = asyncio.Semaphore(limit)

    async def enter(self) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await self._places.acquire()
        except TimeoutError:
            raise ServiceUnavailable(
                f"More than {self.limit} writing requests are in progress; retry shortly.",
                code="server_busy",
                headers={"Retry-After": BUSY_RETRY_AFTER},
            ) from None

    def leave(self) -> None:
        self._places.release()


async def write_admission(request: Request) -> AsyncIterator[None]:
    """Router dependency, before anything that uses the database (scope "function":
    the place is given back after the request's session has committed)."""
    if request.method not in WRITING_METHODS:
        yield
        return
    lane: WriteLane = request.app.state.write_lane
    await lane.enter()
    try:
        yield
    finally:
        lane.leave()
