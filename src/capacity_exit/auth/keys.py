"""Signing and verification keys (ES256), their `kid`s and the JWKS.

The signing key comes from `CAPEXIT_JWT_SIGNING_KEY_FILE` (PEM). In development, when
none is configured, one is generated once in the var directory, so the server and the
CLI started with the same settings sign and verify with the same key. Previous keys
stay trusted during rotation through `CAPEXIT_JWT_PREVIOUS_KEY_FILES` (public or
private PEMs), and appear in the JWKS until removed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from capacity_exit.config import Settings
from capacity_exit.core.secrets import register_development_secret

ALGORITHM = "ES256"
DEV_KEY_NAME = "dev-jwt-signing-key.pem"


def _b64(value: int, length: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).decode().rstrip("=")


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    public_pem: str
    jwk: dict[str, str]


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str


def _public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x, 32), "y": _b64(numbers.y, 32)}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint, used as the `kid`."""
    canonical = json.dumps(
        {k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")
    )


def _load_public(pem: bytes) -> ec.EllipticCurvePublicKey:
    if b"PRIVATE KEY" in pem:
        private = serialization.load_pem_private_key(pem, password=None)
        public = private.public_key()
    else:
        public = serialization.load_pem_public_key(pem)
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise ValueError("JWT keys must be EC P-256 (ES256)")
    return public


def verification_key(pem: bytes) -> VerificationKey:
    public = _load_public(pem)
    jwk = _public_jwk(public)
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return VerificationKey(kid=thumbprint(jwk), public_pem=public_pem, jwk=jwk)


def generate_private_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _development_key_path(settings: Settings) -> Path:
    return settings.var_dir.resolve() / DEV_KEY_NAME


def _signing_pem(signing_file: Path | None, path: Path) -> bytes:
    if signing_file is not None:
        return signing_file.read_bytes()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = generate_private_pem()
        # Exclusive create: of two processes starting together, one writes, both read it.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return path.read_bytes()


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
    pem = _signing_pem(signing_file, dev_path)
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
