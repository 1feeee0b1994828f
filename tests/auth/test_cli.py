"""The shell side of identity: `capacity-exit token` and `capacity-exit accounts`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, InsecureConfiguration, Settings
from capacity_exit.main import create_app
from tests.conftest import ClientAs
from tests.fixtures.cli import run_cli
from tests.fixtures.factories import enterprise_body


def _cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> str:
    result = run_cli(settings, *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_cli_token_is_accepted_by_the_server(
    settings: Settings, anonymous: httpx.AsyncClient
) -> None:
    token = _cli(settings, "token", "--department", "220300-miit", "--role", "admin").strip()
    assert token.count(".") == 2
    response = await anonymous.get(
        "/api/v1/departments", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_cli_token_lives_no_longer_than_the_server_accepts(settings: Settings) -> None:
    args = ("token", "--department", "220300-miit", "--role", "viewer", "--ttl")
    refused = run_cli(settings, *args, str(settings.access_token_ttl_seconds + 1))
    assert refused.returncode == 2 and refused.stdout == ""
    assert "at most CAPEXIT_ACCESS_TOKEN_TTL_SECONDS" in refused.stderr
    assert _cli(settings, *args, str(settings.access_token_ttl_seconds)).count(".") == 2


async def test_county_token_cannot_read_another_countys_enterprise(
    settings: Settings, anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    tiexi = client_as("220302-ecoenv", Role.officer)
    created = await tiexi.post("/api/v1/enterprises", json=enterprise_body(jurisdiction="220302"))
    assert created.status_code == 201
    token = _cli(
        settings,
        "token",
        "--department",
        "220322-ecoenv",
        "--role",
        "officer",
        "--role",
        "approver",
    ).strip()
    response = await anonymous.get(
        f"/api/v1/enterprises/{created.json()['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404


async def test_accounts_commands(settings: Settings, anonymous: httpx.AsyncClient) -> None:
    out = _cli(
        settings, "accounts", "create", "--kind", "service", "--login", "cli.gateway",
        "--name", "对接系统", "--department", "220300-drc", "--role", "viewer",
    )  # fmt: skip
    secret = out.split("secret (shown once): ")[1].strip()
    grant = {
        "grant_type": "client_credentials",
        "client_id": "cli.gateway",
        "client_secret": secret,
    }
    assert (await anonymous.post("/api/v1/auth/token", data=grant)).status_code == 200

    rotated = _cli(settings, "accounts", "rotate", "cli.gateway")
    new_secret = rotated.split("secret (shown once): ")[1].strip()
    assert (await anonymous.post("/api/v1/auth/token", data=grant)).status_code == 401
    grant["client_secret"] = new_secret
    assert (await anonymous.post("/api/v1/auth/token", data=grant)).status_code == 200

    assert "disabled" in _cli(settings, "accounts", "disable", "cli.gateway")
    assert (await anonymous.post("/api/v1/auth/token", data=grant)).status_code == 401
    assert "cli.gateway" in _cli(settings, "accounts", "list")


def test_production_refuses_the_development_signing_key(tmp_path: Path) -> None:
    settings = Settings(
        env=Environment.production, database_url="postgresql+asyncpg://u@h/db", var_dir=tmp_path
    )
    with pytest.raises(InsecureConfiguration, match="CAPEXIT_JWT_SIGNING_KEY_FILE"):
        create_app(settings)


def test_demo_accounts_are_refused_in_production(settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "capacity_exit.cli", "seed", "--demo"],
        env={
            **os.environ,
            "DATABASE_URL": settings.resolved_database_url,
            "CAPEXIT_ENV": "production",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "development only" in result.stderr
