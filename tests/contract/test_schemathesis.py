"""Schemathesis against a live server, with all its default checks.

Every call carries a valid token of a city department holding every role, so the
protected operations are exercised (and `ignored_auth` checks that they refuse calls
without it).

Generation aids (not relaxed checks), for rules a JSON schema cannot state: valid
credit codes come from a strategy that computes both check characters; positive cases
use a jurisdiction the caller acts in and a department that exists, drop `cursor` (a
server-issued token; forged cursors have their own tests), carry the resource's
current ETag in If-Match (as a client that read it first would), use a fresh
Idempotency-Key per request, put a calendar schedule's dates inside its year, and make
case requests ones the case's category and state can take (`case_aids`). Negative cases
are left as generated.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings
from capacity_exit.core import clock
from capacity_exit.enterprise.credit_code import complete
from tests.contract import case_aids
from tests.fixtures import baseline
from tests.fixtures.live_server import live_server
from tests.fixtures.stores import fresh_database

_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CALLER = "220300-miit"
TOKEN_TTL = 3600
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_AUTH: dict[str, str] = {}
_SERVER: dict[str, str] = {}
# One live server and database for the module: under xdist its tests run on one worker.
pytestmark = pytest.mark.xdist_group("contract")

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
    if isinstance(case.query, dict):
        # An extra query parameter generated as null or an empty list would be silently
        # left out by the HTTP client; send it as an empty value so it reaches the server.
        for name, value in list(case.query.items()):
            if value is None or value == []:
                case.query[name] = ""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and _VALID_KEY.match(key):
        # A client uses a fresh key for each new request; generated keys repeat ("0").
        # Invalid keys (negative cases) are left as they are.
        case.headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4().hex}"
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if isinstance(case.body, dict):
        if "jurisdiction" in case.body:
            case.body["jurisdiction"] = CALLER[:6]
        if "department" in case.body:
            case.body["department"] = CALLER
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
    base = (case.operation.base_url or "").rstrip("/")
    if case.operation.path.startswith("/api/v1/cases/{case_id}") and case.method.upper() != "GET":
        case_aids.complete_case_request(case, base, _AUTH, CALLER, clock.business_today())
    elif isinstance(case.body, dict):
        if case.operation.path == "/api/v1/cases" and case.method.upper() == "POST":
            case_aids.cite_a_real_inspection(case.body, base, _AUTH)
        case_aids.fit_dates_and_departments(case.body, CALLER, clock.business_today())
    if case.operation.path == "/api/v1/calendar/years/{year}" and isinstance(case.body, dict):
        _fit_schedule_to_year(case.body, int(case.path_parameters["year"]))
    declared = case.operation.definition.raw.get("parameters", [])
    if any(p.get("name") == "If-Match" for p in declared):
        etag = _current_etag(case)
        if etag is not None:
            case.headers = {**(case.headers or {}), "If-Match": etag}


def _fit_schedule_to_year(body: dict[str, Any], year: int) -> None:
    """A schedule's dates must lie in its year, adjusted working days on weekends, and no
    date twice: rules across fields that a JSON schema cannot state."""

    def moved(text: str, weekend: bool) -> str:
        day = date.fromisoformat(text)
        day = date(year, day.month, min(day.day, 28))
        step = timedelta(days=1 if day.month < 12 else -1)  # stay inside the year
        while weekend and day.weekday() < 5:
            day += step
        return day.isoformat()

    seen: set[str] = set()
    for field, weekend in (("adjusted_workdays", True), ("holidays", False)):
        kept = []
        for entry in body.get(field) or []:
            if isinstance(entry, dict) and isinstance(entry.get("date"), str):
                entry["date"] = moved(entry["date"], weekend)
                if entry["date"] in seen:
                    continue
                seen.add(entry["date"])
            kept.append(entry)
        if field in body:
            body[field] = kept


def _current_etag(case: Any) -> str | None:
    """The resource's current ETag, as a client would have it from reading it first."""
    base = (case.operation.base_url or "").rstrip("/")
    path = case.formatted_path
    for candidate in (path, path.rsplit("/", 1)[0]):
        response = httpx.get(f"{base}{candidate}", headers=_AUTH, timeout=10)
        if response.status_code == 200 and "etag" in response.headers:
            return str(response.headers["etag"])
    return None


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
        contract_database, contract_dir, CAPEXIT_ACCESS_TOKEN_TTL_SECONDS=str(TOKEN_TTL)
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
    _AUTH["Authorization"] = f"Bearer {token}"
    return dict(_AUTH)


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
    # auth_header also fills _AUTH, which before_call uses to read current ETags.
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
