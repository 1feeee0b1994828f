"""Issuing and verifying this service's access tokens (claims, lifetimes, issuers)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from capacity_exit.auth import jwt
from capacity_exit.auth.keys import key_set
from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings


def token_now() -> int:
    """Seconds since the epoch on the system clock: the clock token times are issued and
    checked against (peers check them against their own), not `core.clock`'s instant."""
    return int(time.time())


def issue(
    settings: Settings,
    *,
    subject: str,
    department: str,
    roles: Iterable[Role],
    kind: str,
    ttl_seconds: int | None = None,
    now: int | None = None,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds: at most the configured TTL,
    the longest lifetime `verify` accepts from this issuer."""
    issued_at = token_now() if now is None else now
    ttl = ttl_seconds or settings.access_token_ttl_seconds
    if not 0 < ttl <= settings.access_token_ttl_seconds:
        raise ValueError(
            f"a token lives at most CAPEXIT_ACCESS_TOKEN_TTL_SECONDS "
            f"({settings.access_token_ttl_seconds} s)"
        )
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl,
        "jti": uuid.uuid4().hex,
        "dept": department,
        "roles": sorted(r.value for r in roles),
        "kind": kind,
    }
    return jwt.encode(claims, key_set(settings).signing), ttl


@lru_cache(maxsize=4)
def _external(path: Path | None, _mtime: float, max_lifetime: int) -> tuple[jwt.TrustedIssuer, ...]:
    return tuple(jwt.load_trusted_issuers(path, max_lifetime)) if path is not None else ()


def trusted_issuers(settings: Settings) -> list[jwt.TrustedIssuer]:
    path = settings.trusted_issuers_file
    mtime = path.stat().st_mtime if path is not None and path.exists() else 0.0
    own = jwt.own_issuer(
        settings.jwt_issuer,
        settings.jwt_audience,
        key_set(settings),
        max_lifetime=settings.access_token_ttl_seconds,
    )
    return [own, *_external(path, mtime, settings.external_token_max_lifetime_seconds)]


def verify(settings: Settings, token: str) -> dict[str, Any]:
    return jwt.decode(token, trusted_issuers(settings), now=token_now())
