"""The report key: it seals reporters' contact details and keys receipts; never in the
database.

`CAPEXIT_REPORT_CONTACT_KEY_FILE` names a file holding 32 random bytes, raw or in
base64 (`openssl rand -base64 32`); in development one is generated in the var
directory (mode 0600), like the audit key. Two keys are derived from it by HKDF
(RFC 5869), so neither use can stand in for the other:

* the contact key: AES-256-GCM, seals a report's contact details (`report.contact`);
* the receipt key: HMAC-SHA256, derives a replayed receipt's secret from the
  submission's Idempotency-Key and names that key in the row (`report.receipts`).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from capacity_exit.config import Settings, get_settings
from capacity_exit.core.secrets import register_development_secret

DEV_KEY_NAME = "dev-report-contact-key"
_CONTACT_INFO = b"capacity-exit report contact AES-256-GCM v1"
_RECEIPT_INFO = b"capacity-exit report receipt HMAC-SHA256 v1"
_BAD_KEY = "the report contact key must be 32 bytes, raw or base64"


@dataclass(frozen=True)
class ReportKeys:
    contact: bytes = field(repr=False)
    receipt: bytes = field(repr=False)


def _material(data: bytes) -> bytes:
    if len(data) == 32:
        return data
    try:
        decoded = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(_BAD_KEY) from exc
    if len(decoded) != 32:
        raise ValueError(_BAD_KEY)
    return decoded


def _key_bytes(configured: Path | None, development_path: Path) -> bytes:
    if configured is not None:
        return configured.read_bytes()
    if not development_path.exists():
        development_path.parent.mkdir(parents=True, exist_ok=True)
        try:  # exclusive create: of two processes starting together, one writes
            fd = os.open(development_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)) + b"\n")
    return development_path.read_bytes()


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


@lru_cache(maxsize=8)
def _derive(data: bytes) -> ReportKeys:
    material = _material(data)
    return ReportKeys(
        contact=_hkdf(material, _CONTACT_INFO), receipt=_hkdf(material, _RECEIPT_INFO)
    )


def report_keys(settings: Settings | None = None) -> ReportKeys:
    """The keys of `settings` (default: the environment's)."""
    settings = settings or get_settings()
    dev_path = settings.var_dir.resolve() / DEV_KEY_NAME
    return _derive(_key_bytes(settings.report_contact_key_file, dev_path))


@register_development_secret
def _development_report_key(settings: Settings) -> str | None:
    if settings.report_contact_key_file is None:
        return (
            "CAPEXIT_REPORT_CONTACT_KEY_FILE is not set (a generated development key would "
            "seal reporters' contact details)"
        )
    return None
