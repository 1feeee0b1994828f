"""The worker against the fake platform: what each kind of answer does to a push, the
outbox's atomicity, leases, and the limits on what is sent and read."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from capacity_exit.auth.roles import Role
from capacity_exit.case.models import Case
from capacity_exit.core import clock
from capacity_exit.credit import delivery, targets
from capacity_exit.credit.fake_platform import Faults
from capacity_exit.credit.models import CreditPush, CreditPushAttempt
from capacity_exit.flows import overdue
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.credit import FakeCredit, pushes_of, write_targets


async def _refused(client_as: ClientAs) -> tuple[Any, dict[str, Any]]:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(
        owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改。"
    )
    return owner, case


@pytest.mark.seed("一(二)")
async def test_a_rolled_back_change_leaves_no_push(
    client_as: ClientAs, fake_credit: FakeCredit, travel_to: TravelTo, app: FastAPI
) -> None:
    owner = client_as(f"{COUNTY}-miit", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "elimination"), "publish")
    travel_to("2027-07-01")
    async with app.state.database.sessionmaker() as session, session.begin():
        [marked] = await overdue.scan_overdue(session, dt.date.fromisoformat("2027-07-01"))
        inside = await session.scalar(select(func.count()).where(CreditPush.case_id == marked.id))
        assert inside == 3  # created with the mark, in its transaction
        await session.rollback()
    assert await pushes_of(owner, case=case["id"]) == []
    after = (await owner.get(f"/api/v1/cases/{case['id']}")).json()
    assert after["overdue"] is False
    async with app.state.database.sessionmaker() as session:
        stored = await session.scalar(select(Case.overdue).where(Case.id == uuid.UUID(case["id"])))
    assert stored is False


async def test_a_non_retryable_answer_kills_the_push_at_once_with_the_answer_kept(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _refused(client_as)
    fake_credit.platform.faults = Faults(status=400)
    await fake_credit.deliver_all()
    pushes = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"], p["last_status_code"]) for p in pushes} == {
        ("dead", 1, 400)
    }
    detail = (await owner.get(f"/api/v1/credit-pushes/{pushes[0]['id']}")).json()
    [attempt] = detail["attempt_log"]
    assert (attempt["status_code"], attempt["outcome"]) == (400, "dead")
    assert "configured to refuse" in attempt["response_excerpt"]
    assert fake_credit.platform.applied == {}


async def test_wrong_credentials_are_final_too(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _refused(client_as)
    fake_credit.platform.token = "another-token"
    await fake_credit.deliver_all()
    assert {p["last_status_code"] for p in await pushes_of(owner, case=case["id"])} == {401}


async def test_retryable_failures_back_off_then_deliver_once(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _refused(client_as)
    fake_credit.platform.faults = Faults(error_rate=1.0, kinds=["500", "429", "malformed"])
    worker = fake_credit.worker()
    async with delivery.new_client() as client:
        assert await worker.run_once(client) == 3
    failed = await pushes_of(owner, case=case["id"])
    assert {p["status"] for p in failed} == {"retrying"}
    assert all(p["next_attempt_at"] > p["updated_at"][:19] for p in failed)
    fake_credit.platform.faults = Faults()
    await fake_credit.deliver_all(worker)
    done = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"]) for p in done} == {("delivered", 2)}
    assert set(fake_credit.platform.applications.values()) == {1}


async def test_attempts_run_out_and_the_push_dies(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    targets.install(fake_credit.settings.model_copy(update={"credit_max_attempts": 3}))
    owner, case = await _refused(client_as)  # each push may be tried 3 times
    fake_credit.platform.faults = Faults(error_rate=1.0, kinds=["500"])
    await fake_credit.deliver_all()
    pushes = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"], p["attempt_budget"]) for p in pushes} == {("dead", 3, 3)}
    assert fake_credit.platform.received == 9


async def test_a_timed_out_or_dropped_delivery_is_retried_with_the_same_key(
    client_as: ClientAs, fake_credit: FakeCredit, tmp_path: Any
) -> None:
    owner, case = await _refused(client_as)
    targets.install(
        fake_credit.settings.model_copy(
            update={"credit_targets_file": write_targets(tmp_path, fake_credit.base, timeout=0.2)}
        )
    )
    fake_credit.platform.faults = Faults(
        error_rate=1.0, kinds=["timeout", "drop"], stall_seconds=0.5
    )
    worker = fake_credit.worker()
    async with delivery.new_client() as client:
        for _ in range(4):
            await worker.run_once(client)
            await asyncio.sleep(0.06)
    fake_credit.platform.faults = Faults()
    await fake_credit.deliver_all(worker)
    pushes = await pushes_of(owner, case=case["id"])
    assert {p["status"] for p in pushes} == {"delivered"}
    assert set(fake_credit.platform.applied) == {p["idempotency_key"] for p in pushes}
    assert set(fake_credit.platform.applications.values()) == {1}
    errors = [
        a["error"] for p in pushes
        for a in (await owner.get(f"/api/v1/credit-pushes/{p['id']}")).json()["attempt_log"]
        if a["error"]
    ]  # fmt: skip
    assert any("timeout" in e for e in errors)


async def test_an_expired_lease_is_reclaimed_and_the_late_answer_does_not_land(
    client_as: ClientAs, fake_credit: FakeCredit, app: FastAPI
) -> None:
    owner, case = await _refused(client_as)
    slow = fake_credit.worker("slow", credit_lease_seconds=0.05)
    fast = fake_credit.worker("fast")
    claimed = await slow.claim()
    assert len(claimed) == 3
    await asyncio.sleep(0.1)  # the slow worker's lease runs out before it answers
    async with delivery.new_client() as client:
        assert await fast.run_once(client) == 3
        late = await asyncio.gather(*(slow.deliver(client, job) for job in claimed))
        await slow.record(late)
    async with app.state.database.sessionmaker() as session:
        rows = (
            await session.execute(
                select(CreditPushAttempt.worker, CreditPushAttempt.outcome)
                .join(CreditPush, CreditPush.id == CreditPushAttempt.push_id)
                .where(CreditPush.case_id == uuid.UUID(case["id"]))
            )
        ).all()
    assert sorted(set(rows)) == [("fast", "delivered"), ("slow", "lost"), ("slow", "stale")]
    pushes = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"]) for p in pushes} == {("delivered", 2)}
    assert set(fake_credit.platform.applications.values()) == {1}


async def test_an_oversized_answer_is_read_only_up_to_the_cap(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _refused(client_as)
    fake_credit.platform.faults = Faults(error_rate=1.0, kinds=["oversized"])
    async with delivery.new_client() as client:
        assert await fake_credit.worker().run_once(client) == 3
    pushes = await pushes_of(owner, case=case["id"])
    # A 200 read only in part is no acknowledgement: what followed is unknown.
    assert {p["status"] for p in pushes} == {"retrying"}
    detail = (await owner.get(f"/api/v1/credit-pushes/{pushes[0]['id']}")).json()
    [attempt] = detail["attempt_log"]
    assert "larger than the cap" in attempt["error"]
    assert len(attempt["response_excerpt"]) <= delivery.EXCERPT_CHARS
    fake_credit.platform.faults = Faults()
    await fake_credit.deliver_all()  # the platform had applied it: acknowledged as a duplicate
    assert {p["status"] for p in await pushes_of(owner, case=case["id"])} == {"delivered"}
    assert set(fake_credit.platform.applications.values()) == {1}


async def test_hmac_signed_targets(
    client_as: ClientAs, fake_credit: FakeCredit, tmp_path: Any
) -> None:
    owner, case = await _refused(client_as)
    targets.install(
        fake_credit.settings.model_copy(
            update={
                "credit_targets_file": write_targets(
                    tmp_path, fake_credit.base, auth="hmac", secret="shared-hmac-key"
                )
            }
        )
    )
    fake_credit.platform.token, fake_credit.platform.hmac_key = None, "shared-hmac-key"
    await fake_credit.deliver_all()
    assert {p["status"] for p in await pushes_of(owner, case=case["id"])} == {"delivered"}


async def test_the_pipeline_drains_everything_due_and_records_each_attempt(
    client_as: ClientAs, fake_credit: FakeCredit, app: FastAPI
) -> None:
    cases = [await _refused(client_as) for _ in range(4)]  # 12 pushes
    worker = fake_credit.worker()
    worker.batch_size = 5  # several batches: claimed, sent and recorded overlapping
    async with delivery.new_client() as client:
        await worker.drain(client)
    for owner, case in cases:
        pushes = await pushes_of(owner, case=case["id"])
        assert {(p["status"], p["attempts"]) for p in pushes} == {("delivered", 1)}
    async with app.state.database.sessionmaker() as session:
        attempts = await session.scalar(select(func.count()).select_from(CreditPushAttempt))
    assert attempts == 12 == len(fake_credit.platform.applied)


async def _raw_platform(answer: bytes) -> tuple[asyncio.Server, str]:
    """A platform that answers every request with these exact bytes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.readline() not in (b"", b"\r\n"):
            pass  # request line and headers
        await reader.read(65_536)  # the body (small, already sent)
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


def _answer(status: int, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [
        # Binary (here gzip-like, with NUL bytes) answers are kept as text a column holds;
        # a 200 that is not the platform's acknowledgement is not confirmed: retried.
        (_answer(200, b"\x1f\x8b\x08\x00\x00\x00\x00ok"), "retrying", delivery.NOT_ACKNOWLEDGED),
        # A Retry-After of years, or infinity, waits no longer than the backoff cap.
        (_answer(503, b"{}", "Retry-After: 315360000"), "retrying", None),
        (_answer(503, b"{}", "Retry-After: inf"), "retrying", None),
    ],
)
async def test_odd_but_legal_answers_are_recorded(
    client_as: ClientAs,
    fake_credit: FakeCredit,
    tmp_path: Any,
    answer: bytes,
    status: str,
    error: str | None,
) -> None:
    owner, case = await _refused(client_as)
    server, base = await _raw_platform(answer)
    targets.install(
        fake_credit.settings.model_copy(
            update={"credit_targets_file": write_targets(tmp_path, base)}
        )
    )
    try:
        async with delivery.new_client() as client:
            assert await fake_credit.worker().run_once(client) == 3
    finally:
        server.close()
    for push in await pushes_of(owner, case=case["id"]):
        assert push["status"] == status
        # The backoff cap in these tests is 0.05 s: never the years a Retry-After asked for.
        next_attempt = dt.datetime.fromisoformat(push["next_attempt_at"])
        assert next_attempt < clock.utcnow() + dt.timedelta(seconds=30)
        [attempt] = (await owner.get(f"/api/v1/credit-pushes/{push['id']}")).json()["attempt_log"]
        assert "\x00" not in (attempt["response_excerpt"] or "")
        assert attempt["error"] == error


async def test_a_lease_that_expires_on_the_last_attempt_ends_the_push(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    targets.install(fake_credit.settings.model_copy(update={"credit_max_attempts": 1}))
    owner, case = await _refused(client_as)
    assert len(await fake_credit.worker("gone", credit_lease_seconds=0.05).claim()) == 3
    await asyncio.sleep(0.1)
    assert await fake_credit.worker("next").claim() == []  # not sent a second time
    pushes = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"]) for p in pushes} == {("dead", 1)}
    detail = (await owner.get(f"/api/v1/credit-pushes/{pushes[0]['id']}")).json()
    assert [a["outcome"] for a in detail["attempt_log"]] == ["lost"]
    assert fake_credit.platform.received == 0


@pytest.mark.seed("一(二)")
async def test_a_withdrawn_case_is_withdrawn_from_the_platforms_after_its_listing(
    client_as: ClientAs, fake_credit: FakeCredit, travel_to: TravelTo
) -> None:
    owner = client_as(f"{COUNTY}-miit", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "elimination"), "publish")
    travel_to("2027-07-01")
    await fake_credit.scan_overdue()  # overdue: three listings
    fake_credit.platform.faults = Faults(error_rate=1.0, kinds=["500"])
    async with delivery.new_client() as client:
        await fake_credit.worker().run_once(client)  # they fail once: retrying
    case = (await owner.get(f"/api/v1/cases/{case['id']}")).json()
    withdrawn = await take(owner, case, "withdraw", reason="企业主体认定错误")
    assert withdrawn["status"] == "withdrawn"
    pushes = await pushes_of(owner, case=case["id"], kind="withdrawal")
    assert {(p["trigger"], p["status"]) for p in pushes} == {("case_withdrawn", "pending")}
    fake_credit.platform.faults = Faults()
    await fake_credit.deliver_all()
    for code in ("national", "creditchina", "creditjilin"):
        kinds = [r["kind"] for r in fake_credit.platform.applied.values() if r["_platform"] == code]
        assert kinds == ["listing", "withdrawal"], code  # in order, never the reverse
    # Withdrawn is withdrawn: not listed again by hand, not withdrawn twice.
    for kind in ("listing", "withdrawal"):
        again = await owner.post(
            "/api/v1/credit-pushes",
            json={"case_id": case["id"], "kind": kind, "reason": "再次推送"},
        )
        assert again.status_code == 409, again.text
