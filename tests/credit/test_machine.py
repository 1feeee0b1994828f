"""A push's lifecycle table and the classification of answers, without HTTP."""

from __future__ import annotations

import random
import uuid

import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.case.machine import ActionForbidden, Category
from capacity_exit.case.pushers import NotCaseParty, check_credit_pusher, credit_pushers
from capacity_exit.credit.machine import (
    DUE,
    TRANSITIONS,
    Outcome,
    PushEvent,
    PushStatus,
    acknowledges,
    classify,
)
from capacity_exit.credit.worker import Backoff

S, E = PushStatus, PushEvent


def sources(event: PushEvent) -> set[PushStatus]:
    """The statuses the table lets `event` leave from."""
    return {status for (status, e) in TRANSITIONS if e is event}


def test_a_delivered_push_is_final_and_nothing_skips_the_flight() -> None:
    assert not [key for key in TRANSITIONS if key[0] == S.delivered]
    # Only a claimed push gets an answer.
    for event in (E.deliver, E.fail, E.exhaust, E.reject):
        assert sources(event) == {S.in_flight}
    assert sources(E.claim) == set(DUE)
    # In flight it can be neither cancelled nor retried by hand.
    assert S.in_flight not in sources(E.cancel) | sources(E.retry)


@pytest.mark.parametrize(
    ("status", "event", "after"),
    [
        (S.pending, E.claim, S.in_flight),
        (S.in_flight, E.deliver, S.delivered),
        (S.in_flight, E.fail, S.retrying),
        (S.retrying, E.claim, S.in_flight),
        (S.in_flight, E.exhaust, S.dead),
        (S.in_flight, E.reject, S.dead),
        (S.dead, E.retry, S.pending),
        (S.dead, E.cancel, S.cancelled),
        (S.cancelled, E.retry, S.pending),
        (S.in_flight, E.reclaim, S.in_flight),
    ],
)
def test_transitions(status: PushStatus, event: PushEvent, after: PushStatus) -> None:
    assert TRANSITIONS[(status, event)] == after


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (200, Outcome.delivered),
        (201, Outcome.delivered),
        (204, Outcome.delivered),
        (301, Outcome.dead),  # no redirect is followed
        (302, Outcome.dead),
        (400, Outcome.dead),
        (401, Outcome.dead),
        (403, Outcome.dead),
        (404, Outcome.dead),
        (409, Outcome.dead),
        (422, Outcome.dead),
        (408, Outcome.retry),
        (425, Outcome.retry),
        (429, Outcome.retry),
        (500, Outcome.retry),
        (502, Outcome.retry),
        (503, Outcome.retry),
        (504, Outcome.retry),
        (None, Outcome.retry),  # timeout, refused or dropped connection, malformed answer
    ],
)
def test_answers_are_classified(code: int | None, outcome: Outcome) -> None:
    assert classify(code, acknowledged=True) is outcome


@pytest.mark.parametrize("code", [200, 201, 204])
def test_a_2xx_without_the_acknowledgement_is_not_delivered(code: int) -> None:
    assert classify(code, acknowledged=False) is Outcome.retry


KEY, RECORD = "8d3c7a52-5a5e-4a1e-9f43-2f0b6f3f7d11", uuid.UUID(int=7)


@pytest.mark.parametrize(
    ("body", "acknowledged"),
    [
        (
            b'{"key": "%s", "duplicate": false, "record_id": "%s"}'
            % (KEY.encode(), str(RECORD).encode()),
            True,
        ),
        (b'{"key": "%s"}' % KEY.encode(), True),  # record_id is optional
        (b'{"key": "another-key"}', False),
        (
            b'{"key": "%s", "record_id": "00000000-0000-0000-0000-000000000008"}' % KEY.encode(),
            False,
        ),
        (b'{"ok": true, "accepted": true}', False),  # says nothing of this record
        (b'["%s"]' % KEY.encode(), False),
        (b"", False),
        (b"\x00\xff<html>{not json", False),
        (b"<html><body>502 Bad Gateway</body></html>", False),
    ],
)
def test_an_acknowledgement_names_the_key_sent(body: bytes, acknowledged: bool) -> None:
    assert acknowledges(body, KEY, RECORD) is acknowledged


def test_backoff_doubles_up_to_its_cap_with_jitter_and_honours_retry_after() -> None:
    random.seed(1)
    backoff = Backoff(base_seconds=2.0, cap_seconds=60.0)
    for claim, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (5, 32.0), (6, 60.0), (30, 60.0)]:
        delays = [backoff.delay(claim) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), claim
        assert len(set(delays)) > 100  # jittered, not in lockstep
    assert backoff.delay(1, retry_after=30.0) == 30.0


def test_the_case_table_says_who_pushes_for_a_case() -> None:
    decision = {"involved_departments": ["220322-ecoenv", "220322-market"]}
    assert credit_pushers(Category.forced_exit, "220322-gov", decision) == {
        "220322-gov",
        "220322-ecoenv",
        "220322-market",
    }
    # Another category's named departments (its responsible ones) do not push for it.
    assert credit_pushers(Category.illegal, "220322-ecoenv", decision) == {"220322-ecoenv"}

    def check(department: str, *roles: Role) -> None:
        check_credit_pusher(
            Category.forced_exit,
            owner="220322-gov",
            content=decision,
            roles=roles,
            department_code=department,
        )

    check("220322-market", Role.approver)
    with pytest.raises(NotCaseParty):
        check("220322-natres", Role.approver)
    with pytest.raises(ActionForbidden):  # an officer of the case's own department
        check("220322-gov", Role.officer)
