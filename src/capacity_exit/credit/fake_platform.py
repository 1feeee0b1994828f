"""A fake credit platform for development and tests: a real HTTP/1.1 server on loopback.

It takes `POST /{platform}/records` as the real ones would: checks the credentials
(bearer token or HMAC signature), requires an `Idempotency-Key`, validates the body as
a `CreditRecord` (422 otherwise), and applies each key once, answering a repeat with
200 and `"duplicate": true`. It counts what it received and applied, per key.

Faults are injected on demand (`PUT /_faults`, or the CLI's options): a share of record
requests get a 500, a 429, a stalled answer past the client's timeout, a dropped
connection, a malformed answer or an oversized body; a fixed status for every request;
added latency. A stalled or dropped request is applied or not at random, as a real
platform might have applied it before failing to answer. It is written on asyncio
streams rather than as an ASGI app because an ASGI server cannot drop a connection or
send a malformed answer on purpose.

`GET /_stats` reports the counts; `POST /_reset` forgets everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError

from capacity_exit.credit.delivery import IDEMPOTENCY_HEADER
from capacity_exit.credit.records import CreditRecord
from capacity_exit.credit.targets import (
    DEVELOPMENT_TOKEN,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

FAULT_KINDS = ("500", "429", "timeout", "drop", "malformed", "oversized")
MAX_HEADER_LINES = 100
MAX_BODY = 1_048_576
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           413: "Payload Too Large", 422: "Unprocessable Content", 429: "Too Many Requests",
           500: "Internal Server Error"}  # fmt: skip


@dataclass
class Faults:
    error_rate: float = 0.0  # the share of record requests that get one of `kinds`
    kinds: list[str] = field(default_factory=lambda: ["500"])
    latency_ms: float = 0.0  # added before every answer
    stall_seconds: float = 5.0  # how long a "timeout" fault holds its answer
    status: int | None = None  # answer every record request with this, when set

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Faults:
        faults = cls(**data)
        unknown = set(faults.kinds) - set(FAULT_KINDS)
        if unknown or not faults.kinds or not 0 <= faults.error_rate <= 1:
            raise ValueError(f"fault kinds {faults.kinds} (among {FAULT_KINDS}), rate in [0, 1]")
        if faults.status is not None and (
            not isinstance(faults.status, int) or not 100 <= faults.status <= 599
        ):
            raise ValueError("status: an HTTP status code")
        return faults


@dataclass
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Drop(Exception):
    """Close the connection without an answer."""


class FakePlatform:
    def __init__(
        self,
        *,
        token: str | None = DEVELOPMENT_TOKEN,
        hmac_key: str | None = None,
        faults: Faults | None = None,
        seed: int | None = None,
    ) -> None:
        self.token, self.hmac_key = token, hmac_key
        self.faults = faults or Faults()
        self.random = random.Random(seed)  # noqa: S311 - fault injection, not secrets
        self.reset()

    def reset(self) -> None:
        self.applied: dict[str, dict[str, Any]] = {}  # key -> the record as applied
        self.applications: Counter[str] = Counter()  # key -> times applied
        self.deliveries: Counter[str] = Counter()  # key -> valid requests received
        self.received = 0
        self.faults_injected: Counter[str] = Counter()

    def stats(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "applied": len(self.applied),
            "duplicates": sum(self.deliveries.values()) - len(self.deliveries),
            "applications": dict(self.applications),
            "faults_injected": dict(self.faults_injected),
            "by_platform": dict(Counter(r["_platform"] for r in self.applied.values())),
            "faults": asdict(self.faults),
        }

    # --- HTTP ----------------------------------------------------------------------------

    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
        return await asyncio.start_server(self._connection, host, port)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while (request := await _read_request(reader)) is not None:
                status, body, extra = await self._answer(request, writer)
                await asyncio.sleep(self.faults.latency_ms / 1000)
                _write(writer, status, body, extra)
                await writer.drain()
                if request.headers.get("connection", "").lower() == "close":
                    break
        except (_Drop, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(
        self, request: _Request, writer: asyncio.StreamWriter
    ) -> tuple[int, bytes, dict[str, str]]:
        if request.path == "/_stats" and request.method == "GET":
            return _json(200, self.stats())
        if request.path == "/_reset" and request.method == "POST":
            self.reset()
            return _json(200, {"reset": True})
        if request.path == "/_faults" and request.method == "PUT":
            try:
                self.faults = Faults.parse(json.loads(request.body))
            except (ValueError, TypeError) as exc:
                return _json(422, {"error": str(exc)})
            return _json(200, asdict(self.faults))
        parts = request.path.strip("/").split("/")
        if request.method != "POST" or len(parts) != 2 or parts[1] != "records":
            return _json(404, {"error": "not found"})
        self.received += 1
        return await self._record(parts[0], request, writer)

    async def _record(
        self, platform: str, request: _Request, writer: asyncio.StreamWriter
    ) -> tuple[int, bytes, dict[str, str]]:
        if self.faults.status is not None:
            return _json(self.faults.status, {"error": "configured to refuse"})
        fault = None
        if self.random.random() < self.faults.error_rate:
            fault = self.random.choice(self.faults.kinds)
            self.faults_injected[fault] += 1
        if fault == "500":
            return _json(500, {"error": "injected"})
        if fault == "429":
            return _json(429, {"error": "slow down"}, {"Retry-After": "0"})
        if fault == "malformed":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{")
            await writer.drain()
            raise _Drop
        if not self._authorized(request):
            return _json(401, {"error": "bad credentials"})
        key = request.headers.get(IDEMPOTENCY_HEADER.lower())
        if not key:
            return _json(400, {"error": f"{IDEMPOTENCY_HEADER} is required"})
        try:
            record = CreditRecord.model_validate_json(request.body)
        except ValidationError as exc:
            return _json(422, {"errors": json.loads(exc.json())})
        applies = fault not in ("timeout", "drop") or self.random.random() < 0.5
        duplicate = key in self.applied
        if applies:
            self.deliveries[key] += 1
            if not duplicate:
                self.applied[key] = {**record.model_dump(mode="json"), "_platform": platform}
                self.applications[key] += 1
        if fault == "timeout":
            await asyncio.sleep(self.faults.stall_seconds)
        if fault == "drop":
            raise _Drop
        answer = {"key": key, "duplicate": duplicate, "record_id": str(record.record_id)}
        if fault == "oversized":
            return 200, b" " * (8 * 1024 * 1024), {"Content-Type": "application/json"}
        return _json(200, answer)

    def _authorized(self, request: _Request) -> bool:
        if self.hmac_key is not None:
            timestamp = request.headers.get(TIMESTAMP_HEADER.lower(), "")
            expected = sign(self.hmac_key, timestamp, request.body)
            return hmac.compare_digest(request.headers.get(SIGNATURE_HEADER.lower(), ""), expected)
        if self.token is not None:
            return hmac.compare_digest(
                request.headers.get("authorization", ""), f"Bearer {self.token}"
            )
        return True


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if length > MAX_BODY:
        raise ValueError("body too large")
    body = await reader.readexactly(length) if length else b""
    return _Request(method, path.split("?", 1)[0], headers, body)


def _json(
    status: int, data: Any, extra: dict[str, str] | None = None
) -> tuple[int, bytes, dict[str, str]]:
    return status, json.dumps(data, ensure_ascii=False).encode(), {
        "Content-Type": "application/json", **(extra or {})
    }  # fmt: skip


def _write(writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str]) -> None:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


async def run(host: str, port: int, platform: FakePlatform) -> None:
    """Serve until cancelled (the CLI's `fake-credit-platform`)."""
    server = await platform.serve(host, port)
    async with server:
        await server.serve_forever()
