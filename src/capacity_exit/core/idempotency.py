"""Idempotency keys for creating POSTs (`Idempotency-Key`, 1–255 visible characters).

The first response (status, body, ETag and Location) is stored per key and principal
and replayed to retries with the same body. The same key with another body is 422; a
retry while the first is still running waits briefly for it, then gets its response,
or 409 if it is still running. Keys are kept at least
`CAPEXIT_IDEMPOTENCY_RETENTION_HOURS` (24) and then pruned (`capacity-exit idempotency
prune`).

How: the `idempotent` dependency claims the key in a transaction of its own before the
request's transaction starts; `IdempotencyRecorder` (ASGI) stores the finished
response, or releases the claim when the request failed. A process that dies between
committing the create and storing its response leaves a claim that retries treat as
abandoned after `IN_FLIGHT_TIMEOUT`; that window is the price of not buffering
responses inside the request's transaction.

No request holds two pooled connections at once (issue 14): the request's session gives
its connection back before the claim takes one (it has only read the principal so
far), a retry waiting for the first holds none while it sleeps, and the response is
stored after the request's session has closed. Otherwise a burst of keyed creates, each
holding one connection while waiting for a second, starves the pool for everyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capacity_exit.core import idempotency_repository as repository
from capacity_exit.core.actor import Actor, current_actor
from capacity_exit.core.clock import as_utc, utcnow
from capacity_exit.core.db import Database, Session
from capacity_exit.core.errors import AppError, Conflict, Unprocessable
from capacity_exit.core.models import IdempotencyRecord as IdempotencyRecord  # re-exported

IN_FLIGHT_TIMEOUT = timedelta(seconds=60)
WAIT_FOR_FIRST = timedelta(seconds=5)
_POLL_SECONDS = 0.05
_REPLAYED_HEADERS = ("etag", "location", "content-type")
_STATE_KEY = "idempotency_claim"
_OWNER_LENGTH = 100  # the `subject` column of `IdempotencyRecord`


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    headers: dict[str, str]


class Replay(AppError):
    """Carries the stored first response; rendered as it was."""

    status, code, title = 200, "replay", "Replay"

    def __init__(self, stored: StoredResponse) -> None:
        super().__init__("replayed")
        self.stored = stored


def replay_response(stored: StoredResponse) -> Response:
    headers = dict(stored.headers)
    headers["Idempotent-Replayed"] = "true"
    media_type = headers.pop("content-type", "application/json")
    return Response(
        content=stored.body, status_code=stored.status, headers=headers, media_type=media_type
    )


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes the create safe to retry: the first response is replayed to "
        "retries with the same body for at least 24 hours.",
    ),
]


def _request_hash_of(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path and the body's JSON content."""
    canonical = body
    with contextlib.suppress(ValueError):
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def _owner(actor: Actor) -> str:
    """Whose key it is: the subject acting for its department. One subject may hold tokens
    for several departments (an external issuer's person, in two counties); a key used
    for one is never replayed to the other, which may not see what the first created."""
    owner = f"{actor.department or ''}|{actor.subject}"
    if len(owner) <= _OWNER_LENGTH:
        return owner
    return "sha256:" + hashlib.sha256(owner.encode()).hexdigest()


async def _claim(database: Database, subject: str, key: str, request_hash: str) -> None:
    deadline = utcnow() + WAIT_FOR_FIRST
    while True:
        async with database.sessionmaker() as session, session.begin():
            record = await repository.get(session, subject, key)
            now = utcnow()
            if record is None:
                try:
                    await repository.claim(session, subject, key, request_hash, now)
                except IntegrityError:
                    await session.rollback()
                    continue  # a concurrent first request claimed it: look again
                return
            if record.request_hash != request_hash:
                raise Unprocessable(
                    "This Idempotency-Key was used with a different request body.",
                    code="idempotency_key_reused",
                )
            if record.state == "done":
                raise Replay(
                    StoredResponse(
                        record.response_status or 200,
                        record.response_body or "",
                        dict(record.response_headers or {}),
                    )
                )
            if now - as_utc(record.created_at) > IN_FLIGHT_TIMEOUT:
                record.created_at = now  # the first attempt was abandoned: take over
                return
        if utcnow() >= deadline:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry later.",
                code="idempotency_in_flight",
            )
        await asyncio.sleep(_POLL_SECONDS)


async def idempotent(request: Request, session: Session, key: IdempotencyKey = None) -> None:
    """Dependency for creating POSTs; runs after authentication (it needs the actor).

    The request's session has only read the principal: committing that read gives its
    connection back to the pool before the claim takes one, and the endpoint takes one
    again when it first queries."""
    if key is None:
        return
    subject = _owner(current_actor())
    body = await request.body()
    await session.commit()
    await _claim(
        request.app.state.database,
        subject,
        key,
        _request_hash_of(request.method, request.url.path, body),
    )
    request.scope.setdefault("state", {})[_STATE_KEY] = (subject, key)


Idempotent = Depends(idempotent)


_FINISH_ATTEMPTS = 6


async def _finish(
    database: Database, claim: tuple[str, str], status: int, headers: dict[str, str], body: bytes
) -> None:
    """Store the response (or free the key), after the client has it: a pool too busy
    to lend a connection at once is waited for again, since a response not stored would
    leave the key in flight and a retry would, once it counts as abandoned, create twice."""
    for attempt in range(_FINISH_ATTEMPTS):
        try:
            await _store(database, claim, status, headers, body)
            return
        except PoolTimeout:
            if attempt == _FINISH_ATTEMPTS - 1:
                raise


async def _store(
    database: Database, claim: tuple[str, str], status: int, headers: dict[str, str], body: bytes
) -> None:
    async with database.sessionmaker() as session, session.begin():
        record = await repository.get(session, *claim)
        if record is None:
            return
        if 200 <= status < 300:
            record.state = "done"
            record.response_status = status
            record.response_body = body.decode("utf-8", errors="replace")
            record.response_headers = headers
        else:  # the request failed: free the key for a retry
            await repository.delete(session, record)


class IdempotencyRecorder:
    """Stores the response of a request that claimed an idempotency key."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        status = 500
        headers: dict[str, str] = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    lowered = name.decode("latin-1").lower()
                    if lowered in _REPLAYED_HEADERS:
                        headers[lowered] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            claim = scope.get("state", {}).get(_STATE_KEY)
            if claim is not None:
                await _finish(scope["app"].state.database, claim, status, headers, bytes(body))


async def prune(database: Database, retention: timedelta) -> int:
    async with database.sessionmaker() as session, session.begin():
        return await repository.delete_created_before(session, utcnow() - retention)


async def _replay(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    return replay_response(exc.stored)


def install(app: Any) -> None:
    """The replay handler and the recorder middleware."""
    app.add_exception_handler(Replay, _replay)
    app.add_middleware(IdempotencyRecorder)
