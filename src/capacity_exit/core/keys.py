"""EC P-256 keys in PEM: generated, loaded, and named by their RFC 7638 thumbprint.

Both keys the service holds are of this kind and live outside the database: the token
signing key (`auth.keys`) and the audit key (`audit.keys`). Each is read from the file
its setting names, or in development from one generated once in the var directory, so
processes started with the same settings share it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# The JOSE name of ECDSA P-256 with SHA-256: what every key here signs with.
ALGORITHM = "ES256"


def _b64(value: int, length: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).decode().rstrip("=")


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    public_pem: str
    jwk: dict[str, str]


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


def load_private_key(pem: bytes, error: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 private key in `pem`; ValueError(`error`) if it is another kind."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(error)
    return key


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
    """The public half of a P-256 key (`pem`: public or private), its JWK and `kid`."""
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


def private_pem(configured: Path | None, development_path: Path) -> bytes:
    """The PEM of the configured key file, else of the development key at
    `development_path`, generated there (mode 0600) when missing."""
    if configured is not None:
        return configured.read_bytes()
    if not development_path.exists():
        development_path.parent.mkdir(parents=True, exist_ok=True)
        # Exclusive create: of two processes starting together, one writes, both read it.
        try:
            fd = os.open(development_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(generate_private_pem())
    return development_path.read_bytes()
