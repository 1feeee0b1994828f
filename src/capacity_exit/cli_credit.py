"""`capacity-exit worker` and `capacity-exit fake-credit-platform` (issue 8)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
from typing import Any

from capacity_exit.config import get_settings


def _worker(args: argparse.Namespace) -> int:
    from capacity_exit.core.actor import Actor, act_as
    from capacity_exit.core.db import Database
    from capacity_exit.core.logs import configure_logging
    from capacity_exit.credit import delivery, targets
    from capacity_exit.credit.worker import Worker

    settings = get_settings()
    targets.install(settings)
    # A claimed job waits for the batch before it (pipelining) and then its own exchange:
    # a lease shorter than that would let another worker send it again meanwhile.
    slowest = max((t.timeout_seconds for t in targets.configured(settings)), default=0.0)
    if settings.credit_lease_seconds <= 2 * slowest:
        raise SystemExit(
            f"CAPEXIT_CREDIT_LEASE_SECONDS ({settings.credit_lease_seconds}) must exceed twice "
            f"the slowest target's timeout ({slowest} s)"
        )
    configure_logging(settings.log_level)
    name = args.name or f"{socket.gethostname()}:{os.getpid()}"
    act_as(Actor(subject=f"system:worker:{name}", department=None, roles=()))

    async def run() -> None:
        database = Database.from_url(settings.resolved_database_url, pool_size=4)
        worker = Worker(
            database,
            settings,
            name=name,
            batch_size=args.batch,
            scan_every_seconds=None if args.no_scan else args.scan_every,
        )
        # As the app does: what lives as long as the process leaves the collector's scans.
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):  # finish what is claimed, then stop
            loop.add_signal_handler(signum, stop.set)
        try:
            if args.until_idle:
                async with delivery.new_client() as client:
                    await worker.scan_if_due()
                    await worker.checkpoint_if_due()
                    await worker.drain(client)
            else:
                await worker.run(stop, poll_seconds=args.poll)
        finally:
            await database.dispose()

    asyncio.run(run())
    logging.getLogger(__name__).info("worker %s stopped", name)
    return 0


def _fake_platform(args: argparse.Namespace) -> int:
    from capacity_exit.credit import fake_platform

    faults = fake_platform.Faults.parse(
        {
            "error_rate": args.error_rate,
            "kinds": args.faults.split(","),
            "latency_ms": args.latency_ms,
            "stall_seconds": args.stall_seconds,
        }
    )
    platform = fake_platform.FakePlatform(
        token=args.token,
        hmac_key=args.hmac_key_file.read_text().strip() if args.hmac_key_file else None,
        faults=faults,
        seed=args.seed,
    )
    print(f"fake credit platform on http://{args.host}:{args.port}/<platform>/records", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(fake_platform.run(args.host, args.port, platform))
    return 0


def add_credit_commands(commands: Any) -> None:
    from pathlib import Path

    from capacity_exit.credit.fake_platform import FAULT_KINDS
    from capacity_exit.credit.targets import DEVELOPMENT_TOKEN

    worker = commands.add_parser(
        "worker", help="deliver credit-platform pushes and run the periodic overdue scan"
    )
    worker.add_argument("--name", help="how attempts name this worker (default host:pid)")
    worker.add_argument("--batch", type=int, default=16, help="jobs claimed and sent at once")
    worker.add_argument("--poll", type=float, default=1.0, help="seconds between idle polls")
    worker.add_argument("--scan-every", type=float, default=3600.0, help="overdue scan period")
    worker.add_argument("--no-scan", action="store_true", help="deliver only")
    worker.add_argument(
        "--until-idle",
        action="store_true",
        help="scan once, sign the audit checkpoint if due, deliver everything due now (each "
        "case's pushes in order), then exit",
    )
    worker.set_defaults(func=_worker)

    fake = commands.add_parser(
        "fake-credit-platform", help="serve a fake credit platform (development, tests)"
    )
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8701)
    fake.add_argument("--token", default=DEVELOPMENT_TOKEN, help="bearer token it accepts")
    fake.add_argument("--hmac-key-file", type=Path, help="check HMAC signatures instead")
    fake.add_argument("--error-rate", type=float, default=0.0, help="share of faulty answers")
    fake.add_argument(
        "--faults", default="500", help=f"comma-separated, among {','.join(FAULT_KINDS)}"
    )
    fake.add_argument("--latency-ms", type=float, default=0.0)
    fake.add_argument("--stall-seconds", type=float, default=5.0, help="a 'timeout' fault's stall")
    fake.add_argument("--seed", type=int, default=None)
    fake.set_defaults(func=_fake_platform)
