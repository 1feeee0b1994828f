"""The hash chain: canonical bytes of an event, and its hash over the previous one."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from capacity_exit.audit.models import AuditEvent
from capacity_exit.core.clock import as_utc

GENESIS = "0" * 64
# Fields whose values are never written to the log in clear.
SECRET_FIELDS = frozenset({"secret_hash", "password", "secret", "client_secret"})


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
    """Everything the hash covers: every column but the hash itself."""
    return {
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


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(
        event.prev_hash.encode() + b"\n" + canonical_json(event_fields(event))
    ).hexdigest()
