"""Run every benchmark and print its results (see docs/benchmarks.md for recorded runs)."""

from __future__ import annotations

import argparse

from benchmarks import calendar_deadlines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    calendar_deadlines.run(calls=args.calls, seed=args.seed)


if __name__ == "__main__":
    main()
