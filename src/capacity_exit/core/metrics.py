"""Prometheus metrics at `/metrics` (issue 16, item 7), in the exposition format of
prometheus-client.

What this module measures itself: every HTTP answer, counted by route template, method
and status, and timed by route template, method and status class (`2xx` …), so that a
fuzzer's dozen statuses per route do not multiply the histogram's buckets; and the
connection pool. What the domains know (the credit-push queue, the worker's periodic
jobs) is read at scrape time by `MetricSource`s that the application passes in: core
imports no domain.

Labels are the route's template (`/api/v1/cases/{case_id}`, never the path a client
sent: ids, subjects and codes stay out of the series), the method (unknown ones as
`other`) and the status. A request no route answers, including those refused before
routing (an untrusted Host, a body too large), counts under `<unmatched>`.

Several server processes (`uvicorn --workers N`): with `PROMETHEUS_MULTIPROC_DIR` set
(an empty directory, wiped at each start, before prometheus_client is imported), each
process writes its counters there and a scrape, answered by any one of them, adds up
all of them (prometheus-client's multiprocess mode). The pool's gauges are then the
sum over the live processes, each refreshed as its requests finish.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.pool import QueuePool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capacity_exit.core.db import Database
from capacity_exit.core.errors import AppError
from capacity_exit.core.request_id import route_template

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REALM = "metrics"


@dataclass(frozen=True)
class MetricSource:
    """Metrics read at scrape time (from the database): `read` answers metric families.
    A source that fails is logged and left out of that scrape, its
    `capexit_metrics_source_up` 0."""

    name: str
    read: Callable[[Database], Awaitable[Iterable[Metric]]]


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_ENV) or None


class MetricsUnauthorized(AppError):
    status, code, title = 401, "unauthorized", "Not authenticated"

    def __init__(self) -> None:
        super().__init__(
            "Metrics need the bearer token of CAPEXIT_METRICS_TOKEN_FILE.",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )


def read_token(path: Path | None) -> bytes | None:
    """The scrape token in `path` (surrounding whitespace dropped); None: no token."""
    if path is None:
        return None
    token = path.read_bytes().strip()
    if not token:
        raise ValueError(f"the metrics token file {path} is empty")
    return token


class Metrics:
    """One application's instruments, in a registry of its own (each app a test builds
    counts for itself); in multiprocess mode the values live in the shared directory."""

    def __init__(
        self,
        database: Database,
        *,
        sources: Sequence[MetricSource] = (),
        token: bytes | None = None,
    ) -> None:
        self.database = database
        self.sources = tuple(sources)
        self.token = token
        self.multiprocess = multiprocess_dir() is not None
        # No `_created` twin of every series (a process-wide switch of prometheus_client).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        if not self.multiprocess:  # per-process collectors multiprocess mode cannot sum
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                self.registry.register(collector)
        registry = self.registry
        self.requests = Counter(
            "capexit_http_requests",
            "HTTP answers by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "capexit_http_request_duration_seconds",
            "Time to answer, by route template, method and status class.",
            ["route", "method", "status_class"],
            registry=registry,
        )
        self.pool_size = Gauge(
            "capexit_db_pool_size",
            "Connections the database pool keeps.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_checked_out = Gauge(
            "capexit_db_pool_checked_out",
            "Pooled connections lent to requests or jobs now.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_overflow = Gauge(
            "capexit_db_pool_overflow",
            "Connections open beyond the pool's size now (closed when returned).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.refresh_pool()

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        template = route_template(scope) or UNMATCHED
        method = scope.get("method", "")
        method = method if method in METHODS else "other"
        self.requests.labels(template, method, str(status)).inc()
        self.latency.labels(template, method, f"{status // 100}xx").observe(seconds)
        if self.multiprocess:  # the scrape may be answered by another process
            self.refresh_pool()

    def refresh_pool(self) -> None:
        pool = self.database.engine.sync_engine.pool
        if not isinstance(pool, QueuePool):  # no fixed size to speak of
            return
        self.pool_size.set(pool.size())
        self.pool_checked_out.set(pool.checkedout())
        self.pool_overflow.set(max(0, pool.overflow()))

    def check(self, request: Request) -> None:
        if self.token is None:
            return
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        offered = credentials.strip().encode("latin-1", "replace")
        if scheme.lower() != "bearer" or not hmac.compare_digest(offered, self.token):
            raise MetricsUnauthorized()

    async def render(self) -> bytes:
        """The exposition: this app's instruments (every process's in multiprocess mode)
        and what each source reads now."""
        self.refresh_pool()  # before the sources take a connection of their own
        scrape = CollectorRegistry()
        if self.multiprocess:
            multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
        else:
            scrape.register(self.registry)
        scrape.register(_Fixed(await self._read_sources()))
        return generate_latest(scrape)

    async def _read_sources(self) -> list[Metric]:
        families: list[Metric] = []
        up = GaugeMetricFamily(
            "capexit_metrics_source_up",
            "Whether a scrape-time source was read (1) or failed (0).",
            labels=["source"],
        )
        for source in self.sources:
            try:
                read = list(await source.read(self.database))
            except Exception:
                log.warning("metrics source %s failed", source.name, exc_info=True)
                up.add_metric([source.name], 0)
                continue
            families.extend(read)
            up.add_metric([source.name], 1)
        return [*families, up]

    def close(self) -> None:
        """At the process's end: its live gauges leave the multiprocess sums."""
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class _Fixed:
    """A collector of families already read."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


class MetricsMiddleware:
    """Counts and times every HTTP answer, refusals included (put it outermost)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes is answered 500 further out

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)


async def scrape(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    metrics.check(request)
    return Response(await metrics.render(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, metrics: Metrics) -> None:
    """Serve `/metrics` (outside the public contract) and measure every request."""
    app.state.metrics = metrics
    app.add_api_route(METRICS_PATH, scrape, methods=["GET"], include_in_schema=False)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
