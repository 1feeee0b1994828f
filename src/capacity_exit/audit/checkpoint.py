"""Signed checkpoints of the chain's head, with a key kept outside the database.

`CAPEXIT_AUDIT_KEY_FILE` names an EC P-256 private key (PEM); in development one is
generated in the var directory. A checkpoint is a small JSON document: whoever can
alter the database still cannot forge one, so a rewritten or truncated chain shows.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from capacity_exit.audit.chain import canonical_json
from capacity_exit.audit.service import Checkpoint
from capacity_exit.auth.keys import generate_private_pem, verification_key
from capacity_exit.config import Settings
from capacity_exit.core.secrets import register_development_secret

DEV_KEY_NAME = "dev-audit-checkpoint-key.pem"


def _key_pem(settings: Settings) -> bytes:
    if settings.audit_key_file is not None:
        return settings.audit_key_file.read_bytes()
    path = settings.var_dir.resolve() / DEV_KEY_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(generate_private_pem())
    return path.read_bytes()


def _private_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(_key_pem(settings), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the audit key must be an EC private key")
    return key


@dataclass(frozen=True)
class SignedCheckpoint:
    position: int
    hash: str
    created_at: str
    kid: str
    signature: str

    def payload(self) -> bytes:
        return canonical_json(
            {"position": self.position, "hash": self.hash, "created_at": self.created_at}
        )

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2) + "\n"


def sign(settings: Settings, position: int, hash_: str, created_at: str) -> SignedCheckpoint:
    key = _private_key(settings)
    unsigned = SignedCheckpoint(position, hash_, created_at, "", "")
    signature = key.sign(unsigned.payload(), ec.ECDSA(hashes.SHA256()))
    kid = verification_key(_key_pem(settings)).kid
    return SignedCheckpoint(position, hash_, created_at, kid, base64.b64encode(signature).decode())


class BadCheckpoint(ValueError):
    pass


def load_verified(settings: Settings, path: Path) -> Checkpoint:
    """The checkpoint in `path`, if its signature is ours; BadCheckpoint otherwise."""
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        checkpoint = SignedCheckpoint(**data)
        signature = base64.b64decode(checkpoint.signature)
    except (ValueError, TypeError) as exc:
        raise BadCheckpoint(f"{path}: not a checkpoint file") from exc
    public = _private_key(settings).public_key()
    try:
        public.verify(signature, checkpoint.payload(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise BadCheckpoint(f"{path}: signature does not verify with the audit key") from exc
    return Checkpoint(checkpoint.position, checkpoint.hash)


@register_development_secret
def _development_audit_key(settings: Settings) -> str | None:
    if settings.audit_key_file is None:
        return (
            "CAPEXIT_AUDIT_KEY_FILE is not set (a generated development key would sign checkpoints)"
        )
    return None
