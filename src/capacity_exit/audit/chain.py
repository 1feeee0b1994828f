"""The hash chain: canonical bytes of an event, and its hash over the previous one.

Since issue 14 the hash is keyed: HMAC-SHA256 with the chain key (`audit.keys`) over the
previous hash and the canonical JSON of every other column, the key's id included, so
whoever can rewrite the table cannot recompute the hashes. Events recorded before carry
no key id and keep their unkeyed SHA-256 (`CAPEXIT_AUDIT_UNKEYED_UNTIL` says up to which
position such events are accepted: decisions.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from capacity_exit.audit.keys import ChainKey
from capacity_exit.audit.models import AuditEvent
from capacity_exit.core.clock import as_utc

GENESIS = "0" * 64
# Fields whose values are never written to the log in clear.
SECRET_FIELDS = frozenset({"secret_hash", "password", "secret", "client_secret"})


@dataclass(frozen=True)
class Checkpoint:
    """A head of the chain: how many events it had and the last one's hash."""

    position: int
    hash: str


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def digest(state: dict[str, Any] | None) -> str | None:
    return None if state is None else hashlib.sha256(canonical_json(state)).hexdigest()


def redact(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: ("[redacted]" if k in SECRET_FIELDS else v) for k, v in state.items()}


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """Everything the hash covers: every column but the hash itself (an unkeyed event's
    fields are exactly those hashed before keys existed)."""
    fields: dict[str, Any] = {
        "position": event.position,
        "occurred_at": as_utc(event.occurred_at).isoformat(timespec="microseconds"),
        "subject": event.subject,
        "department": event.department,
        "roles": event.roles,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "jurisdiction": event.jurisdiction,
        "request_id": event.request_id,
        "before_digest": event.before_digest,
        "after_digest": event.after_digest,
        "after_state": event.after_state,
        "prev_hash": event.prev_hash,
    }
    if event.key_id is not None:
        fields["key_id"] = event.key_id
    return fields


def _message(event: AuditEvent) -> bytes:
    return event.prev_hash.encode() + b"\n" + canonical_json(event_fields(event))


def unkeyed_hash(event: AuditEvent) -> str:
    """SHA-256, as events were hashed before issue 14 (anyone can recompute it)."""
    return hashlib.sha256(_message(event)).hexdigest()


def keyed_hash(event: AuditEvent, key: ChainKey) -> str:
    """HMAC-SHA256 with the chain key; `event.key_id` must name that key."""
    if event.key_id != key.kid:
        raise ValueError(f"event {event.position} is keyed with {event.key_id}, not {key.kid}")
    return hmac.new(key.secret, _message(event), hashlib.sha256).hexdigest()


def compute_hash(event: AuditEvent, key: ChainKey) -> str:
    """The hash `event` should carry: keyed when it names a key, unkeyed otherwise."""
    return unkeyed_hash(event) if event.key_id is None else keyed_hash(event, key)
