"""The ASGI application: `capacity_exit.main:app`, built by `create_app()`."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from capacity_exit import __version__
from capacity_exit.api.audit import public_router as audit_public_router
from capacity_exit.api.audit import router as audit_router
from capacity_exit.api.auth import public_router as auth_public_router
from capacity_exit.api.auth import router as auth_router
from capacity_exit.api.calendar import public_router as calendar_public_router
from capacity_exit.api.calendar import router as calendar_router
from capacity_exit.api.case import router as case_router
from capacity_exit.api.city_summary import public_router as city_summary_public_router
from capacity_exit.api.city_summary import router as city_summary_router
from capacity_exit.api.contract_info import DESCRIPTION, LICENSE, SERVERS, TAGS, contact
from capacity_exit.api.credit import router as credit_router
from capacity_exit.api.disclosure import public_router as disclosure_public_router
from capacity_exit.api.disclosure import router as disclosure_router
from capacity_exit.api.enterprise import router as enterprise_router
from capacity_exit.api.inspection import router as inspection_router
from capacity_exit.api.metrics import CREDIT_QUEUE
from capacity_exit.api.org import router as org_router
from capacity_exit.api.report import EVIDENCE_UPLOAD_PATH
from capacity_exit.api.report import public_router as report_public_router
from capacity_exit.api.report import router as report_router
from capacity_exit.api.report_cases import router as report_cases_router
from capacity_exit.api.report_challenge import public_router as report_challenge_public_router
from capacity_exit.api.report_public import public_router as report_public_public_router
from capacity_exit.api.root import root_router
from capacity_exit.audit import keys as audit_keys  # also registers its key check
from capacity_exit.auth.dependencies import current_principal
from capacity_exit.calendar.schedule import warm_package_schedules
from capacity_exit.config import Settings, check_production_ready, get_settings, start_clock
from capacity_exit.core import challenge, health, idempotency, metrics
from capacity_exit.core.admission import WriteLane, write_admission
from capacity_exit.core.blobs import blob_store
from capacity_exit.core.body_limit import BodySizeLimitMiddleware
from capacity_exit.core.compression import CompressionMiddleware
from capacity_exit.core.cors import CorsMiddleware, allowed_origins
from capacity_exit.core.db import Database
from capacity_exit.core.docs import install_docs
from capacity_exit.core.errors import install_error_handlers
from capacity_exit.core.head import HeadAsGetMiddleware
from capacity_exit.core.hosts import TrustedHostMiddleware, allowed_hosts
from capacity_exit.core.json_body import reject_duplicate_keys
from capacity_exit.core.media_types import require_declared_media_type
from capacity_exit.core.openapi import install_openapi
from capacity_exit.core.rate_limit import RateLimiter, named_limiters, public_rate_limit
from capacity_exit.core.request_id import RequestIdMiddleware
from capacity_exit.core.security_headers import SecurityHeadersMiddleware
from capacity_exit.core.strict_query import reject_unknown_query_parameters
from capacity_exit.credit import targets as credit_targets
from capacity_exit.worker.metrics import PERIODIC_JOBS

API_PREFIX = "/api/v1"
# Answers from this size on are gzipped for clients that accept it: the contract
# (~170 kB), lists, documents. Level 6 (zlib's default) costs a fraction of level 9's
# CPU for nearly its ratio on JSON.
GZIP_MINIMUM_BYTES = 1024
GZIP_LEVEL = 6


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    check_production_ready(settings)
    cors_origins = allowed_origins(settings)  # a malformed origin stops the start here
    if not settings.database_url:  # the embedded SQLite file lives in the var directory
        settings.ensure_var_dir()
    database = Database.from_url(
        settings.resolved_database_url,
        echo=settings.database_echo,
        pool_size=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout_seconds,
    )

    measured = (
        metrics.Metrics(
            database,
            sources=[CREDIT_QUEUE, PERIODIC_JOBS],
            token=metrics.read_token(settings.metrics_token_file),
        )
        if settings.serves_metrics
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Read the holidays package once before serving, not on the first calendar request.
        await asyncio.to_thread(warm_package_schedules)
        # Everything built so far lives as long as the process: keep it out of the cyclic
        # garbage collector's full passes, which otherwise rescan it under load.
        gc.collect()
        gc.freeze()
        yield
        if measured is not None:
            measured.close()
        await database.dispose()

    app = FastAPI(
        title="capacity-exit",
        version=__version__,
        summary="推动落后产能退出信息公开共享 — disclosure and sharing system for "
        "pushing backward production capacity to exit",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        servers=SERVERS,
        contact=contact(str(settings.contact_url) if settings.contact_url else None),
        license_info=LICENSE,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # `/path/` is not an alias of `/path` (a 307 built from the request's Host): 404.
        redirect_slashes=False,
        dependencies=[Depends(reject_unknown_query_parameters)],
    )
    app.state.settings = settings
    app.state.cors_origins = cors_origins
    credit_targets.install(settings)
    audit_keys.install(settings)  # the chain's HMAC key: an unreadable key fails here
    challenge.hmac_key(settings)  # the report challenges' key: an unreadable one fails here
    app.state.public_rate_limiter = RateLimiter(settings.public_rate_limit)
    # The limits routes ask for by name (core.rate_limit.limited): report submission, look-up.
    app.state.rate_limiters = named_limiters(settings.named_rate_limits)
    app.state.database = database
    app.state.blob_store = blob_store(settings)  # evidence files (core.blobs)
    # Writers take a place in this lane before they touch the database (core.admission).
    app.state.write_lane = WriteLane(
        settings.resolved_write_concurrency, settings.write_queue_timeout_seconds
    )

    # Public routes are opted in here; everything on `private` needs a principal.
    # After authentication, a body in a media type the operation does not take is 415
    # (core.media_types), and a JSON body naming a member twice 422 (core.json_body).
    public = APIRouter(
        prefix=API_PREFIX,
        dependencies=[
            Depends(public_rate_limit),
            Depends(write_admission, scope="function"),
            Depends(require_declared_media_type),
            Depends(reject_duplicate_keys),
        ],
    )
    public.include_router(audit_public_router)
    public.include_router(auth_public_router)
    public.include_router(calendar_public_router)
    public.include_router(disclosure_public_router)
    public.include_router(city_summary_public_router)
    public.include_router(report_challenge_public_router)
    public.include_router(report_public_router)
    public.include_router(report_public_public_router)
    private = APIRouter(
        prefix=API_PREFIX,
        dependencies=[
            Depends(write_admission, scope="function"),
            Depends(current_principal),
            Depends(require_declared_media_type),
            Depends(reject_duplicate_keys),
        ],
    )
    private.include_router(audit_router)
    private.include_router(auth_router)
    private.include_router(calendar_router)
    private.include_router(org_router)
    private.include_router(enterprise_router)
    private.include_router(inspection_router)
    private.include_router(case_router)
    private.include_router(disclosure_router)
    private.include_router(city_summary_router)
    private.include_router(credit_router)
    private.include_router(report_router)
    private.include_router(report_cases_router)
    app.include_router(root_router(API_PREFIX))
    app.include_router(health.router)
    app.include_router(public)
    app.include_router(private)

    install_error_handlers(app)
    idempotency.install(app)
    install_docs(app)
    install_openapi(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        overrides={f"{API_PREFIX}{EVIDENCE_UPLOAD_PATH}": settings.evidence_upload_max_bytes},
    )
    # Preflights are answered here, before any route, rate limit or token check; every
    # answer from within (refusals included, replays with the replaying origin) carries
    # the CORS headers. The host check stays outside: an unknown Host gets nothing.
    if cors_origins:
        app.add_middleware(CorsMiddleware, origins=cors_origins)
    # Outside the idempotency recorder, which so stores and replays the identity body;
    # a streamed answer is compressed chunk by chunk. Answers it compresses keep their
    # strong ETag; every answer with an ETag says `Vary: Accept-Encoding`, 304s too
    # (core.compression, docs/decisions.md).
    app.add_middleware(
        CompressionMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL
    )
    # An unknown Host is refused before anything else reads the request (issue 14).
    app.add_middleware(TrustedHostMiddleware, patterns=allowed_hosts(settings))
    # HEAD is routed as GET and answered without the body: outside gzip, so its headers
    # are the GET's (Content-Encoding, Content-Length); inside the request id and log,
    # which name the method as sent.
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(RequestIdMiddleware)
    # Outermost: every answer, refusals included, carries the browser headers (issue 14).
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    if measured is not None:  # /metrics, and every answer counted (issue 16, item 7)
        metrics.install(app, measured)
    return app


app: FastAPI


def __getattr__(name: str) -> FastAPI:
    """`capacity_exit.main:app`, built on first use so importing this module stays cheap."""
    if name == "app":
        global app
        settings = get_settings()
        start_clock(settings)  # each of `serve --workers N` processes starts its own clock
        app = create_app(settings)
        return app
    raise AttributeError(name)
