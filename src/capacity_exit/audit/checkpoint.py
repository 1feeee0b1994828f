"""Signed checkpoints of the chain's head: small JSON documents anyone can keep.

A checkpoint says "at `created_at` the chain had `position` events and its last hash was
`hash`", signed with the audit key (ECDSA P-256 over the canonical JSON of those three,
`kid` naming the key). Whoever can alter the database still cannot forge one, so a
chain rewritten or cut back before a kept checkpoint shows, in the manner of Certificate
Transparency's signed tree heads. They are published (`GET /api/v1/audit-checkpoints`),
appended to the witness file, and checked by `capacity-exit audit verify --against`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from capacity_exit.audit.chain import Checkpoint, canonical_json
from capacity_exit.audit.keys import key_pem, private_key
from capacity_exit.config import Settings
from capacity_exit.core.clock import as_utc
from capacity_exit.core.keys import verification_key

_FIELDS = ("position", "hash", "created_at", "kid", "signature")


def timestamp(moment: datetime) -> str:
    """How a checkpoint writes its time: RFC 3339 in UTC with microseconds."""
    return as_utc(moment).isoformat(timespec="microseconds")


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_line(self) -> str:
        """One line of a witness file (JSON Lines)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True) + "\n"

    @property
    def head(self) -> Checkpoint:
        return Checkpoint(self.position, self.hash)


def sign(settings: Settings, position: int, hash_: str, created_at: str) -> SignedCheckpoint:
    unsigned = SignedCheckpoint(position, hash_, created_at, "", "")
    signature = private_key(settings).sign(unsigned.payload(), ec.ECDSA(hashes.SHA256()))
    kid = verification_key(key_pem(settings)).kid
    return SignedCheckpoint(position, hash_, created_at, kid, base64.b64encode(signature).decode())


class BadCheckpoint(ValueError):
    pass


def parse(data: Any, where: str) -> SignedCheckpoint:
    """A checkpoint from decoded JSON, its fields typed; BadCheckpoint otherwise."""
    if not isinstance(data, dict) or set(data) != set(_FIELDS):
        raise BadCheckpoint(f"{where}: not a checkpoint (fields {', '.join(_FIELDS)})")
    position = data["position"]
    strings = [data[name] for name in _FIELDS[1:]]
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise BadCheckpoint(f"{where}: position must be a non-negative integer")
    if not all(isinstance(value, str) for value in strings):
        raise BadCheckpoint(f"{where}: hash, created_at, kid and signature must be strings")
    return SignedCheckpoint(position, *strings)


def check_signature(settings: Settings, checkpoint: SignedCheckpoint, where: str) -> Checkpoint:
    """The head `checkpoint` vouches for, if the audit key signed it; BadCheckpoint
    otherwise."""
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except ValueError as exc:
        raise BadCheckpoint(f"{where}: the signature is not base64") from exc
    public = private_key(settings).public_key()
    try:
        public.verify(signature, checkpoint.payload(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise BadCheckpoint(f"{where}: signature does not verify with the audit key") from exc
    return checkpoint.head


def read_file(path: Path) -> list[SignedCheckpoint]:
    """The checkpoints in `path`: one JSON document (as `audit checkpoint` writes and the
    API serves), or JSON Lines (a witness file, one checkpoint a line)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadCheckpoint(f"{path}: cannot be read ({exc})") from exc
    try:
        return [parse(json.loads(text), str(path))]
    except json.JSONDecodeError:
        pass
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadCheckpoint(f"{path}:{number}: not JSON") from exc
        found.append(parse(data, f"{path}:{number}"))
    if not found:
        raise BadCheckpoint(f"{path}: no checkpoint in it")
    return found


def load_verified(settings: Settings, path: Path) -> list[Checkpoint]:
    """The heads the checkpoints in `path` vouch for, each signature checked."""
    return [
        check_signature(settings, checkpoint, f"{path} (position {checkpoint.position})")
        for checkpoint in read_file(path)
    ]
