"""Proof of work for the public report platform: ALTCHA challenges, offline.

A client fetches a challenge (`new_challenge`), finds the secret number by brute force
(SHA-256 of salt + number equals `challenge`; the ALTCHA widget does this in the
browser), and sends the solution back as the base64 JSON the widget produces. The
server keeps no state until a solution is spent: the challenge carries its own expiry
in the salt (`?expires=<unix seconds>`) and an HMAC-SHA256 signature with a key only the
server holds, so it knows its own challenges without storing them. Spending one
(`spend_solution`) checks the signature, then the expiry (read from `core.clock`), then
records the signature in `spent_challenges` so the solution is used once, across every
process. The protocol is ALTCHA's v1 (https://altcha.org), built with the `altcha`
library's own v1 functions so the format stays the widget's.

The cost is `CAPEXIT_REPORT_CHALLENGE_MAX_NUMBER`: the number is drawn uniformly up to
it, so a solver tries half as many hashes on average. Core lies below the settings: it
asks only for the four it reads (`ChallengeSettings`).
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from altcha.v1 import ChallengeOptions, create_challenge, hash_hex, hmac_hex
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.core import challenge_repository as repository
from capacity_exit.core.clock import utcnow
from capacity_exit.core.errors import AppError, Conflict
from capacity_exit.core.problems import FieldProblem
from capacity_exit.core.secrets import register_development_secret

ALGORITHM: Literal["SHA-256"] = "SHA-256"
DEV_KEY_NAME = "dev-report-challenge-key"
MIN_KEY_BYTES = 32
# A widget's payload is ~250 characters; anything much longer is not one.
MAX_PAYLOAD_CHARS = 2048
MAX_NUMBER_ACCEPTED = 10**9  # above any configurable cost; bounds the number's digits


class ChallengeSettings(Protocol):
    @property
    def report_challenge_max_number(self) -> int: ...

    @property
    def report_challenge_ttl_seconds(self) -> int: ...

    @property
    def report_challenge_key_file(self) -> Path | None: ...

    @property
    def var_dir(self) -> Path: ...


class ChallengeInvalid(AppError):
    status, code, title = 422, "challenge_invalid", "Invalid proof of work"


class ChallengeExpired(AppError):
    status, code, title = 422, "challenge_expired", "Expired proof of work"


class ChallengeSpent(Conflict):
    code, title = "challenge_spent", "Proof of work already used"


# -- The key ----------------------------------------------------------------------------


def _development_key(path: Path) -> None:
    """Write a random key at `path` (mode 0600) unless one is there; of two processes
    starting together one writes, both read it (exclusive create, as core.keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(os.urandom(32).hex() + "\n")


@lru_cache(maxsize=8)
def _read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"the report challenge key ({path}) must hold at least {MIN_KEY_BYTES} bytes, "
            "e.g. `openssl rand -hex 32`"
        )
    return key


def hmac_key(settings: ChallengeSettings) -> bytes:
    """The key challenges are signed with: the configured file's content (surrounding
    whitespace stripped), else in development one generated in the var directory."""
    if settings.report_challenge_key_file is not None:
        return _read_key(settings.report_challenge_key_file)
    path = settings.var_dir.resolve() / DEV_KEY_NAME
    if not path.exists():
        _development_key(path)
    return _read_key(path)


@register_development_secret
def _development_challenge_key(settings: ChallengeSettings) -> str | None:
    if settings.report_challenge_key_file is None:
        return (
            "CAPEXIT_REPORT_CHALLENGE_KEY_FILE is not set (a generated development key "
            "would sign the report platform's proof-of-work challenges)"
        )
    return None


# -- Challenges -------------------------------------------------------------------------


def new_challenge(settings: ChallengeSettings) -> dict[str, Any]:
    """A fresh challenge as the ALTCHA widget reads it (its `challengeurl` answer)."""
    expires = utcnow() + timedelta(seconds=settings.report_challenge_ttl_seconds)
    made = create_challenge(
        ChallengeOptions(
            algorithm=ALGORITHM,
            max_number=settings.report_challenge_max_number,
            hmac_key=hmac_key(settings),
            expires=expires,
        )
    )
    return {
        "algorithm": made.algorithm,
        "challenge": made.challenge,
        "maxnumber": made.max_number,
        "salt": made.salt,
        "signature": made.signature,
    }


_Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Solution(BaseModel):
    """What a widget sends back (it also sends `took`, the milliseconds it took: ignored)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    algorithm: Literal["SHA-256"]
    challenge: _Hex64
    number: Annotated[int, Field(ge=0, le=MAX_NUMBER_ACCEPTED)]
    salt: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    signature: _Hex64


def _refusal(error: type[AppError], detail: str, pointer: str | None) -> AppError:
    problems = [FieldProblem(pointer=pointer, detail=detail, code=error.code)] if pointer else None
    return error(detail, errors=problems)


def _parse(payload: str) -> _Solution:
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise ValueError("too long")
    return _Solution.model_validate(json.loads(base64.b64decode(payload, validate=True)))


def _signed(solution: _Solution, key: bytes) -> bool:
    """Whether the solution solves a challenge signed with `key`: the ALTCHA v1 check
    (the library's hashing, its `&` delimiter rule), compared in constant time."""
    salt = solution.salt if solution.salt.endswith("&") else f"{solution.salt}&"
    challenge = hash_hex(ALGORITHM, f"{salt}{solution.number}".encode())
    signature = hmac_hex(ALGORITHM, challenge.encode(), key)
    return hmac.compare_digest(challenge, solution.challenge) and hmac.compare_digest(
        signature, solution.signature
    )


def _expires_at(salt: str) -> datetime | None:
    """The expiry the salt carries (every challenge made here carries exactly one)."""
    _, _, query = salt.partition("?")
    values = urllib.parse.parse_qs(query).get("expires", [])
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 11:
        return None
    return datetime.fromtimestamp(int(values[0]), UTC)


@dataclass(frozen=True, slots=True)
class VerifiedSolution:
    """A solution of a challenge this service signed, not expired; not yet spent."""

    signature: str
    expires_at: datetime
    pointer: str | None


def verify_solution(
    payload: str, settings: ChallengeSettings, *, pointer: str | None = None
) -> VerifiedSolution:
    """Check `payload` (the widget's base64 JSON) without the database: 422
    `challenge_invalid` unless it solves a challenge this service signed, 422
    `challenge_expired` past its expiry. `pointer` names where the payload sat in the
    request, for the problem's `errors`."""
    try:
        solution = _parse(payload)
    except ValueError:
        raise _refusal(
            ChallengeInvalid, "Not an ALTCHA solution (base64 JSON of a solved challenge).", pointer
        ) from None
    expires_at = _expires_at(solution.salt) if _signed(solution, hmac_key(settings)) else None
    if expires_at is None:
        raise _refusal(
            ChallengeInvalid, "The solution does not solve a challenge of this service.", pointer
        )
    if utcnow() >= expires_at:
        raise _refusal(
            ChallengeExpired, "The challenge has expired: fetch a new one and solve it.", pointer
        )
    return VerifiedSolution(solution.signature, expires_at, pointer)


async def spend(session: AsyncSession, solution: VerifiedSolution) -> None:
    """Accept a verified solution once: 409 `challenge_spent` if it was accepted before.
    The spend commits with `session`'s transaction; a caller that does slow work (a
    password hash) does it before, so the write is held only briefly."""
    if not await repository.spend(session, solution.signature, solution.expires_at):
        raise _refusal(
            ChallengeSpent,
            "This solution was already used: solve a new challenge.",
            solution.pointer,
        )


async def spend_solution(
    session: AsyncSession,
    payload: str,
    settings: ChallengeSettings,
    *,
    pointer: str | None = None,
) -> None:
    """`verify_solution`, then `spend`."""
    await spend(session, verify_solution(payload, settings, pointer=pointer))
