"""The report platform's proof of work (ALTCHA): solved once, never twice, never forged."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from capacity_exit.config import Environment, Settings, production_problems
from capacity_exit.core import challenge, challenge_jobs, clock
from capacity_exit.core.challenge import (
    ChallengeExpired,
    ChallengeInvalid,
    ChallengeSpent,
    new_challenge,
    spend_solution,
)
from capacity_exit.core.db import Database
from capacity_exit.core.errors import AppError
from capacity_exit.core.models import SpentChallenge
from tests.conftest import TravelTo
from tests.fixtures.clock import PINNED_INSTANT
from tests.fixtures.reports import encode, solve
from tests.fixtures.stores import store

pytestmark = pytest.mark.seed("一(一)5")


@pytest.fixture
def cheap(settings: Settings) -> Settings:
    return settings.model_copy(update={"report_challenge_max_number": 2000})


@pytest.fixture
def database(app: FastAPI) -> Database:
    return app.state.database  # type: ignore[no-any-return]


async def spend(database: Database, payload: str, settings: Settings) -> None:
    """Spend in a transaction of its own, committed, as a request would."""
    async with database.sessionmaker() as session, session.begin():
        await spend_solution(session, payload, settings)


async def refusal(database: Database, payload: str, settings: Settings) -> AppError:
    with pytest.raises(AppError) as caught:
        await spend(database, payload, settings)
    return caught.value


async def spent_rows(database: Database) -> int:
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(SpentChallenge)) or 0)


def test_a_challenge_is_what_the_widget_reads(cheap: Settings) -> None:
    issued = new_challenge(cheap)
    assert set(issued) == {"algorithm", "challenge", "maxnumber", "salt", "signature"}
    assert issued["algorithm"] == "SHA-256" and issued["maxnumber"] == 2000
    expires = int(issued["salt"].split("?expires=")[1].rstrip("&"))
    assert expires == int((PINNED_INSTANT + timedelta(seconds=600)).timestamp())
    assert new_challenge(cheap)["salt"] != issued["salt"]  # every challenge is new


async def test_a_solution_is_accepted_once(database: Database, cheap: Settings) -> None:
    payload = encode(solve(new_challenge(cheap)))
    await spend(database, payload, cheap)
    again = await refusal(database, payload, cheap)
    assert isinstance(again, ChallengeSpent)
    assert (again.status, again.code) == (409, "challenge_spent")
    assert await spent_rows(database) == 1


async def test_a_spend_rolled_back_leaves_the_solution_unspent(
    database: Database, cheap: Settings
) -> None:
    # A submission refused after the check (another field invalid) spends nothing.
    payload = encode(solve(new_challenge(cheap)))
    async with database.sessionmaker() as session:
        await spend_solution(session, payload, cheap)
        await session.rollback()
    await spend(database, payload, cheap)


async def test_forged_or_malformed_solutions_are_invalid(
    database: Database, cheap: Settings, tmp_path: Path
) -> None:
    solution = solve(new_challenge(cheap))
    signature = solution["signature"]
    tampered = [
        {**solution, "number": solution["number"] + 1},
        {**solution, "signature": ("0" if signature[0] != "0" else "1") + signature[1:]},
        # A later expiry written into the salt: the hash, then the signature, no longer match.
        {**solution, "salt": solution["salt"].replace("?expires=", "?expires=9")},
        {**solution, "number": True},
        {**solution, "number": str(solution["number"])},
        {**solution, "algorithm": "SHA-1"},
        {k: v for k, v in solution.items() if k != "signature"},
    ]
    payloads = [encode(t) for t in tampered]
    payloads += ["not base64!", base64.b64encode(b"[1, 2]").decode(), "", "A" * 5000]
    # Solved honestly, but signed with another deployment's key.
    other = cheap.model_copy(update={"var_dir": tmp_path})
    payloads.append(encode(solve(new_challenge(other))))
    for payload in payloads:
        error = await refusal(database, payload, cheap)
        assert isinstance(error, ChallengeInvalid), payload
        assert (error.status, error.code) == (422, "challenge_invalid")
    assert await spent_rows(database) == 0
    await spend(database, encode(solution), cheap)  # the genuine one still works


async def test_an_expired_challenge_is_refused(
    database: Database, cheap: Settings, travel_to: TravelTo
) -> None:
    on_time = encode(solve(new_challenge(cheap)))
    late = encode(solve(new_challenge(cheap)))
    clock.start_at(PINNED_INSTANT + timedelta(seconds=590))  # 10 s before expiry
    await spend(database, on_time, cheap)
    travel_to("2026-12-01")
    error = await refusal(database, late, cheap)
    assert isinstance(error, ChallengeExpired)
    assert (error.status, error.code) == (422, "challenge_expired")
    # A spent one is refused as expired too, once it is: its row is no longer needed.
    assert isinstance(await refusal(database, on_time, cheap), ChallengeExpired)


async def test_the_worker_prunes_spent_challenges_once_expired(
    database: Database, cheap: Settings, travel_to: TravelTo
) -> None:
    await spend(database, encode(solve(new_challenge(cheap))), cheap)
    clock.start_at(PINNED_INSTANT + timedelta(minutes=30))  # expired, within the grace
    assert await challenge_jobs.prune(database) == 0
    travel_to("2026-12-01")
    assert await challenge_jobs.prune(database) == 1
    assert await spent_rows(database) == 0


@pytest.mark.skipif(store() != "postgres", reason="concurrent transactions: PostgreSQL")
async def test_concurrent_spends_of_one_solution_accept_exactly_one(
    database: Database, cheap: Settings
) -> None:
    payload = encode(solve(new_challenge(cheap)))
    results = await asyncio.gather(
        *(spend(database, payload, cheap) for _ in range(30)), return_exceptions=True
    )
    accepted = [r for r in results if r is None]
    refused = [r for r in results if isinstance(r, ChallengeSpent)]
    assert (len(accepted), len(refused)) == (1, 29), results
    assert await spent_rows(database) == 1


def test_production_requires_the_key_file(tmp_path: Path) -> None:
    production = Settings(
        env=Environment.production, database_url="postgresql+asyncpg://u@h/db", var_dir=tmp_path
    )
    assert any("CAPEXIT_REPORT_CHALLENGE_KEY_FILE" in p for p in production_problems(production))
    key = tmp_path / "report_challenge_key"
    key.write_text("ab" * 32 + "\n")
    configured = production.model_copy(update={"report_challenge_key_file": key})
    assert not any("REPORT_CHALLENGE" in p for p in production_problems(configured))
    assert challenge.hmac_key(configured) == b"ab" * 32  # the file's content, stripped
    short = tmp_path / "short"
    short.write_text("secret")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        challenge.hmac_key(production.model_copy(update={"report_challenge_key_file": short}))


def test_the_development_key_is_generated_once_in_the_var_dir(
    cheap: Settings, tmp_path: Path
) -> None:
    here = cheap.model_copy(update={"var_dir": tmp_path})
    first = challenge.hmac_key(here)
    assert (tmp_path / challenge.DEV_KEY_NAME).stat().st_mode & 0o777 == 0o600
    assert challenge.hmac_key(here) == first and len(first) == 64
