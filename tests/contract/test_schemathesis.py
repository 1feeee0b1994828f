"""Schemathesis against a live server, with all its default checks.

Every call carries a valid token of a city department holding every role, so the
protected operations are exercised (and `ignored_auth` checks that they refuse calls
without it).

The generation aids (not relaxed checks) are the project's schemathesis hooks,
tests/contract/hooks.py, the same that `schemathesis.toml` gives `st run` against a live
server: here they carry the token this module issues instead of asking the server for one.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings
from tests.contract import case_aids, hooks
from tests.fixtures import baseline
from tests.fixtures.live_server import live_server
from tests.fixtures.stores import fresh_database

CALLER = "220300-miit"
TOKEN_TTL = 3600
_SERVER: dict[str, str] = {}
# One live server and database for the module: under xdist its tests run on one worker.
pytestmark = pytest.mark.xdist_group("contract")


@pytest.fixture(scope="module")
def contract_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contract")


@pytest.fixture(scope="module")
def contract_database(contract_dir: Path) -> Iterator[str]:
    with fresh_database(contract_dir) as url:
        baseline.build(url)
        yield url


@pytest.fixture(scope="module")
def api_schema(contract_database: str, contract_dir: Path) -> Iterator[Any]:
    # The run may outlast the default token lifetime: the server accepts an hour's.
    with live_server(
        contract_database,
        contract_dir,
        CAPEXIT_ACCESS_TOKEN_TTL_SECONDS=str(TOKEN_TTL),
        **hooks.UNTHROTTLED,
    ) as base:
        _SERVER["base"] = base
        yield schemathesis.openapi.from_url(f"{base}/openapi.json")


@pytest.fixture(scope="module")
def auth_header(contract_dir: Path) -> dict[str, str]:
    # Signed with the development key the live server generated in the same var dir.
    settings = Settings(
        env=Environment.test, var_dir=contract_dir, access_token_ttl_seconds=TOKEN_TTL
    )
    token, _ = tokens.issue(
        settings,
        subject="test:contract",
        department=CALLER,
        roles=list(Role),
        kind="test",
        ttl_seconds=TOKEN_TTL,
    )
    hooks.use_token(token, CALLER)
    return {"Authorization": f"Bearer {token}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    # Derandomized by default so CI is repeatable; `make fuzz` explores new inputs.
    derandomize=os.environ.get("CAPEXIT_FUZZ") != "1",
    max_examples=int(os.environ.get("CAPEXIT_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_contract(case: Any, auth_header: dict[str, str]) -> None:
    # auth_header also hands the token to the hooks, which read with it (current ETags …).
    case.call_and_validate(headers=auth_header)


def test_lifecycles_statefully(
    api_schema: Any, auth_header: dict[str, str], contract_database: str
) -> None:
    """The stateful phase: chains along the contract's links, from an enterprise to its
    inspection, to a case, and through the case's steps, with every default check."""

    # The operations the lifecycle chain runs through; the stateless run covers the rest.
    lifecycle = api_schema.include(
        operation_id=[
            "create_enterprise",
            "create_inspection",
            "create_case",
            "get_case",
            "edit_case_draft",
            "transition_case",
            "list_case_events",
        ]
    )

    class Workflow(lifecycle.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario starts from the same data, so that Hypothesis sees the same
            # responses when it replays a scenario's choices: an enterprise of the
            # caller's city with one inspection, which new cases cite.
            asyncio.run(baseline.restore(contract_database))
            case_aids.an_inspected_enterprise(_SERVER["base"], auth_header, CALLER[:6])

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": auth_header}

    Workflow.run(
        settings=settings(
            derandomize=os.environ.get("CAPEXIT_FUZZ") != "1",
            max_examples=int(os.environ.get("CAPEXIT_FUZZ_EXAMPLES", "40")),
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            # The server keeps state between examples, so a replayed scenario cannot be
            # relied on to take the same path: no shrinking, no example database.
            phases=[Phase.generate],
            database=None,
        )
    )


def test_contract_covers_every_operation(api_schema: Any) -> None:
    operations = list(api_schema.get_all_operations())
    assert len(operations) >= 19
