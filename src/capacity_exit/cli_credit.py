"""`capacity-exit fake-credit-platform` (issue 8); the worker is `cli_worker`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any


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
