"""Per-client rate limits: a token bucket per client address.

Every public route shares one limit (`public_rate_limit`, `CAPEXIT_PUBLIC_RATE_LIMIT`);
a route that needs a tighter one of its own on top (report submission, receipt
look-ups) asks for it by name, `Depends(limited("report_submit"))`, and the app builds
one limiter per name from the settings (`named_limiters`).

In memory, per process: with several processes or hosts each enforces its own share.
The address is the connection's peer; behind a reverse proxy it is the client's only
for the proxies listed in `CAPEXIT_TRUSTED_PROXIES`, whose `X-Forwarded-For` uvicorn
then believes (from anyone else the header is ignored: a client cannot name itself).
An IPv6 client is counted by its /64: one host usually holds a whole /64 and could
otherwise take a fresh address for every request.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import Request

from capacity_exit.core.errors import AppError

MAX_CLIENTS = 100_000  # the least recently seen are forgotten beyond this


class TooManyRequests(AppError):
    status, code, title = 429, "rate_limited", "Too many requests"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`per_minute` on average per client, in bursts of at most `burst` (default: a
    minute's worth)."""

    def __init__(
        self,
        per_minute: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.burst = float(burst if burst is not None else per_minute)
        self.clock = clock  # seconds, monotonic; tests give one they move by hand
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def seconds_until_allowed(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead (and is counted), else how long to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock() if now is None else now
        rate = self.per_minute / 60.0
        bucket = self._buckets.pop(client, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        self._buckets[client] = bucket
        if len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate


def client_key(request: Request) -> str:
    """Whom a request is counted against: its address, an IPv6 one by its /64."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _check(limiter: RateLimiter, request: Request, what: str) -> None:
    wait = limiter.seconds_until_allowed(client_key(request))
    if wait > 0:
        seconds = math.ceil(round(wait, 6))  # 10.000000002 s of float error is 10 s
        raise TooManyRequests(
            f"At most {limiter.per_minute} {what} a minute from one client; retry in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )


async def public_rate_limit(request: Request) -> None:
    _check(request.app.state.public_rate_limiter, request, "requests to the public routes")


def named_limiters(limits: Mapping[str, float]) -> dict[str, RateLimiter]:
    """One limiter per name, `limits` a minute each (0: off): the app keeps them as
    `app.state.rate_limiters`, where `limited(name)` finds them."""
    return {name: RateLimiter(n) for name, n in limits.items()}


def limited(name: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency that counts the request against the limiter called `name` (429 with
    Retry-After past it). The name must be one of the app's `rate_limiters` (`named_limiters`)."""

    async def rate_limit(request: Request) -> None:
        limiters: dict[str, RateLimiter] = getattr(request.app.state, "rate_limiters", {})
        if name not in limiters:
            raise LookupError(f"no rate limit named {name!r} is installed")
        _check(limiters[name], request, f"{name.replace('_', ' ')} requests")

    rate_limit.__name__ = f"rate_limit_{name}"
    return rate_limit
