"""The audit key: it signs checkpoints and keys the chain's hashes; never in the database.

`CAPEXIT_AUDIT_KEY_FILE` names an EC P-256 private key (PEM); in development one is
generated in the var directory. Two things come from it:

* the checkpoint signing key itself (ECDSA P-256), whose public half anyone may fetch
  (`GET /api/v1/audit-checkpoints/keys`) to check a signed head;
* the chain key: an HMAC-SHA256 key derived from the private scalar by HKDF (RFC 5869),
  so an event's hash cannot be recomputed by whoever can only write the database. Its
  id is the signing key's `kid` (RFC 7638 thumbprint of the public key), stored with
  each event; the secret itself is never stored, logged or shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from capacity_exit.config import Settings, get_settings
from capacity_exit.core.keys import load_private_key, private_pem, verification_key
from capacity_exit.core.secrets import register_development_secret

DEV_KEY_NAME = "dev-audit-checkpoint-key.pem"
_CHAIN_KEY_INFO = b"capacity-exit audit chain HMAC-SHA256 v1"
_NOT_P256 = "the audit key must be an EC P-256 private key"


def key_pem(settings: Settings) -> bytes:
    return private_pem(settings.audit_key_file, settings.var_dir.resolve() / DEV_KEY_NAME)


def private_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    return load_private_key(key_pem(settings), _NOT_P256)


@dataclass(frozen=True)
class ChainKey:
    """The HMAC key of the chain and its public id."""

    kid: str
    secret: bytes = field(repr=False)


@lru_cache(maxsize=8)
def _derive(pem: bytes) -> ChainKey:
    key = load_private_key(pem, _NOT_P256)
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CHAIN_KEY_INFO).derive(
        scalar
    )
    return ChainKey(kid=verification_key(pem).kid, secret=secret)


def chain_key(settings: Settings) -> ChainKey:
    return _derive(key_pem(settings))


_installed: list[ChainKey] = []


def install(settings: Settings) -> None:
    """Key the events this process records with `settings`' audit key (the app does this
    at start-up, so an unreadable key fails there, not on the first write)."""
    _installed[:] = [chain_key(settings)]


def current() -> ChainKey:
    """The key events are recorded and verified with: the installed one, else the one
    the environment's settings name (the CLI, the worker, scripts)."""
    if not _installed:
        _installed.append(chain_key(get_settings()))
    return _installed[0]


@register_development_secret
def _development_audit_key(settings: Settings) -> str | None:
    if settings.audit_key_file is None:
        return (
            "CAPEXIT_AUDIT_KEY_FILE is not set (a generated development key would sign "
            "checkpoints and key the audit chain)"
        )
    return None
