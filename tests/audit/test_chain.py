"""Tamper evidence: any change to the stored chain is found, at the right position."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from capacity_exit.audit import chain, service
from capacity_exit.audit.models import AuditEvent
from capacity_exit.config import Settings
from capacity_exit.core.actor import Actor, act_as
from capacity_exit.core.db import Database, is_sqlite
from tests.fixtures import baseline
from tests.fixtures.cli import run_cli

EVENTS = 6


@pytest.fixture
async def database(settings: Settings, database_url: str) -> AsyncIterator[Database]:
    """The shared test database holding a fresh chain of EVENTS events."""
    await baseline.restore(database_url)
    db = Database.from_url(database_url)
    act_as(Actor(subject="test:chain", department="220322-ecoenv", roles=("officer",)))
    for i in range(EVENTS):
        async with db.sessionmaker() as session, session.begin():
            await service.record(
                session,
                action="enterprise.update",
                object_type="enterprise",
                object_id=f"e-{i}",
                jurisdiction="220322",
                before={"address": f"old {i}"},
                after={"address": f"new {i}", "secret_hash": "never stored"},
            )
    yield db
    await db.dispose()


async def _tamper(db: Database, url: str, *statements: str) -> None:
    """Change the table as an attacker with database access would (bypassing the
    PostgreSQL trigger the way a superuser can)."""
    async with db.sessionmaker() as session, session.begin():
        if not is_sqlite(url):
            await session.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            await session.execute(text(statement))


async def _verify(
    db: Database, checkpoints: list[chain.Checkpoint] | None = None
) -> service.Verification:
    async with db.sessionmaker() as session:
        return await service.verify(session, checkpoints or [])


async def test_untouched_chain_verifies_and_secrets_are_redacted(database: Database) -> None:
    result = await _verify(database)
    assert (result.ok, result.checked, result.head_position) == (True, EVENTS, EVENTS)
    async with database.sessionmaker() as session:
        first = await session.get(AuditEvent, 1)
    assert first is not None and first.after_state == {
        "address": "new 0",
        "secret_hash": "[redacted]",
    }
    assert first.subject == "test:chain" and first.department == "220322-ecoenv"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "'enterprise.delete'"),
        ("object_id", "'e-999'"),
        ("subject", "'someone:else'"),
        ("after_digest", "'0000'"),
        ("roles", "'admin'"),
        ("request_id", "'forged'"),
        ("jurisdiction", "'220302'"),
    ],
)
async def test_changing_any_field_is_found_at_its_position(
    database: Database, database_url: str, column: str, value: str
) -> None:
    await _tamper(
        database, database_url, f"UPDATE audit_events SET {column} = {value} WHERE position = 3"
    )
    result = await _verify(database)
    assert (result.ok, result.first_bad_position) == (False, 3)


async def test_rehashing_a_changed_event_breaks_the_next_link(
    database: Database, database_url: str
) -> None:
    async with database.sessionmaker() as session:
        event = await session.get(AuditEvent, 3)
        assert event is not None
        event.action = "enterprise.delete"
        from capacity_exit.audit import keys
        from capacity_exit.audit.chain import compute_hash

        forged_hash = compute_hash(event, keys.current())  # even with the key
    await _tamper(
        database,
        database_url,
        f"UPDATE audit_events SET action = 'enterprise.delete', hash = '{forged_hash}' "
        "WHERE position = 3",
    )
    result = await _verify(database)
    assert (result.ok, result.first_bad_position) == (False, 4)


async def test_deleting_an_event_is_found(database: Database, database_url: str) -> None:
    await _tamper(database, database_url, "DELETE FROM audit_events WHERE position = 4")
    result = await _verify(database)
    assert (result.ok, result.first_bad_position, result.reason) == (False, 4, "event missing")


async def test_swapping_two_events_is_found(database: Database, database_url: str) -> None:
    await _tamper(
        database,
        database_url,
        "UPDATE audit_events SET position = 1000 WHERE position = 2",
        "UPDATE audit_events SET position = 2 WHERE position = 5",
        "UPDATE audit_events SET position = 5 WHERE position = 1000",
    )
    result = await _verify(database)
    assert (result.ok, result.first_bad_position) == (False, 2)


async def test_truncating_after_a_checkpoint_is_found(
    database: Database, database_url: str
) -> None:
    async with database.sessionmaker() as session:
        head = (
            await session.scalars(select(AuditEvent).order_by(AuditEvent.position.desc()))
        ).first()
    assert head is not None
    checkpoint = chain.Checkpoint(head.position, head.hash)
    assert (await _verify(database, [checkpoint])).ok
    # The attacker removes the tail and rewinds the head row to match: only the
    # checkpoint, kept outside the database, still tells.
    previous = (await _verify(database)).head_position - 2
    async with database.sessionmaker() as session:
        kept = await session.get(AuditEvent, previous)
        assert kept is not None
        kept_hash = kept.hash
    await _tamper(
        database,
        database_url,
        f"DELETE FROM audit_events WHERE position > {previous}",
        f"UPDATE audit_head SET position = {previous}, hash = '{kept_hash}'",
    )
    assert (await _verify(database)).ok, "without the checkpoint the shorter chain is consistent"
    result = await _verify(database, [checkpoint])
    assert (result.ok, result.first_bad_position) == (False, previous + 1)


async def test_postgres_refuses_update_and_delete(database: Database, database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip(
            "the append-only trigger is PostgreSQL's (issue 5); SQLite is the development store"
        )
    for statement in (
        "UPDATE audit_events SET action = 'x' WHERE position = 1",
        "DELETE FROM audit_events WHERE position = 1",
        "TRUNCATE audit_events",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.sessionmaker() as session, session.begin():
                await session.execute(text(statement))
    assert (await _verify(database)).ok


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(settings, "audit", *args)


async def test_cli_checkpoint_and_verify(
    database: Database, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "cp.json"
    made = _cli(settings, "checkpoint", "--output", str(checkpoint))
    assert made.returncode == 0, made.stderr
    ok = _cli(settings, "verify", "--checkpoint", str(checkpoint))
    assert ok.returncode == 0 and f"{EVENTS} events" in ok.stdout

    forged = tmp_path / "forged.json"
    forged.write_text(checkpoint.read_text().replace('"position": 6', '"position": 7'))
    assert _cli(settings, "verify", "--checkpoint", str(forged)).returncode == 1

    await _tamper(database, database_url, "UPDATE audit_events SET action = 'x' WHERE position = 2")
    failed = _cli(settings, "verify", "--checkpoint", str(checkpoint))
    assert failed.returncode == 1
    assert "position 2" in failed.stderr


async def test_positions_stay_contiguous_under_concurrency(database: Database) -> None:
    import asyncio

    async def one(i: int) -> None:
        async with database.sessionmaker() as session, session.begin():
            await service.record(
                session, action="test.concurrent", object_type="t", object_id=str(i)
            )

    await asyncio.gather(*(one(i) for i in range(20)))
    result = await _verify(database)
    assert (result.ok, result.checked) == (True, EVENTS + 20)
