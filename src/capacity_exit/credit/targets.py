"""The credit platforms pushed to: configuration, one entry per platform.

`CAPEXIT_CREDIT_TARGETS_FILE` names a JSON list of targets (see docs/operations.md).
Each names its secret by file, so no secret lives in the list or reaches the API.
Without a file, development pushes to the three platforms as served by the fake
(`capacity-exit fake-credit-platform --port 8701`) with a development token, which
production refuses.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from capacity_exit.config import Settings, get_settings
from capacity_exit.core.secrets import register_development_secret

log = logging.getLogger(__name__)
DEVELOPMENT_TOKEN = "development-credit-token"  # noqa: S105 - refused in production
DEVELOPMENT_BASE = "http://127.0.0.1:8701"
SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"

# Addresses no credit platform has: cloud metadata services (where a forged request goes
# for credentials) and their well-known names; link-local, unspecified, multicast and
# reserved ranges are refused as a class. Loopback (the development fake) and private
# ranges (a platform on the government network) stay allowed. Names are resolved when
# sent: the file is operator configuration, and its DNS is the operator's.
_METADATA_HOSTS = frozenset(
    {"100.100.100.200", "fd00:ec2::254", "metadata.google.internal", "metadata.tencentyun.com"}
)


def _not_a_platform(host: str) -> bool:
    name = host.strip("[]").rstrip(".").lower()
    if name in _METADATA_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:  # ::1 lies in IPv6's reserved ::/8
        return False
    return (
        address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
        or str(address) in _METADATA_HOSTS
    )


class CreditTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")
    name: str = Field(min_length=1, max_length=100)
    # Records are POSTed to `{base_url}/records`; nothing else is ever called.
    base_url: AnyHttpUrl
    auth: Literal["bearer", "hmac"] = "bearer"
    secret_file: Path | None = None  # None only for the development default
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Requests per second to this platform (None: no limit of ours).
    rate_per_second: float | None = Field(default=None, gt=0)
    max_response_bytes: int = Field(default=65_536, ge=1024, le=10_485_760)

    @field_validator("base_url")
    @classmethod
    def _a_platform_address(cls, url: AnyHttpUrl) -> AnyHttpUrl:
        if url.host is None or _not_a_platform(url.host):
            raise ValueError(f"{url.host} is not a credit platform's address")
        return url

    @property
    def shown_base_url(self) -> str:
        """The base URL without any credentials written into it."""
        url = self.base_url
        if url.username is None and url.password is None:
            return str(url)
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}{url.path or ''}"

    @property
    def records_url(self) -> str:
        return f"{str(self.base_url).rstrip('/')}/records"

    def secret(self) -> str:
        if self.secret_file is None:
            return DEVELOPMENT_TOKEN
        return self.secret_file.read_text(encoding="utf-8").strip()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The HMAC-SHA256 signature of `timestamp.body`, hex: what an `hmac` target checks."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


_TARGET_LIST = TypeAdapter(list[CreditTarget])

DEVELOPMENT_TARGETS = (
    CreditTarget(
        code="national",
        name="全国信用信息共享平台",
        base_url=AnyHttpUrl(f"{DEVELOPMENT_BASE}/national"),
    ),
    CreditTarget(
        code="creditchina", name="信用中国", base_url=AnyHttpUrl(f"{DEVELOPMENT_BASE}/creditchina")
    ),
    CreditTarget(
        code="creditjilin", name="信用吉林", base_url=AnyHttpUrl(f"{DEVELOPMENT_BASE}/creditjilin")
    ),
)


@lru_cache(maxsize=4)
def _from_file(path: Path, _mtime: float) -> tuple[CreditTarget, ...]:
    targets = tuple(_TARGET_LIST.validate_json(path.read_bytes()))
    codes = [t.code for t in targets]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: target codes must be unique")
    return targets


class InvalidCreditTargets(RuntimeError):
    """The targets file cannot be read or is not a valid list of targets."""


_installed: Settings | None = None
_last_good: dict[Path, tuple[CreditTarget, ...]] = {}


def install(settings: Settings) -> None:
    """Make `settings` the process's credit configuration: the app and the worker install
    theirs at start, so pushes created anywhere in the process see the same targets.
    An unreadable or invalid targets file stops the start here, not a case step later."""
    global _installed
    configured(settings)
    _installed = settings


def current_settings() -> Settings:
    return _installed or get_settings()


def configured(settings: Settings | None = None) -> tuple[CreditTarget, ...]:
    """The targets in force. The file is re-read when it changes; a change that breaks
    it is logged and the last good list stays in force."""
    path = (settings or current_settings()).credit_targets_file
    if path is None:
        return DEVELOPMENT_TARGETS
    try:
        found = _from_file(path, path.stat().st_mtime)
    except (OSError, ValueError) as exc:
        if path not in _last_good:
            raise InvalidCreditTargets(f"credit targets file {path}: {exc}") from exc
        log.error("credit targets file %s is unusable, keeping the last good one: %s", path, exc)
        return _last_good[path]
    _last_good[path] = found
    return found


def by_code(code: str, settings: Settings | None = None) -> CreditTarget | None:
    return next((t for t in configured(settings) if t.code == code), None)


@register_development_secret
def _development_targets(settings: Settings) -> str | None:
    if settings.credit_targets_file is None:
        return "CAPEXIT_CREDIT_TARGETS_FILE is not set (development pushes to a local fake)"
    return None
