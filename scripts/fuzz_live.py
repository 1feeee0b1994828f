"""`make fuzz-live`: contract fuzzing as CI runs it, against a live server of its own.

Starts `capacity-exit serve` on a free loopback port over a fresh SQLite database in a
temporary directory (migrated, reference data seeded, one service account holding
every role in the city's lead department), then runs

    st run <server>/openapi.json --checks all --phases examples,coverage,fuzzing,stateful

from the repository root, so `schemathesis.toml` and its hooks apply; the hooks get
their token from the server with the account's client credentials. Arguments after
`--` go to `st run` (e.g. `--seed 1`, `--max-examples 10`). Exits with st's status.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from tests.contract.hooks import UNTHROTTLED

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOGIN = "fuzz.contract"
DEPARTMENT = "220300-miit"
ROLES = ("viewer", "officer", "approver", "lead", "admin")
PHASES = "examples,coverage,fuzzing,stateful"


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "capacity_exit.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start within 30 s")


def main(st_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="capexit-fuzz-") as tmp:
        env = {
            **os.environ,
            "CAPEXIT_ENV": "development",
            "CAPEXIT_VAR_DIR": tmp,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/fuzz.sqlite3",
            "CAPEXIT_LOG_LEVEL": "WARNING",
            # One token outlasts the run (the run may rotate its own account's secret).
            "CAPEXIT_ACCESS_TOKEN_TTL_SECONDS": "3600",
            **UNTHROTTLED,
        }
        _cli("migrate", env=env)
        _cli("seed", env=env)
        roles = [arg for role in ROLES for arg in ("--role", role)]
        created = _cli(
            "accounts", "create", "--kind", "service", "--login", LOGIN, "--name",
            "契约模糊测试", "--department", DEPARTMENT, *roles, env=env,
        )  # fmt: skip
        found = re.search(r"secret \(shown once\): (\S+)", created)
        if found is None:
            raise SystemExit(f"no secret in the output of `accounts create`:\n{created}")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "capacity_exit.cli", "serve", "--port", str(port)], env=env
        )
        try:
            _wait_until_up(base, server)
            fuzz_env = {
                **env,
                "CAPEXIT_FUZZ_CLIENT_ID": LOGIN,
                "CAPEXIT_FUZZ_CLIENT_SECRET": found.group(1),
            }
            command = [
                str(BIN / "st"), "run", f"{base}/openapi.json",
                "--checks", "all", "--phases", PHASES, *st_args,
            ]  # fmt: skip
            print("$", " ".join(command), flush=True)
            done = subprocess.run(command, env=fuzz_env, cwd=ROOT, check=False)  # noqa: S603
            return done.returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sys.exit(main(arguments[1:] if arguments[:1] == ["--"] else arguments))
