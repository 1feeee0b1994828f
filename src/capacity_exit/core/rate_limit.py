"""A per-client rate limit for the public routes: a token bucket per client address.

In memory, per process: with several processes or hosts each enforces its own share.
The address is the connection's peer; behind a reverse proxy it is the client's only
for the proxies listed in `CAPEXIT_TRUSTED_PROXIES`, whose `X-Forwarded-For` uvicorn
then believes (from anyone else the header is ignored: a client cannot name itself).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
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

    def __init__(self, per_minute: float, burst: float | None = None) -> None:
        self.per_minute = per_minute
        self.burst = float(burst if burst is not None else per_minute)
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def seconds_until_allowed(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead (and is counted), else how long to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
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


async def public_rate_limit(request: Request) -> None:
    limiter: RateLimiter = request.app.state.public_rate_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.seconds_until_allowed(client)
    if wait > 0:
        raise TooManyRequests(
            f"At most {limiter.per_minute} requests a minute to the public routes; "
            f"retry in {math.ceil(wait)} s.",
            headers={"Retry-After": str(math.ceil(wait))},
        )
