"""The registry: every domain's declared jobs, by unique name."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import pytest

from capacity_exit.config import Settings
from capacity_exit.core.jobs import Job, PeriodicJob, QueuedJob
from capacity_exit.worker import registry


def test_every_domain_declares_its_jobs(settings: Settings) -> None:
    jobs = registry.registry(settings)
    assert list(jobs) == [
        "credit_delivery",
        "overdue_scan",
        "audit_checkpoint",
        "idempotency_prune",
        "report_challenge_prune",
        "report_overdue_scan",
        "report_contact_retention",
    ]
    assert isinstance(jobs["credit_delivery"], QueuedJob)
    periods = {n: j.period_seconds for n, j in jobs.items() if isinstance(j, PeriodicJob)}
    assert periods == {
        "overdue_scan": settings.overdue_scan_seconds,
        "audit_checkpoint": settings.audit_checkpoint_seconds,
        "idempotency_prune": settings.idempotency_prune_seconds,
        "report_challenge_prune": settings.report_challenge_prune_seconds,
        "report_overdue_scan": settings.report_overdue_scan_seconds,
        "report_contact_retention": settings.report_contact_retention_seconds,
    }


def test_two_jobs_of_one_name_stop_the_worker(settings: Settings) -> None:
    def twice(_settings: Settings) -> Sequence[Job]:
        return [PeriodicJob("audit_checkpoint", 60, _never)]

    module = SimpleNamespace(jobs=twice)
    with pytest.raises(registry.DuplicateJob, match="two jobs are named 'audit_checkpoint'"):
        registry.registry(settings, (*registry.MODULES, module))


def test_choosing_jobs_by_name(settings: Settings) -> None:
    jobs = registry.registry(settings)
    assert [j.name for j in registry.choose(jobs)] == list(jobs)
    chosen = registry.choose(jobs, only=["idempotency_prune", "credit_delivery"])
    assert [j.name for j in chosen] == ["credit_delivery", "idempotency_prune"]
    assert "overdue_scan" not in [j.name for j in registry.choose(jobs, skip=["overdue_scan"])]
    with pytest.raises(registry.UnknownJob, match="unknown job 'nope' \\(known: credit_delivery"):
        registry.choose(jobs, only=["nope"])


async def _never(*_args: object) -> None:
    raise AssertionError("not run")
