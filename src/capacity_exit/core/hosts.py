"""Requests that name a host we do not serve are refused (issue 14, item 7).

The `Host` header is the client's to write: answering any host lets a forged one reach
caches, logs and anything that builds URLs from it (absolute URLs come from the
configured public base URL instead, `core.urls`). The hosts served are the public base
URL's, `CAPEXIT_ALLOWED_HOSTS` (`*.example.gov.cn` for subdomains), and in development
and tests the loopback names and `testserver` (the test client). Any other is 400
`untrusted_host`, problem+json, with the host not echoed. The health probes and the
metrics scrape answer any host: orchestrators and Prometheus call them by the
container's address, and they build no URL.

Pure ASGI (like the other middleware), so it costs the public list next to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from capacity_exit.core.problems import problem_response
from capacity_exit.core.request_id import current_request_id

DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_PATTERN = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_IPV6 = re.compile(r"^[0-9a-f:.]+$")


class HostSettings(Protocol):
    """What the host check reads of the settings (`config.Settings` has it)."""

    @property
    def public_base(self) -> str: ...
    @property
    def allowed_hosts(self) -> Sequence[str]: ...
    @property
    def is_development(self) -> bool: ...


def allowed_hosts(settings: HostSettings) -> tuple[str, ...]:
    """The host patterns served; a malformed one stops the start (ValueError)."""
    hosts = [urlsplit(settings.public_base).hostname or "", *settings.allowed_hosts]
    if settings.is_development and not settings.allowed_hosts:
        hosts += DEVELOPMENT_HOSTS
    found = []
    for host in hosts:
        name = host.strip().lower().strip("[]")
        if not (_PATTERN.match(name) or _IPV6.match(name)):
            raise ValueError(f"CAPEXIT_ALLOWED_HOSTS: {host!r} is not a host name or *.domain")
        found.append(name)
    return tuple(dict.fromkeys(found))


def _host_of(value: str) -> str:
    """The name in a Host header: without its port, IPv6 brackets or a final dot."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0].rstrip(".") if value.count(":") <= 1 else ""


class HostCheck:
    def __init__(self, patterns: Iterable[str]) -> None:
        patterns = tuple(patterns)
        self.exact = frozenset(p for p in patterns if not p.startswith("*."))
        self.suffixes = tuple(p[1:] for p in patterns if p.startswith("*."))

    def allows(self, header: str) -> bool:
        host = _host_of(header)
        return host in self.exact or (bool(host) and host.endswith(self.suffixes))


class TrustedHostMiddleware:
    def __init__(self, app: ASGIApp, patterns: Iterable[str]) -> None:
        self.app = app
        self.check = HostCheck(patterns)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        host = next((v for n, v in scope.get("headers", []) if n == b"host"), b"")
        if self.check.allows(host.decode("latin-1")):
            await self.app(scope, receive, send)
            return
        response = problem_response(
            status=400,
            code="untrusted_host",
            title="Unknown host",
            detail="This service does not answer for the host the request names (Host).",
            instance=scope.get("path"),
            request_id=current_request_id(),
        )
        await response(scope, receive, send)
