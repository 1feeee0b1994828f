"""A push's lifecycle as an explicit table, and how an answer is classified.

Pure domain: no I/O. The worker and the API apply these through conditional updates.
"""

from __future__ import annotations

from enum import StrEnum

import orjson


class PushStatus(StrEnum):
    pending = "pending"
    in_flight = "in_flight"
    delivered = "delivered"
    retrying = "retrying"
    dead = "dead"
    cancelled = "cancelled"


class PushEvent(StrEnum):
    claim = "claim"  # a worker takes a due job
    reclaim = "reclaim"  # ... or one whose worker's lease expired
    deliver = "deliver"  # 2xx
    fail = "fail"  # retryable, attempts left
    exhaust = "exhaust"  # retryable, no attempts left
    reject = "reject"  # non-retryable
    cancel = "cancel"  # an approver stops it
    retry = "retry"  # an approver sends it again


S, E = PushStatus, PushEvent
TRANSITIONS: dict[tuple[PushStatus, PushEvent], PushStatus] = {
    (S.pending, E.claim): S.in_flight,
    (S.retrying, E.claim): S.in_flight,
    (S.in_flight, E.reclaim): S.in_flight,
    (S.in_flight, E.deliver): S.delivered,
    (S.in_flight, E.fail): S.retrying,
    (S.in_flight, E.exhaust): S.dead,
    (S.in_flight, E.reject): S.dead,
    (S.pending, E.cancel): S.cancelled,
    (S.retrying, E.cancel): S.cancelled,
    (S.dead, E.cancel): S.cancelled,
    (S.dead, E.retry): S.pending,
    (S.cancelled, E.retry): S.pending,
}
DUE = (S.pending, S.retrying)


class Outcome(StrEnum):
    delivered = "delivered"
    retry = "retry"
    dead = "dead"


RETRYABLE_STATUS = frozenset({408, 425, 429})


def acknowledges(body: bytes, key: str, record_id: object = None) -> bool:
    """Whether an answer's body is the platform's acknowledgement of a record: a JSON
    object naming the `Idempotency-Key` it applied in `key` and, when it names a
    `record_id`, the record's (as the fake platform answers, docs/operations.md). A
    proxy's error page, an empty body or anything else is not: the record may not have
    reached the platform."""
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(answer, dict) or answer.get("key") != key:
        return False
    return "record_id" not in answer or answer["record_id"] == str(record_id)


def classify(status_code: int | None, *, acknowledged: bool) -> Outcome:
    """2xx with the platform's acknowledgement delivered; a 2xx without it, 408/425/429,
    5xx and no answer at all (None: timeout, connection error, an unreadable answer)
    retried, since the record may not have been applied; any other answer is final."""
    if status_code is None or status_code >= 500 or status_code in RETRYABLE_STATUS:
        return Outcome.retry
    if 200 <= status_code < 300:
        return Outcome.delivered if acknowledged else Outcome.retry
    return Outcome.dead
