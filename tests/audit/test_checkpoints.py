"""An audit chain outside parties can hold us to (issue 14, item 10).

The attacker is the database's owner: a superuser who disables the append-only trigger
(`session_replication_role = replica`), rewrites events, recomputes their hashes as best
they can without the audit key, and moves `audit_head` to match. What must hold: events
are keyed, so a recomputed chain does not verify; the signed heads are published and
written to the witness file, outside the database; the worker makes one per period
across all workers; and `capacity-exit audit verify --against` proves that the chain
still extends a head someone kept.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import JSON, DateTime, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError

from capacity_exit.audit import chain, checkpoint, keys, publication, service, witness
from capacity_exit.audit import jobs as audit_jobs
from capacity_exit.audit.chain import GENESIS, canonical_json, event_fields, unkeyed_hash
from capacity_exit.audit.models import AuditCheckpoint, AuditEvent
from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.core import clock, migrations
from capacity_exit.core.actor import Actor, act_as
from capacity_exit.core.db import Database, is_sqlite
from capacity_exit.core.jobs import PeriodicJob
from capacity_exit.worker import repository as worker_jobs
from capacity_exit.worker.periodic import PeriodicRunner
from tests.conftest import ClientAs
from tests.fixtures import baseline
from tests.fixtures.cli import run_cli
from tests.fixtures.stores import fresh_database

EVENTS = 6
Hasher = Callable[[AuditEvent], str]


@pytest.fixture
def audit_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The suite's settings with a witness file of this test's own."""
    return settings.model_copy(update={"audit_witness_file": tmp_path / "witness.jsonl"})


async def _record(db: Database, count: int, start: int = 0) -> None:
    act_as(Actor(subject="test:chain", department="220322-ecoenv", roles=("officer",)))
    for i in range(start, start + count):
        async with db.sessionmaker() as session, session.begin():
            await service.record(
                session,
                action="enterprise.update",
                object_type="enterprise",
                object_id=f"e-{i}",
                jurisdiction="220322",
                after={"address": f"new {i}"},
            )


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The shared test database holding a fresh chain of EVENTS events."""
    await baseline.restore(database_url)
    db = Database.from_url(database_url)
    await _record(db, EVENTS)
    yield db
    await db.dispose()


async def _superuser(db: Database, url: str, statements: list[tuple[str, dict[str, Any]]]) -> None:
    """Change the tables as a superuser would, the append-only trigger bypassed."""
    async with db.sessionmaker() as session, session.begin():
        if not is_sqlite(url):
            await session.execute(text("SET LOCAL session_replication_role = replica"))
        for statement, params in statements:
            await session.execute(text(statement), params)


_KEEP: Any = object()


def _forge(event: AuditEvent) -> None:
    event.action = "enterprise.delete"


async def _rechain(
    db: Database,
    url: str,
    start: int,
    hasher: Hasher,
    *,
    upto: int | None = None,
    change: Callable[[AuditEvent], None] | None = _forge,
    key_id: Any = _KEEP,
    prev: str | None = None,
    move_head: bool = True,
) -> str:
    """As an attacker would: change the event at `start` and recompute every hash from
    there (to `upto`) with `hasher`, linking each to the one before (the first to `prev`
    if given), and move the head row to the new last hash. `key_id` replaces each
    event's key id. Returns the last hash written."""
    query = select(AuditEvent).where(AuditEvent.position >= start)
    if upto is not None:
        query = query.where(AuditEvent.position <= upto)
    async with db.sessionmaker() as session:
        events = list(await session.scalars(query.order_by(AuditEvent.position)))
        session.expunge_all()
    statements: list[tuple[str, dict[str, Any]]] = []
    prev_hash = prev
    for event in events:
        if change is not None and event.position == start:
            change(event)
        if key_id is not _KEEP:
            event.key_id = key_id
        if prev_hash is not None:
            event.prev_hash = prev_hash
        event.hash = prev_hash = hasher(event)
        statements.append(
            (
                "UPDATE audit_events SET action = :action, key_id = :key_id, "
                "prev_hash = :prev_hash, hash = :hash WHERE position = :position",
                {
                    "action": event.action,
                    "key_id": event.key_id,
                    "prev_hash": event.prev_hash,
                    "hash": event.hash,
                    "position": event.position,
                },
            )
        )
    assert prev_hash is not None
    if move_head:
        statements.append(("UPDATE audit_head SET hash = :hash", {"hash": prev_hash}))
    await _superuser(db, url, statements)
    return prev_hash


def _sha256(event: AuditEvent) -> str:
    """What an attacker without the key computes: the documented canonical bytes."""
    message = event.prev_hash.encode() + b"\n" + canonical_json(event_fields(event))
    return hashlib.sha256(message).hexdigest()


def _guessed_key(event: AuditEvent) -> str:
    message = event.prev_hash.encode() + b"\n" + canonical_json(event_fields(event))
    return hmac.new(b"a guess at the audit key", message, hashlib.sha256).hexdigest()


async def _verify(db: Database, *checkpoints: chain.Checkpoint) -> service.Verification:
    async with db.sessionmaker() as session:
        return await service.verify(session, list(checkpoints))


async def _publish(db: Database, settings: Settings) -> dict[str, Any]:
    async with db.sessionmaker() as session, session.begin():
        made = await publication.publish(session, settings)
    return made.to_dict()


async def _verify_against(db: Database, settings: Settings, path: Path) -> service.Verification:
    """What `audit verify --against path` decides, in process."""
    heads = checkpoint.load_verified(settings, path)
    async with db.sessionmaker() as session:
        return await service.verify(session, heads)


def _cli(settings: Settings, *args: str) -> Any:
    env = {"CAPEXIT_AUDIT_WITNESS_FILE": str(witness.path(settings))}
    return run_cli(settings, "audit", *args, env=env)


# --- keyed hashes ----------------------------------------------------------------------


async def test_events_are_keyed_and_the_key_is_not_in_the_database(
    database: Database,
) -> None:
    key = keys.current()
    async with database.sessionmaker() as session:
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.position)))
        dumped = json.dumps([event_fields(e) | {"hash": e.hash} for e in events])
    assert {e.key_id for e in events} == {key.kid}
    for event in events:
        assert event.hash != unkeyed_hash(event)
        assert event.hash == _keyed(event, key.secret)
    assert key.secret.hex() not in dumped and base64.b64encode(key.secret).decode() not in dumped


def _keyed(event: AuditEvent, secret: bytes) -> str:
    message = event.prev_hash.encode() + b"\n" + canonical_json(event_fields(event))
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("hasher", "key_id", "reason"),
    [
        (_sha256, None, "not keyed: its hash was made without the audit key"),
        (_sha256, _KEEP, "event altered"),
        (_guessed_key, _KEEP, "event altered"),
    ],
    ids=["unkeyed-sha256", "sha256-key-id-kept", "guessed-key"],
)
async def test_a_rewrite_recomputed_without_the_key_is_found_with_no_checkpoint(
    database: Database, database_url: str, hasher: Hasher, key_id: Any, reason: str
) -> None:
    await _rechain(database, database_url, 3, hasher, key_id=key_id)
    result = await _verify(database)
    assert (result.ok, result.first_bad_position, result.reason) == (False, 3, reason)


async def test_unkeyed_events_are_accepted_only_up_to_the_configured_position(
    database: Database, database_url: str
) -> None:
    """Events recorded before the chain was keyed keep their SHA-256 (decisions.md), up
    to CAPEXIT_AUDIT_UNKEYED_UNTIL; the first keyed event after them covers the last
    one's hash, so rewriting them breaks its link."""
    secret = keys.current().secret
    # Events 1-3 as the code before issue 14 wrote them; 4-6 recorded after the upgrade.
    legacy = await _rechain(
        database, database_url, 1, unkeyed_hash, upto=3, change=None, key_id=None,
        prev=GENESIS, move_head=False,
    )  # fmt: skip
    await _rechain(database, database_url, 4, lambda e: _keyed(e, secret), change=None, prev=legacy)
    async with database.sessionmaker() as session:
        accepted = await service.verify(session, unkeyed_until=3)
        refused = await service.verify(session, unkeyed_until=2)
        nothing = await service.verify(session)
    assert accepted.ok, accepted
    unkeyed = "not keyed: its hash was made without the audit key"
    assert (refused.ok, refused.first_bad_position, refused.reason) == (False, 3, unkeyed)
    assert (nothing.ok, nothing.first_bad_position, nothing.reason) == (False, 1, unkeyed)

    # The attacker rewrites a legacy event and recomputes the legacy hashes after it.
    await _rechain(database, database_url, 2, unkeyed_hash, upto=3, move_head=False)
    async with database.sessionmaker() as session:
        broken = await service.verify(session, unkeyed_until=3)
    assert (broken.ok, broken.first_bad_position, broken.reason) == (False, 4, "chain broken")


# --- published heads -------------------------------------------------------------------


async def test_signed_heads_are_public_and_verify_with_the_published_key(
    database: Database, audit_settings: Settings, anonymous: httpx.AsyncClient
) -> None:
    none_yet = await anonymous.get("/api/v1/audit-checkpoints/latest")
    assert none_yet.status_code == 404
    assert none_yet.headers["content-type"] == "application/problem+json"
    first = await _publish(database, audit_settings)
    await _record(database, 2, start=EVENTS)
    second = await _publish(database, audit_settings)
    assert (first["position"], second["position"]) == (EVENTS, EVENTS + 2)

    page = await anonymous.get("/api/v1/audit-checkpoints", params={"limit": 1})
    assert page.status_code == 200, page.text
    assert page.json()["items"] == [first]
    rest = await anonymous.get(
        "/api/v1/audit-checkpoints", params={"limit": 1, "cursor": page.json()["next_cursor"]}
    )
    assert rest.json() == {"items": [second], "next_cursor": None}
    latest = await anonymous.get("/api/v1/audit-checkpoints/latest")
    assert latest.json() == second

    # An outside party checks a head with nothing but the published key and format.
    [jwk] = (await anonymous.get("/api/v1/audit-checkpoints/keys")).json()["keys"]
    assert jwk["kid"] == second["kid"] == keys.current().kid
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="), "big"),
        int.from_bytes(base64.urlsafe_b64decode(jwk["y"] + "=="), "big"),
        ec.SECP256R1(),
    ).public_key()
    signed = {k: second[k] for k in ("position", "hash", "created_at")}
    payload = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    public.verify(base64.b64decode(second["signature"]), payload, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        forged = json.dumps({**signed, "position": EVENTS + 3}, sort_keys=True).encode()
        public.verify(base64.b64decode(second["signature"]), forged, ec.ECDSA(hashes.SHA256()))

    # The same heads are in the witness file, outside the database.
    lines = witness.path(audit_settings).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [first, second]


async def test_a_rewritten_and_recomputed_chain_is_detected_against_a_published_checkpoint(
    database: Database,
    database_url: str,
    audit_settings: Settings,
    anonymous: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    await _publish(database, audit_settings)
    kept = tmp_path / "kept.json"  # what an outside party saved from the public endpoint
    kept.write_text((await anonymous.get("/api/v1/audit-checkpoints/latest")).text)
    ok = _cli(audit_settings, "verify", "--against", str(kept))
    assert ok.returncode == 0, ok.stderr
    assert f"OK: {EVENTS} events" in ok.stdout and f"position {EVENTS}" in ok.stdout

    # The superuser rewrites event 2 and recomputes the chain without the key, both
    # unkeyed and keeping the key ids; moves the head; drops the published checkpoints.
    await _rechain(database, database_url, 2, _sha256, key_id=None)
    await _superuser(database, database_url, [("DELETE FROM audit_checkpoints", {})])
    failed = _cli(audit_settings, "verify", "--against", str(kept))
    assert failed.returncode == 1, failed.stdout
    assert "FAIL at position 2" in failed.stderr, failed.stderr
    in_witness = await _verify_against(database, audit_settings, witness.path(audit_settings))
    assert (in_witness.ok, in_witness.first_bad_position) == (False, 2)
    await _rechain(database, database_url, 2, _sha256, key_id=keys.current().kid)
    again = await _verify_against(database, audit_settings, kept)
    assert (again.ok, again.first_bad_position) == (False, 2)


async def test_a_chain_cut_back_with_its_head_moved_is_detected_against_a_kept_checkpoint(
    database: Database,
    database_url: str,
    audit_settings: Settings,
    client_as: ClientAs,
    tmp_path: Path,
) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(await _publish(database, audit_settings)))
    async with database.sessionmaker() as session:
        third = await session.get(AuditEvent, 3)
        assert third is not None
        kept_hash = third.hash
    await _superuser(
        database,
        database_url,
        [
            ("DELETE FROM audit_events WHERE position > 3", {}),
            ("UPDATE audit_head SET position = 3, hash = :h", {"h": kept_hash}),
            ("DELETE FROM audit_checkpoints", {}),
        ],
    )
    # Consistent in itself: without a kept head nothing tells.
    admin = client_as("220300-miit", Role.admin)
    assert (await admin.get("/api/v1/audit-events/verify")).json()["ok"] is True
    failed = _cli(audit_settings, "verify", "--against", str(witness.path(audit_settings)))
    assert failed.returncode == 1, failed.stdout
    assert f"truncated before checkpoint {EVENTS}" in failed.stderr, failed.stderr
    against_kept = await _verify_against(database, audit_settings, kept)
    assert (against_kept.ok, against_kept.reason) == (
        False,
        f"truncated before checkpoint {EVENTS}",
    )


async def test_the_published_checkpoints_in_the_database_are_checked_too(
    database: Database, database_url: str, audit_settings: Settings, client_as: ClientAs
) -> None:
    await _publish(database, audit_settings)
    admin = client_as("220300-miit", Role.admin)
    assert (await admin.get("/api/v1/audit-events/verify")).json()["ok"] is True
    # Rewritten with the key itself (a holder of it), after the checkpoint: still caught,
    # because the published head no longer matches.
    secret = keys.current().secret
    await _rechain(database, database_url, 4, lambda e: _keyed(e, secret))
    result = (await admin.get("/api/v1/audit-events/verify")).json()
    assert (result["ok"], result["first_bad_position"], result["reason"]) == (
        False,
        EVENTS,
        "differs from checkpoint",
    )
    # A checkpoint row the attacker forges is not signed by us.
    await _superuser(
        database,
        database_url,
        [("UPDATE audit_checkpoints SET position = position + 1", {})],
    )
    forged = (await admin.get("/api/v1/audit-events/verify")).json()
    assert forged["ok"] is False and "signature does not verify" in forged["reason"]


async def test_an_untouched_chain_verifies_against_everything_kept(
    database: Database, audit_settings: Settings, tmp_path: Path
) -> None:
    first = tmp_path / "first.json"
    first.write_text(json.dumps(await _publish(database, audit_settings)))
    await _record(database, 3, start=EVENTS)
    made = _cli(audit_settings, "checkpoint", "--output", str(tmp_path / "second.json"))
    assert made.returncode == 0, made.stderr
    await _record(database, 1, start=EVENTS + 3)
    result = _cli(
        audit_settings,
        "verify",
        "--against",
        str(first),
        "--against",
        str(tmp_path / "second.json"),
        "--against",
        str(witness.path(audit_settings)),
    )
    assert result.returncode == 0, result.stderr
    assert f"OK: {EVENTS + 4} events" in result.stdout
    assert f"latest at position {EVENTS + 3}" in result.stdout
    assert len(witness.path(audit_settings).read_text().splitlines()) == 2


async def test_a_checkpoint_is_not_signed_over_a_chain_that_does_not_extend_the_last(
    database: Database, database_url: str, audit_settings: Settings
) -> None:
    await _publish(database, audit_settings)
    await _record(database, 2, start=EVENTS)
    # Appended since the published head, recomputed without the key.
    await _rechain(database, database_url, EVENTS + 2, _sha256, key_id=None)
    with pytest.raises(publication.ChainDoesNotExtend, match=f"position {EVENTS + 2}: not keyed"):
        await _publish(database, audit_settings)
    await _rechain(database, database_url, 5, _sha256, key_id=None)
    # Event 5 lies before the published head: the head's own hash no longer matches.
    with pytest.raises(publication.ChainDoesNotExtend, match="position 6: differs from"):
        await _publish(database, audit_settings)
    cut: list[tuple[str, dict[str, Any]]] = [("DELETE FROM audit_events WHERE position > 2", {})]
    await _superuser(database, database_url, cut)
    with pytest.raises(publication.ChainDoesNotExtend, match=f"checkpoint {EVENTS}"):
        await _publish(database, audit_settings)
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1
    assert len(witness.path(audit_settings).read_text().splitlines()) == 1


# --- the periodic checkpoint -----------------------------------------------------------


async def test_one_checkpoint_per_period_whatever_the_number_of_workers(
    database: Database, database_url: str, audit_settings: Settings
) -> None:
    workers = 8 if is_sqlite(database_url) else 30
    databases = [Database.from_url(database_url, pool_size=2) for _ in range(workers)]
    try:
        made = await asyncio.gather(
            *(publication.checkpoint_if_due(db, audit_settings) for db in databases)
        )
        assert sum(m is not None for m in made) == 1
        await _record(database, 1, start=EVENTS)
        again = await asyncio.gather(
            *(publication.checkpoint_if_due(db, audit_settings) for db in databases)
        )
        assert again == [None] * workers  # the same period: made already
        clock.start_at(clock.utcnow() + timedelta(seconds=audit_settings.audit_checkpoint_seconds))
        later = await asyncio.gather(
            *(publication.checkpoint_if_due(db, audit_settings) for db in databases)
        )
        assert [m.position for m in later if m is not None] == [EVENTS + 1]
    finally:
        for db in databases:
            await db.dispose()
    async with database.sessionmaker() as session:
        rows = list(await session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
    assert [(r.position, r.period_start is not None) for r in rows] == [
        (EVENTS, True),
        (EVENTS + 1, True),
    ]
    assert len(witness.path(audit_settings).read_text().splitlines()) == 2


def _checkpoint_job(settings: Settings) -> PeriodicJob:
    [job] = audit_jobs.jobs(settings)
    assert isinstance(job, PeriodicJob)
    return job


async def test_the_worker_makes_the_periodic_checkpoint(
    database: Database, audit_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    job = _checkpoint_job(audit_settings)
    assert job.period_seconds == audit_settings.audit_checkpoint_seconds
    worker = PeriodicRunner(database, [job], worker="test-worker", lease_seconds=60)
    await worker.prepare()
    assert await worker.run_due() == [job.name]
    assert await worker.run_due() == []  # the same period: nothing more
    await job.run(database, clock.business_today())  # nor by hand: the period's row decides
    async with database.sessionmaker() as session:
        [row] = list(await session.scalars(select(AuditCheckpoint)))
    assert row.position == EVENTS
    off = _checkpoint_job(audit_settings.model_copy(update={"audit_checkpoint_seconds": 0}))
    assert not off.enabled
    clock.start_at(clock.utcnow() + timedelta(days=1))
    assert await PeriodicRunner(database, [off], worker="off", lease_seconds=60).run_due() == []
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1


async def test_the_worker_signs_nothing_over_a_rewritten_chain_and_goes_on(
    database: Database,
    database_url: str,
    audit_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _rechain(database, database_url, 2, _sha256, key_id=None)
    job = _checkpoint_job(audit_settings)
    worker = PeriodicRunner(database, [job], worker="test-worker", lease_seconds=60)
    await worker.prepare()
    with caplog.at_level("ERROR", logger="capacity_exit.audit.jobs"):
        assert await worker.run_due() == [job.name]  # run, failed, and the worker goes on
    assert "does not extend the last checkpoint" in caplog.text
    assert "position 2: not keyed" in caplog.text
    state = await worker_jobs.state(database, job.name)
    assert state is not None and state.last_error is not None
    assert "ChainDoesNotExtend" in state.last_error
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 0
    assert not witness.path(audit_settings).exists()


async def test_postgres_refuses_changing_published_checkpoints(
    database: Database, database_url: str, audit_settings: Settings
) -> None:
    if is_sqlite(database_url):
        pytest.skip("the append-only triggers are PostgreSQL's; SQLite is the development store")
    await _publish(database, audit_settings)
    for statement in (
        "UPDATE audit_checkpoints SET position = 1",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_checkpoints",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.sessionmaker() as session, session.begin():
                await session.execute(text(statement))


# --- the migration path ----------------------------------------------------------------

_BEFORE_KEYING = "9b51e6d2c8f3"  # the revision before the chain was keyed


async def test_a_database_with_unkeyed_events_upgrades_and_stays_verifiable(
    settings: Settings, tmp_path: Path
) -> None:
    with fresh_database(tmp_path) as url:
        await migrations.upgrade_async(url, _BEFORE_KEYING)
        # Three events as the code before issue 14 recorded them (no key id column yet).
        db = Database.from_url(url)
        try:
            prev = GENESIS
            async with db.sessionmaker() as session, session.begin():
                for position in (1, 2, 3):
                    event = AuditEvent(
                        position=position,
                        occurred_at=clock.utcnow(),
                        subject="system:cli:root",
                        department=None,
                        roles="admin",
                        action="reference_data.load",
                        object_type="department",
                        object_id=f"d-{position}",
                        jurisdiction=None,
                        request_id=None,
                        before_digest=None,
                        after_digest=None,
                        after_state={"name": f"部门{position}"},
                        prev_hash=prev,
                        key_id=None,
                    )
                    event.hash = prev = unkeyed_hash(event)
                    values = {k: v for k, v in event_fields(event).items() if k != "occurred_at"}
                    await session.execute(
                        text(
                            "INSERT INTO audit_events (position, occurred_at, subject, department, "
                            "roles, action, object_type, object_id, jurisdiction, request_id, "
                            "before_digest, after_digest, after_state, prev_hash, hash) VALUES "
                            "(:position, :occurred_at, :subject, :department, :roles, :action, "
                            ":object_type, :object_id, :jurisdiction, :request_id, "
                            ":before_digest, :after_digest, :after_state, :prev_hash, :hash)"
                        ).bindparams(
                            bindparam("occurred_at", type_=DateTime(timezone=True)),
                            bindparam("after_state", type_=JSON()),
                        ),
                        {**values, "occurred_at": event.occurred_at, "hash": event.hash},
                    )
                await session.execute(
                    text("UPDATE audit_head SET position = 3, hash = :h"), {"h": prev}
                )
            migrated = run_cli(settings.model_copy(update={"database_url": url}), "migrate")
            assert migrated.returncode == 0, migrated.stderr
            assert "CAPEXIT_AUDIT_UNKEYED_UNTIL=3" in migrated.stderr

            await _record(db, 2)
            async with db.sessionmaker() as session:
                accepted = await service.verify(session, unkeyed_until=3)
                refused = await service.verify(session)
                keyed = list(await session.scalars(select(AuditEvent.key_id)))
            assert (accepted.ok, accepted.checked) == (True, 5), accepted
            assert (refused.ok, refused.first_bad_position) == (False, 1)
            assert keyed == [None, None, None, keys.current().kid, keys.current().kid]
        finally:
            await db.dispose()
