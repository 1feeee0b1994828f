"""Schemathesis against a live server, with all its default checks.

Every call carries a valid token of a city department holding every role, so the
protected operations are exercised (and `ignored_auth` checks that they refuse calls
without it).

Generation aids (not relaxed checks): valid credit codes come from a strategy that
computes both check characters; positive cases use a jurisdiction the caller acts in
and a department that exists, and drop `cursor`, which is a server-issued token rather
than client-composed data (rejection of forged cursors has its own tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings
from capacity_exit.core import migrations
from capacity_exit.enterprise.credit_code import complete
from tests.conftest import _seed
from tests.fixtures.live_server import live_server
from tests.fixtures.stores import fresh_database

_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CALLER = "220300-miit"

schemathesis.openapi.format(
    "gb32100-credit-code",
    st.builds(
        lambda prefix, division, body: complete(prefix + division + body),
        st.sampled_from(["91", "92", "93", "11", "51", "Y1"]),
        st.sampled_from(["220322", "220381", "440300", "110000"]),
        st.text(alphabet=_CHARS, min_size=8, max_size=8),
    ),
)


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if isinstance(case.body, dict):
        if "jurisdiction" in case.body:
            case.body["jurisdiction"] = CALLER[:6]
        if "department" in case.body:
            case.body["department"] = CALLER
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)


@pytest.fixture(scope="module")
def contract_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contract")


@pytest.fixture(scope="module")
def api_schema(contract_dir: Path) -> Iterator[Any]:
    with fresh_database(contract_dir) as url:
        migrations.upgrade(url)
        asyncio.run(_seed(url))
        with live_server(url, contract_dir) as base:
            yield schemathesis.openapi.from_url(f"{base}/openapi.json")


@pytest.fixture(scope="module")
def auth_header(contract_dir: Path) -> dict[str, str]:
    # Signed with the development key the live server generated in the same var dir.
    settings = Settings(env=Environment.test, var_dir=contract_dir)
    token, _ = tokens.issue(
        settings,
        subject="test:contract",
        department=CALLER,
        roles=list(Role),
        kind="test",
        ttl_seconds=3600,
    )
    return {"Authorization": f"Bearer {token}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_contract(case: Any, auth_header: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_header)


def test_contract_covers_every_operation(api_schema: Any) -> None:
    operations = list(api_schema.get_all_operations())
    assert len(operations) >= 19
