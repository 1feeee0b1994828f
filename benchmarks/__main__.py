"""Run the benchmarks and print their results (see docs/benchmarks.md for recorded runs).

`python -m benchmarks` runs them all; `python -m benchmarks calendar` or `disclosures`
runs one. The disclosure benchmark needs PostgreSQL (TEST_DATABASE_URL or the local
server) and `wrk`.
"""

from __future__ import annotations

import argparse

from benchmarks import calendar_deadlines, credit_delivery, public_disclosures

BENCHMARKS = ("calendar", "disclosures", "credit")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    # No `choices` here: Python 3.11's argparse checks an empty list against them and fails.
    parser.add_argument("which", nargs="*", help="calendar, disclosures, credit (default: all)")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--pushes", type=int, default=3000, help="credit: pushes to deliver")
    parser.add_argument("--batch", type=int, default=16, help="credit: sent at once")
    args = parser.parse_args()
    which = args.which or list(BENCHMARKS)
    if unknown := set(which) - set(BENCHMARKS):
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    if "calendar" in which:
        calendar_deadlines.run(calls=args.calls, seed=args.seed)
    if "credit" in which:
        credit_delivery.run(count=args.pushes, batch=args.batch)
    if "disclosures" in which:
        public_disclosures.run(
            rows=args.rows,
            small=args.small,
            seconds=args.seconds,
            connections=args.connections,
            seed=args.seed,
        )


if __name__ == "__main__":
    main()
