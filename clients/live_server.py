"""Run a client program against a throwaway server: `python clients/live_server.py -- CMD...`.

The server is the one an integrator would get from a fresh install: a temporary SQLite
database and var directory, `capacity-exit migrate`, `seed` (the reference data) and a
service account made with `accounts create`, then `serve` on a free loopback port. CMD
runs with MAIN_JOB_BASE_URL, MAIN_JOB_CLIENT_ID and MAIN_JOB_CLIENT_SECRET in its
environment; its exit status is this script's. The server is stopped and the temporary
directory removed however CMD ends. Standard library only: it runs in the project's venv
(for the `capacity_exit` it starts), CMD in whatever environment it names.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

LOGIN = "clients-main-job"
DEPARTMENT = "220322-ecoenv"  # 梨树县生态环境局, in the seeded reference data
ROLES = ("officer", "approver")  # records and edits (经办), publishes (审核签发)
_CLI = (sys.executable, "-m", "capacity_exit.cli")
_START_SECONDS = 30
_ATTEMPTS = 3  # a port found free may be taken before the server binds it


def _cli(env: dict[str, str], *args: str) -> str:
    """Run one `capacity-exit` command; its output, or exit with what it printed."""
    done = subprocess.run([*_CLI, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"`capacity-exit {' '.join(args)}` failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def _secret(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("secret (shown once): "):
            return line.split(": ", 1)[1].strip()
    sys.exit(f"`accounts create` printed no secret:\n{output}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def _serving(env: dict[str, str]) -> Iterator[str]:
    """`capacity-exit serve` on a free port until the block ends; its base URL."""
    for attempt in range(1, _ATTEMPTS + 1):
        port = _free_port()
        process = subprocess.Popen([*_CLI, "serve", "--port", str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + _START_SECONDS
        while process.poll() is None and not _healthy(base):
            if time.monotonic() > deadline:
                _stop(process)
                sys.exit(f"the server did not answer /healthz within {_START_SECONDS} s")
            time.sleep(0.1)
        if process.poll() is None:
            break
        if attempt == _ATTEMPTS:
            sys.exit(f"the server exited with {process.returncode} before answering")
    try:
        yield base
    finally:
        _stop(process)


def run(command: Sequence[str]) -> int:
    work = Path(tempfile.mkdtemp(prefix="capexit-clients-"))
    try:
        env = {
            **os.environ,
            "CAPEXIT_ENV": "development",
            "CAPEXIT_VAR_DIR": str(work),
            "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'capexit.sqlite3'}",
            "CAPEXIT_LOG_LEVEL": "WARNING",
        }
        _cli(env, "migrate")
        _cli(env, "seed")
        roles = [arg for role in ROLES for arg in ("--role", role)]
        created = _cli(
            env,
            *("accounts", "create", "--kind", "service", "--login", LOGIN),
            *("--name", "Generated-client main job", "--department", DEPARTMENT, *roles),
        )
        secret = _secret(created)
        with _serving(env) as base:
            job_env = {
                **os.environ,
                "MAIN_JOB_BASE_URL": base,
                "MAIN_JOB_CLIENT_ID": LOGIN,
                "MAIN_JOB_CLIENT_SECRET": secret,
            }
            return subprocess.run(command, env=job_env, check=False).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        sys.exit("usage: live_server.py -- COMMAND [ARG...]")
    return run(argv[argv.index("--") + 1 :])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
