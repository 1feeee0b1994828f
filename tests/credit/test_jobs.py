"""Delivery as the credit domain's queued job (credit.jobs)."""

from __future__ import annotations

import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.core.jobs import JobCannotStart, QueuedJob, WorkerIdentity
from capacity_exit.credit import jobs as credit_jobs
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.credit import FakeCredit, pushes_of


def _delivery(fake_credit: FakeCredit, **overrides: object) -> credit_jobs.Delivery:
    settings = fake_credit.settings.model_copy(update=overrides)
    [job] = credit_jobs.jobs(settings)
    assert isinstance(job, QueuedJob) and job.name == credit_jobs.DELIVERY
    queue = job.open(fake_credit.app.state.database, WorkerIdentity("queue", batch_size=2))
    assert isinstance(queue, credit_jobs.Delivery)
    return queue


@pytest.mark.seed("一(二)")
async def test_the_delivery_queue_drains_the_pushes_due(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(
        owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改。"
    )
    queue = _delivery(fake_credit)
    assert (queue.worker.name, queue.worker.batch_size) == ("queue", 2)
    await queue.drain()
    pushes = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"]) for p in pushes} == {("delivered", 1)}


def test_a_lease_not_above_twice_the_slowest_timeout_stops_the_worker(
    fake_credit: FakeCredit,
) -> None:
    with pytest.raises(JobCannotStart, match="must exceed twice the slowest target's timeout"):
        _delivery(fake_credit, credit_lease_seconds=4.0)  # the targets' timeout is 2 s
