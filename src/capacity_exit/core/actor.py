"""Who is acting in this request, job or command: read by the audit log.

The authentication dependency sets it for API requests; the CLI and the worker set
their own. It is a context variable, so concurrent requests never see each other's.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    subject: str  # account:<id>, cli:<department>, system:cli, anonymous:<login> ...
    department: str | None
    roles: tuple[str, ...]


ANONYMOUS = Actor(subject="anonymous", department=None, roles=())
_current: ContextVar[Actor] = ContextVar("actor", default=ANONYMOUS)


def current_actor() -> Actor:
    return _current.get()


def act_as(actor: Actor) -> Token[Actor]:
    return _current.set(actor)


def restore_actor(token: Token[Actor]) -> None:
    """Back to the actor before `act_as` (a request's actor ends with it)."""
    _current.reset(token)
