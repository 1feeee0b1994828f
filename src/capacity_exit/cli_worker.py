"""`capacity-exit worker`: every domain's jobs (capacity_exit.worker), or those named."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import socket
import sys
from typing import TYPE_CHECKING, Any

from capacity_exit.config import get_settings

if TYPE_CHECKING:
    from capacity_exit.core.jobs import Job


def _schedule(job: Job) -> str:
    from capacity_exit.core.jobs import QueuedJob

    if isinstance(job, QueuedJob):
        return "queued"
    return f"every {job.period_seconds:g} s" if job.enabled else "off"


def _worker(args: argparse.Namespace) -> int:
    from capacity_exit.core.actor import Actor, act_as
    from capacity_exit.core.db import Database
    from capacity_exit.core.jobs import JobCannotStart
    from capacity_exit.core.logs import configure_logging
    from capacity_exit.credit import targets
    from capacity_exit.flows.jobs import OVERDUE_SCAN
    from capacity_exit.worker import registry
    from capacity_exit.worker.runner import Runner

    settings = get_settings()
    if args.scan_every is not None:  # the old flag, kept: the scan's period setting
        settings = settings.model_copy(update={"overdue_scan_seconds": args.scan_every})
    try:
        registered = registry.registry(settings)
        jobs = registry.choose(
            registered, only=args.only or (), skip=[OVERDUE_SCAN] if args.no_scan else ()
        )
    except (registry.DuplicateJob, registry.UnknownJob) as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.list:
        for job in registered.values():
            print(f"{job.name}\t{_schedule(job)}")
        return 0
    targets.install(settings)  # pushes made by any job (the overdue scan) see the targets
    configure_logging(settings.log_level, settings.resolved_log_format)
    name = args.name or f"{socket.gethostname()}:{os.getpid()}"
    act_as(Actor(subject=f"system:worker:{name}", department=None, roles=()))

    async def run() -> None:
        database = Database.from_url(settings.resolved_database_url, pool_size=4)
        try:
            runner = Runner(
                database,
                jobs,
                name=name,
                batch_size=args.batch,
                lease_seconds=settings.worker_job_lease_seconds,
            )
            # As the app does: what lives as long as the process leaves the collector's scans.
            gc.collect()
            gc.freeze()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):  # finish what is claimed, then stop
                loop.add_signal_handler(signum, stop.set)
            if args.until_idle:
                await runner.until_idle()
            else:
                await runner.run(stop, poll_seconds=args.poll)
        finally:
            await database.dispose()

    try:
        asyncio.run(run())
    except JobCannotStart as exc:
        raise SystemExit(str(exc)) from exc
    logging.getLogger(__name__).info("worker %s stopped", name)
    return 0


def add_worker_commands(commands: Any) -> None:
    worker = commands.add_parser(
        "worker",
        help="run the jobs: deliver credit pushes; the overdue scan, the audit checkpoint "
        "and idempotency pruning once per period across all workers",
    )
    worker.add_argument("--name", help="how claims name this worker (default host:pid)")
    worker.add_argument(
        "--only",
        action="append",
        metavar="JOB",
        help="run only this job (repeatable; `--list` names them)",
    )
    worker.add_argument("--list", action="store_true", help="list the jobs and exit")
    worker.add_argument("--batch", type=int, default=16, help="pushes claimed and sent at once")
    worker.add_argument("--poll", type=float, default=1.0, help="seconds between idle polls")
    worker.add_argument(
        "--scan-every",
        type=float,
        default=None,
        help="the overdue scan's period (deprecated: set CAPEXIT_OVERDUE_SCAN_SECONDS)",
    )
    worker.add_argument("--no-scan", action="store_true", help="all jobs but the overdue scan")
    worker.add_argument(
        "--until-idle",
        action="store_true",
        help="run the periodic jobs that are due once, deliver everything due now (each "
        "case's pushes in order), then exit",
    )
    worker.set_defaults(func=_worker, needs="everything")
