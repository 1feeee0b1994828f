"""OWASP API10:2023 Unsafe Consumption of APIs.

The credit platforms are APIs we consume; what one of them (compromised, misconfigured,
or a proxy in front of it) could do to us through its answers:

* echo our request back, `Authorization: Bearer …` or `X-Signature` included, so that
  our credentials land in the stored answer that our users read (issue 14, item 6):
  every credential is redacted before anything of an answer is stored;
* answer `200` with something that is not its acknowledgement (`\\x00\\xff<html>{not
  json`, a proxy's error page) so that a record that never arrived counts as delivered
  (issue 14, item 6): not confirmed, retried, then dead with the answer kept;
* answer with an endless body, or drip it slowly, to exhaust the worker's memory or
  hold its attempt forever: read up to the target's cap, bounded by its timeout;
* redirect us elsewhere: no redirect is followed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from capacity_exit.auth.roles import Role
from capacity_exit.credit import delivery, outbox, targets
from capacity_exit.credit.records import Trigger
from capacity_exit.credit.redaction import REDACTED
from tests.conftest import ClientAs
from tests.fixtures.credit import TOKEN, FakeCredit, pushes_of, sample_record, write_targets
from tests.fixtures.factories import enterprise_body

COUNTY = "220322"
# Answers with the raw request it got; returns the bytes of a whole HTTP answer.
Responder = Callable[[bytes, dict[str, str], bytes], Awaitable[bytes]]


def _http(status: int, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _platform(respond: Responder) -> AsyncGenerator[str]:
    """A hostile platform on loopback: `respond(head, headers, body)` decides the answer."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {}
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            writer.write(await respond(head, headers, body))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


@pytest.fixture
async def hostile(
    fake_credit: FakeCredit, tmp_path: Path
) -> AsyncIterator[Callable[[Responder], Awaitable[str]]]:
    """`await hostile(respond)`: the credit targets now point at a platform that answers
    with `respond`; returns its base URL."""
    opened: list[AsyncGenerator[str]] = []

    async def install(respond: Responder, **options: Any) -> str:
        platform = _platform(respond)
        opened.append(platform)
        base = await anext(platform)
        configured = fake_credit.settings.model_copy(
            update={"credit_targets_file": write_targets(tmp_path, base, **options)}
        )
        targets.install(configured)
        fake_credit.settings = configured
        return base

    yield install
    for platform in opened:
        await platform.aclose()


async def _pushes(client_as: ClientAs, app: FastAPI) -> httpx.AsyncClient:
    """One listing of a new Lishu enterprise, pushed to the three targets; Lishu's approver
    (who reads the answers) to look at them."""
    owner = client_as(f"{COUNTY}-miit", Role.officer, Role.approver)
    enterprise = (await owner.post("/api/v1/enterprises", json=enterprise_body())).json()
    async with app.state.database.sessionmaker() as session, session.begin():
        await outbox.add(
            session,
            sample_record(1, enterprise["name"], enterprise["credit_code"]),
            trigger=Trigger.manual,
            enterprise_id=uuid.UUID(enterprise["id"]),
            jurisdiction_code=COUNTY,
            case_id=None,
        )
    return owner


async def _attempts(owner: httpx.AsyncClient) -> list[dict[str, Any]]:
    found = []
    for push in await pushes_of(owner):
        detail = (await owner.get(f"/api/v1/credit-pushes/{push['id']}")).json()
        found += detail["attempt_log"]
    return found


async def _once(fake_credit: FakeCredit) -> None:
    async with delivery.new_client() as client:
        assert await fake_credit.worker().run_once(client) == 3


async def _echo_text(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
    """A debugging endpoint: the request as it came, as text."""
    return _http(200, head + body, "Content-Type: text/plain")


async def _echo_json(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
    """An acknowledgement that also echoes the request's headers, as JSON."""
    answer = {"key": headers["idempotency-key"], "received": {"headers": headers}}
    return _http(200, json.dumps(answer).encode(), "Content-Type: application/json")


@pytest.mark.parametrize("echo", [_echo_text, _echo_json])
async def test_an_echoed_bearer_token_is_not_stored(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit, hostile: Any, echo: Responder
) -> None:
    owner = await _pushes(client_as, app)
    await hostile(echo)
    await _once(fake_credit)
    attempts = await _attempts(owner)
    assert len(attempts) == 3
    for attempt in attempts:
        excerpt = attempt["response_excerpt"]
        assert "idempotency-key" in excerpt.lower()  # the echo is kept ...
        assert TOKEN not in excerpt  # ... without our credential
        assert REDACTED in excerpt


async def test_the_development_token_is_redacted_too(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit, hostile: Any
) -> None:
    owner = await _pushes(client_as, app)
    await hostile(_echo_text, secret=targets.DEVELOPMENT_TOKEN)
    await _once(fake_credit)
    for attempt in await _attempts(owner):
        assert targets.DEVELOPMENT_TOKEN not in attempt["response_excerpt"]
        assert "Authorization: [REDACTED]" in attempt["response_excerpt"]


async def test_an_echoed_signature_and_secrets_in_any_form_are_redacted(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit, hostile: Any
) -> None:
    secret = 'shared "hmac" key/2026'
    signatures: list[str] = []

    async def echo(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
        signatures.append(headers["x-signature"])
        page = {
            "signature_seen": headers["x-signature"],
            "debug": f"key was {secret}",  # JSON-escaped
            "callback": f"https://platform.example/cb?k={quote(secret, safe='')}",
            "access_token": "someone-elses-token-123",
        }
        return _http(400, json.dumps(page).encode() + b"\n" + head)

    owner = await _pushes(client_as, app)
    await hostile(echo, auth="hmac", secret=secret)
    await _once(fake_credit)
    for attempt in await _attempts(owner):
        excerpt = attempt["response_excerpt"]
        assert attempt["outcome"] == "dead"
        for leaked in ('"hmac"', '\\"hmac\\"', quote(secret, safe=""), "someone-elses-token"):
            assert leaked not in excerpt, (leaked, excerpt)
        assert not any(signature in excerpt for signature in signatures)
        assert "X-Signature: [REDACTED]" in excerpt


@pytest.mark.parametrize(
    "answer",
    [
        b"\x00\xff<html>{not json",
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        b"",
        b'{"ok": true}',  # says nothing about this record
        b'{"key": "someone-else"}',
    ],
)
async def test_a_200_that_is_not_the_acknowledgement_is_not_delivered(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit, hostile: Any, answer: bytes
) -> None:
    targets.install(fake_credit.settings.model_copy(update={"credit_max_attempts": 2}))
    owner = await _pushes(client_as, app)  # each push may be tried twice

    async def garbage(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
        return _http(200, answer, "Content-Type: application/json")

    await hostile(garbage)
    await _once(fake_credit)
    assert {p["status"] for p in await pushes_of(owner)} == {"retrying"}
    await fake_credit.deliver_all()
    pushes = await pushes_of(owner)
    assert {(p["status"], p["attempts"], p["delivered_at"]) for p in pushes} == {("dead", 2, None)}
    for attempt in await _attempts(owner):
        assert attempt["status_code"] == 200
        assert "not the platform's acknowledgement" in attempt["error"]
        assert attempt["response_excerpt"] is not None  # the answer is kept
        assert "\x00" not in attempt["response_excerpt"]


async def test_an_endless_answer_is_read_up_to_the_cap_and_a_dripping_one_times_out(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit, hostile: Any
) -> None:
    owner = await _pushes(client_as, app)

    async def endless(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n" + b"{" * 2_000_000

    await hostile(endless)
    async with asyncio.timeout(30):
        await _once(fake_credit)
    for attempt in await _attempts(owner):
        assert "larger than the cap" in attempt["error"]
        assert len(attempt["response_excerpt"]) <= delivery.EXCERPT_CHARS
    assert {p["status"] for p in await pushes_of(owner)} == {"retrying"}

    async def dripping(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
        await asyncio.sleep(5)  # far past the target's timeout
        return _http(200, b"{}")

    await hostile(dripping, timeout=0.3)
    async with asyncio.timeout(30):
        async with delivery.new_client() as client:
            await asyncio.sleep(0.06)  # past the (test) backoff
            assert await fake_credit.worker().run_once(client) == 3
    errors = [a["error"] for a in await _attempts(owner)]
    assert sum("timeout" in (e or "") for e in errors) == 3


async def test_a_redirect_is_not_followed(
    client_as: ClientAs, app: FastAPI, fake_credit: FakeCredit, hostile: Any
) -> None:
    followed: list[bytes] = []

    async def elsewhere(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
        followed.append(head)
        return _http(200, b"{}")

    platform = _platform(elsewhere)
    other = await anext(platform)

    async def redirect(head: bytes, headers: dict[str, str], body: bytes) -> bytes:
        return _http(307, b"", f"Location: {other}/national/records")

    try:
        owner = await _pushes(client_as, app)
        await hostile(redirect)
        await _once(fake_credit)
    finally:
        await platform.aclose()
    assert followed == []
    assert {(p["status"], p["last_status_code"]) for p in await pushes_of(owner)} == {("dead", 307)}
