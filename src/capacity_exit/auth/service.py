"""Accounts, logins and principals: who may call, and as whom."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth import repository, tokens
from capacity_exit.auth.errors import Forbidden, Unauthorized
from capacity_exit.auth.models import Account
from capacity_exit.auth.passwords import generate_secret, hash_secret, verify_secret
from capacity_exit.auth.principal import Principal
from capacity_exit.auth.roles import Role
from capacity_exit.auth.schemas import AccountCreate, AccountKind, UserAccountCreate
from capacity_exit.auth.throttle import ThrottleRules, locks_on_failure, may_check, retry_after
from capacity_exit.config import Settings
from capacity_exit.core.actor import Actor, act_as
from capacity_exit.core.clock import utcnow
from capacity_exit.core.errors import Conflict, NotFound, Unprocessable
from capacity_exit.core.etag import Precondition, stale
from capacity_exit.core.versioned import current_version, update_if_version
from capacity_exit.org import repository as org_repository
from capacity_exit.org.service import jurisdiction_scope

ACCOUNT_SUBJECT_PREFIX = "account:"


# --- principals ---------------------------------------------------------------------

SUBJECT_MAX_LENGTH = 100  # what the audit log's `subject` column holds


async def resolve_principal(session: AsyncSession, claims: dict[str, Any]) -> Principal:
    """The principal a verified token speaks for; 401 if it no longer may."""
    department_code = claims.get("dept")
    raw_roles = claims.get("roles")
    subject = claims.get("sub")
    if not isinstance(department_code, str) or not isinstance(subject, str):
        raise Unauthorized("The token names no department or subject.", code="invalid_token")
    if len(subject) > SUBJECT_MAX_LENGTH:  # audit entries and idempotency keys name it
        raise Unauthorized(
            f"The token's subject is longer than {SUBJECT_MAX_LENGTH} characters.",
            code="invalid_token",
        )
    if not isinstance(raw_roles, list) or not all(r in Role.__members__ for r in raw_roles):
        raise Unauthorized("The token's roles are not recognised.", code="invalid_token")
    department = await org_repository.get_department(session, department_code)
    if department is None:
        raise Unauthorized("The token's department is unknown.", code="invalid_token")
    account_id = None
    if subject.startswith(ACCOUNT_SUBJECT_PREFIX):
        account_id = subject.removeprefix(ACCOUNT_SUBJECT_PREFIX)
        account = await _account_by_subject(session, account_id)
        if account is None or account.disabled or account.department_code != department_code:
            raise Unauthorized("The account is disabled or has changed.", code="account_disabled")
    own, readable, writable = await jurisdiction_scope(session, department)
    return Principal(
        subject=subject,
        department_code=department.code,
        department_kind=department.kind,
        jurisdiction_code=own.code,
        level=own.level,
        roles=frozenset(Role(r) for r in raw_roles),
        readable=readable,
        writable=writable,
        account_id=account_id,
    )


async def _account_by_subject(session: AsyncSession, account_id: str) -> Account | None:
    try:
        return await repository.get_by_id(session, uuid.UUID(account_id))
    except ValueError:
        return None


# --- logins -------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    grant_type: str  # "password" or "client_credentials"
    login: str
    secret: str


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class LoginFailed(Exception):
    def __init__(self, oauth_error: str) -> None:
        super().__init__(oauth_error)
        self.oauth_error = oauth_error


def _rules(settings: Settings) -> ThrottleRules:
    return ThrottleRules(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


def _wait(locked_until: datetime | None, rules: ThrottleRules) -> int:
    """Retry-After, read when answering (a request may have waited for the count while
    another set the lock), and never more than the lockout itself."""
    lockout = max(1, int(rules.lockout.total_seconds()))
    return min(retry_after(locked_until, utcnow()) or lockout, lockout)


async def login(session: AsyncSession, settings: Settings, credentials: Credentials) -> IssuedToken:
    """A token for valid credentials. Failures are recorded in the session and reported
    as LoginFailed / TooManyAttempts, which the caller answers without rolling back, so
    the throttle counts them.

    The guess is counted before the secret is checked (throttle.py): a name that is
    locked, or whose guesses in this window are already used up, is refused without
    looking at the account. The count is committed on its own, before the (slow)
    argon2 check, so that no lock is held and no connection kept while hashing: on
    SQLite the write lock is the whole database's. Each of the two transactions starts
    with its write, so SQLite takes the write lock first (waiting its busy timeout)
    rather than failing to upgrade a read. A guess counted and then lost with its
    process stays counted: the throttle errs on the side of refusing."""
    now = utcnow()
    rules = _rules(settings)
    reservation = await repository.reserve_guess(session, credentials.login, now, rules)
    if not may_check(reservation, now, rules):
        raise TooManyAttempts(_wait(reservation.locked_until, rules))
    account = await repository.get_by_login(session, credentials.login)
    await session.commit()
    expected_kind = (
        AccountKind.user if credentials.grant_type == "password" else AccountKind.service
    )
    # In a thread: argon2 takes a fifth of a second of CPU, during which the event loop
    # must go on committing other requests (on SQLite, releasing the write lock).
    stored = account.secret_hash if account else None
    valid = await asyncio.to_thread(verify_secret, stored, credentials.secret)
    if account is None or not valid or account.disabled or account.kind != expected_kind:
        act_as(Actor(subject=f"anonymous:{credentials.login}", department=None, roles=()))
        await audit.record(
            session,
            action="auth.login_failed",
            object_type="login",
            object_id=credentials.login,
            after={"grant_type": credentials.grant_type, "failures": reservation.failures},
        )
        if locks_on_failure(reservation, rules):
            until = utcnow() + rules.lockout
            await repository.lock_login(session, credentials.login, until)
            raise TooManyAttempts(_wait(until, rules))
        raise LoginFailed(
            "invalid_client" if expected_kind == AccountKind.service else "invalid_grant"
        )
    await repository.clear_throttle(session, credentials.login)
    act_as(
        Actor(
            subject=f"{ACCOUNT_SUBJECT_PREFIX}{account.id}",
            department=account.department_code,
            roles=tuple(account.role_list),
        )
    )
    await _audit(session, "auth.token_issued", account, before=None)
    token, ttl = tokens.issue(
        settings,
        subject=f"{ACCOUNT_SUBJECT_PREFIX}{account.id}",
        department=account.department_code,
        roles=[Role(r) for r in account.role_list],
        kind=account.kind,
    )
    return IssuedToken(token, ttl)


# --- accounts -----------------------------------------------------------------------


async def create_account(
    session: AsyncSession, principal: Principal, data: AccountCreate
) -> tuple[Account, str]:
    department = await org_repository.get_department(session, data.department)
    if department is None:
        raise Unprocessable.at(
            "/department", f"No department {data.department}.", "unknown_department"
        )
    if not principal.can_read(department.jurisdiction_code):
        raise Forbidden(
            f"Accounts of {data.department} are outside your jurisdiction.", code="out_of_scope"
        )
    chosen = data.password if isinstance(data, UserAccountCreate) else None
    secret = chosen or generate_secret()
    if await repository.get_by_login(session, data.login) is not None:
        raise Conflict(f"The login {data.login} is taken.", code="login_taken")
    account = Account(
        kind=data.kind,
        login=data.login,
        display_name=data.display_name,
        department_code=data.department,
        roles=",".join(r.value for r in data.roles),
        secret_hash=hash_secret(secret),
    )
    try:
        async with session.begin_nested():
            await repository.add(session, account)
    except IntegrityError as exc:
        raise Conflict(f"The login {data.login} is taken.", code="login_taken") from exc
    await _audit(session, "account.create", account, before=None)
    return account, secret


async def _audit(
    session: AsyncSession, action: str, account: Account, before: dict[str, Any] | None
) -> None:
    department = await org_repository.get_department(session, account.department_code)
    await audit.record(
        session,
        action=action,
        object_type="account",
        object_id=str(account.id),
        jurisdiction=department.jurisdiction_code if department else None,
        before=before,
        after=audit.snapshot(account),
    )


async def get_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> Account:
    account = await repository.get_in_scope(session, account_id, principal.readable)
    if account is None:
        raise NotFound(f"No account {account_id}.")
    return account


async def list_accounts(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    after: uuid.UUID | None,
    department: str | None,
    kind: AccountKind | None,
    include_disabled: bool,
) -> Sequence[Account]:
    return await repository.list_in_scope(
        session,
        principal.readable,
        limit=limit,
        after=after,
        department=department,
        kind=kind.value if kind else None,
        include_disabled=include_disabled,
    )


async def _change(
    session: AsyncSession,
    principal: Principal,
    account_id: uuid.UUID,
    precondition: Precondition,
    changes: dict[str, Any],
    action: str,
) -> Account:
    account = await get_account(session, principal, account_id)
    version = precondition.version_to_change(account.version)
    before = audit.snapshot(account)
    if not await update_if_version(session, Account, account_id, version, changes):
        raise stale(await current_version(session, Account, account_id))
    await repository.refresh(session, account)
    await _audit(session, action, account, before)
    return account


async def set_disabled(
    session: AsyncSession,
    principal: Principal,
    account_id: uuid.UUID,
    precondition: Precondition,
    disabled: bool,
) -> Account:
    await get_account(session, principal, account_id)  # 404 first, then 428 (core.etag)
    precondition.require()
    if disabled and principal.account_id == str(account_id):
        raise Conflict("An administrator cannot disable their own account.", code="self_disable")
    action = "account.disable" if disabled else "account.enable"
    return await _change(
        session, principal, account_id, precondition, {"disabled": disabled}, action
    )


async def rotate_secret(
    session: AsyncSession,
    principal: Principal,
    account_id: uuid.UUID,
    precondition: Precondition,
    password: str | None,
) -> tuple[Account, str]:
    account = await get_account(session, principal, account_id)
    if account.kind == AccountKind.service and password is not None:
        raise Unprocessable.at(
            "/password", "Service accounts get a generated secret.", "password_not_allowed"
        )
    secret = password or generate_secret()
    changes = {"secret_hash": hash_secret(secret), "secret_rotated_at": utcnow()}
    changed = await _change(
        session, principal, account_id, precondition, changes, "account.rotate_secret"
    )
    return changed, secret


async def system_principal(session: AsyncSession) -> Principal:
    """The shell operator (`capacity-exit accounts ...`): every role, every jurisdiction."""
    codes = frozenset(j.code for j in await org_repository.list_jurisdictions(session))
    return Principal(
        subject="system:cli",
        department_code="",
        department_kind="",
        jurisdiction_code="",
        level="system",
        roles=frozenset(Role),
        readable=codes,
        writable=codes,
    )


async def account_by_login(session: AsyncSession, login: str) -> Account:
    account = await repository.get_by_login(session, login)
    if account is None:
        raise NotFound(f"No account {login}.")
    return account
