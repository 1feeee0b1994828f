"""One HTTP attempt at delivering a record to a target, and what came back.

Calls go only to the target's configured records URL; no redirect is followed (a 3xx
is a final answer); the answer is read up to the target's `max_response_bytes` and no
further. Every attempt carries the push's stable `Idempotency-Key`. A 2xx counts only
with the platform's acknowledgement in its body (`machine.acknowledges`). What is kept
of the answer (the excerpt, an error text) has every credential redacted first
(`redaction`).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from capacity_exit.credit.machine import acknowledges
from capacity_exit.credit.redaction import Redactor
from capacity_exit.credit.targets import SIGNATURE_HEADER, TIMESTAMP_HEADER, CreditTarget, sign

EXCERPT_CHARS = 2000  # of the answer, kept with the attempt
IDEMPOTENCY_HEADER = "Idempotency-Key"
NOT_ACKNOWLEDGED = (
    "a 2xx answer that is not the platform's acknowledgement (a JSON object naming the "
    "Idempotency-Key sent in `key`): not confirmed"
)


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None  # None: no usable answer (timeout, connection, protocol)
    latency_ms: float
    error: str | None
    excerpt: str | None
    retry_after_seconds: float | None
    acknowledged: bool = False  # a complete 2xx answer that acknowledges the record


def new_client() -> httpx.AsyncClient:
    """The worker's one client: pooled connections, no redirects, no environment proxies."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
    )


def headers_for(
    target: CreditTarget, key: str, body: bytes, secret: str | None = None
) -> dict[str, str]:
    # Uncompressed answers: the excerpt kept is the text the platform wrote.
    headers = {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        IDEMPOTENCY_HEADER: key,
    }
    secret = target.secret() if secret is None else secret
    if target.auth == "bearer":
        headers["Authorization"] = f"Bearer {secret}"
    else:
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
    return headers


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the platform asks us to wait; the worker clamps them to its backoff cap."""
    value = response.headers.get("retry-after", "")
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff decides instead
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _excerpt(content: bytes, redact: Redactor, *, cut: bool) -> str:
    """The start of the answer with credentials redacted, as text a database column can
    hold (no NUL characters). Redacted over a window past the excerpt, so that a value
    straddling its end is redacted whole; `cut`: the answer went on past `content`."""
    window = 2 * EXCERPT_CHARS + redact.longest
    text = content[: 4 * window].decode("utf-8", errors="replace")
    cut = cut or len(text) > window or len(content) > 4 * window
    return redact(text[:window], cut=cut)[:EXCERPT_CHARS].replace("\x00", "\ufffd")


async def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes of the body, and whether there was more."""
    received = bytearray()
    async for chunk in response.aiter_raw():
        received += chunk
        if len(received) > limit:
            return bytes(received[:limit]), True
    return bytes(received), False


async def send(
    client: httpx.AsyncClient,
    target: CreditTarget,
    key: str,
    payload: dict[str, Any],
    *,
    secrets: Collection[str] = (),
) -> AttemptResult:
    """One attempt; never raises: anything that prevents an answer is the attempt's error.
    The target's timeout bounds the whole exchange, not only each read. `secrets` (with
    the target's own) are redacted from whatever of the answer is kept."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(target.timeout_seconds):
            return await _exchange(client, target, key, payload, started, secrets)
    except (TimeoutError, httpx.TimeoutException) as exc:
        error = f"timeout ({type(exc).__name__}) after {target.timeout_seconds} s"
    except httpx.HTTPError as exc:  # connection refused or dropped, malformed answer
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        error = f"could not send: {type(exc).__name__}: {exc}"
    # A protocol error may quote the answer: redacted like it.
    error = Redactor(secrets)(error)[:500]
    return AttemptResult(None, (time.perf_counter() - started) * 1000, error, None, None)


async def _exchange(
    client: httpx.AsyncClient,
    target: CreditTarget,
    key: str,
    payload: dict[str, Any],
    started: float,
    secrets: Collection[str],
) -> AttemptResult:
    body = orjson.dumps(payload)
    secret = target.secret()
    headers = headers_for(target, key, body, secret)
    redact = Redactor([secret, *secrets])
    async with client.stream(
        "POST", target.records_url, content=body, headers=headers, timeout=target.timeout_seconds
    ) as response:
        content, truncated = await _read_capped(response, target.max_response_bytes)
        status = response.status_code
        # A cut answer is not an acknowledgement: what followed is unknown.
        acknowledged = (
            200 <= status < 300
            and not truncated
            and acknowledges(content, key, payload.get("record_id"))
        )
        error = None
        if truncated:
            error = "response larger than the cap; the rest was not read"
        elif 200 <= status < 300 and not acknowledged:
            error = NOT_ACKNOWLEDGED
        return AttemptResult(
            status_code=status,
            latency_ms=(time.perf_counter() - started) * 1000,
            error=error,
            excerpt=_excerpt(content, redact, cut=truncated),
            retry_after_seconds=_retry_after(response),
            acknowledged=acknowledged,
        )
