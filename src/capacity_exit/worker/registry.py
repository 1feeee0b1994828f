"""Every job a worker can run, from the modules that declare them.

Each domain declares its jobs in its own `jobs.py`, a function `jobs(settings)`
(capacity_exit.core.jobs), and is listed in `MODULES` below: a new domain's jobs
(reports, notifications, reporting-deadline scans) are one more module there. Nothing
is registered by importing a module; names are unique across all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from capacity_exit.audit import jobs as audit_jobs
from capacity_exit.config import Settings
from capacity_exit.core import challenge_jobs, idempotency_jobs
from capacity_exit.core.jobs import Job
from capacity_exit.credit import jobs as credit_jobs
from capacity_exit.flows import jobs as flows_jobs
from capacity_exit.report import jobs as report_jobs


class JobModule(Protocol):
    def jobs(self, settings: Settings) -> Sequence[Job]: ...


MODULES: tuple[JobModule, ...] = (
    credit_jobs,  # credit_delivery (queued)
    flows_jobs,  # overdue_scan
    audit_jobs,  # audit_checkpoint
    idempotency_jobs,  # idempotency_prune
    challenge_jobs,  # report_challenge_prune
    report_jobs,  # report_overdue_scan, report_contact_retention
)


class DuplicateJob(ValueError):
    """Two declarations share a name: the worker does not start."""


class UnknownJob(LookupError):
    """A job asked for by name that no module declares."""


def registry(settings: Settings, modules: Iterable[JobModule] = MODULES) -> dict[str, Job]:
    """Every declared job by name, in the order of the modules."""
    found: dict[str, Job] = {}
    for module in modules:
        for job in module.jobs(settings):
            if job.name in found:
                raise DuplicateJob(f"two jobs are named {job.name!r}")
            found[job.name] = job
    return found


def choose(
    registered: dict[str, Job], only: Sequence[str] = (), skip: Sequence[str] = ()
) -> list[Job]:
    """The jobs named in `only` (all when it is empty), without those in `skip`."""
    unknown = sorted({*only, *skip} - set(registered))
    if unknown:
        raise UnknownJob(
            f"unknown job {', '.join(map(repr, unknown))} (known: {', '.join(registered)})"
        )
    wanted = only or list(registered)
    return [job for name, job in registered.items() if name in wanted and name not in skip]
