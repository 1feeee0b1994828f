"""Redocly's `lint` fails only on errors; the contract must have no warning either.

`python scripts/redocly_lint.py REDOCLY [ARGUMENTS...]`: runs `REDOCLY lint ARGUMENTS`
(the config and the contract) with JSON output, prints every problem with its rule name
and where it is, and exits 1 if there is any problem at all.
"""

from __future__ import annotations

import json
import subprocess
import sys


def main(redocly: str, *arguments: str) -> int:
    run = subprocess.run(  # noqa: S603 (the pinned npm binary and a path, from the Makefile)
        [redocly, "lint", "--format=json", "--max-problems=1000", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    # What Redocly says besides its report (a config warning, say), less its boxed notices
    # (Node.js 20's end of support).
    for line in run.stderr.splitlines():
        if line.strip() and not any(c in line for c in "║╔╚"):
            sys.stderr.write(line + "\n")
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(run.stdout)
        return 1
    for problem in report["problems"]:
        where = problem["location"][0].get("pointer", "") if problem["location"] else ""
        print(f"{problem['severity']:7} {problem['ruleId']}: {problem['message']} {where}")
    totals = report["totals"]
    print(f"redocly: {totals['errors']} errors, {totals['warnings']} warnings")
    return 1 if totals["errors"] or totals["warnings"] or run.returncode else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
