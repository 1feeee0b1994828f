"""Signing and verification keys (ES256), their `kid`s and the JWKS.

The signing key comes from `CAPEXIT_JWT_SIGNING_KEY_FILE` (PEM). In development, when
none is configured, one is generated once in the var directory, so the server and the
CLI started with the same settings sign and verify with the same key. Previous keys
stay trusted during rotation through `CAPEXIT_JWT_PREVIOUS_KEY_FILES` (public or
private PEMs), and appear in the JWKS until removed. Loading, generating and naming
the keys is `core.keys`'s (the audit key is of the same kind).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from capacity_exit.config import Settings
from capacity_exit.core.keys import ALGORITHM, VerificationKey, private_pem, verification_key
from capacity_exit.core.secrets import register_development_secret

DEV_KEY_NAME = "dev-jwt-signing-key.pem"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str


def _development_key_path(settings: Settings) -> Path:
    return settings.var_dir.resolve() / DEV_KEY_NAME


@dataclass(frozen=True)
class KeySet:
    signing: SigningKey
    trusted: tuple[VerificationKey, ...]

    def by_kid(self, kid: str) -> VerificationKey | None:
        return next((k for k in self.trusted if k.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [{**k.jwk, "kid": k.kid, "use": "sig", "alg": ALGORITHM} for k in self.trusted]
        }


@lru_cache(maxsize=8)
def _key_set(
    signing_file: Path | None, previous: tuple[Path, ...], dev_path: Path, _mtime: float
) -> KeySet:
    pem = private_pem(signing_file, dev_path)
    current = verification_key(pem)
    trusted = [current]
    for path in previous:
        key = verification_key(path.read_bytes())
        if key.kid != current.kid:
            trusted.append(key)
    return KeySet(SigningKey(current.kid, pem.decode()), tuple(trusted))


def key_set(settings: Settings) -> KeySet:
    dev_path = _development_key_path(settings)
    # The development key's mtime is part of the cache key: a regenerated key is seen.
    mtime = dev_path.stat().st_mtime if dev_path.exists() else 0.0
    return _key_set(
        settings.jwt_signing_key_file, tuple(settings.jwt_previous_key_files), dev_path, mtime
    )


@register_development_secret
def _development_signing_key(settings: Settings) -> str | None:
    if settings.jwt_signing_key_file is None:
        return (
            "CAPEXIT_JWT_SIGNING_KEY_FILE is not set "
            "(a generated development key would sign tokens)"
        )
    return None
