"""The caller's principal, and the access policy every operation declares.

Private routers require a principal for every route (login required by default);
each operation also declares its policy with `access(...)` or `public()`, which both
guards it and documents it as `x-access` in the OpenAPI document, where the
route × role × scope test reads it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from capacity_exit.auth import service, tokens
from capacity_exit.auth.errors import Forbidden, Unauthorized
from capacity_exit.auth.jwt import TokenError
from capacity_exit.auth.principal import Principal
from capacity_exit.auth.roles import ALL_ROLES, Role
from capacity_exit.core.actor import Actor, act_as
from capacity_exit.core.db import Session
from capacity_exit.core.idempotency import Idempotent
from capacity_exit.core.problems import public

__all__ = ["CurrentPrincipal", "access", "current_principal", "public"]

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="An access token from `POST /api/v1/auth/token` (or a trusted issuer).",
)


async def current_principal(
    request: Request,
    session: Session,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if "access_token" in request.query_params:
        raise Unauthorized(
            "Tokens in query strings are refused: send `Authorization: Bearer <token>`.",
            code="token_in_query",
        )
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Send `Authorization: Bearer <token>`.", code="missing_token")
    try:
        claims = tokens.verify(request.app.state.settings, credentials.credentials)
    except TokenError as exc:
        raise Unauthorized(f"The token is not valid: {exc}.", code="invalid_token") from exc
    principal = await service.resolve_principal(session, claims)
    act_as(
        Actor(
            subject=principal.subject,
            department=principal.department_code,
            roles=tuple(sorted(r.value for r in principal.roles)),
        )
    )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class _RoleGuard:
    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    async def __call__(self, principal: CurrentPrincipal) -> None:
        if not principal.has_any(self.roles):
            allowed = ", ".join(sorted(r.value for r in self.roles))
            raise Forbidden(
                f"This operation needs one of the roles: {allowed}.", code="role_required"
            )


async def _administering_level(request: Request, principal: CurrentPrincipal) -> None:
    """Reference data, the calendar and credit targets are the same for every department:
    only the administering level (`CAPEXIT_ADMINISTRATION_LEVEL`, the city by default)
    changes them, so a county's administrator cannot move every department's deadlines."""
    level = request.app.state.settings.administration_level
    if principal.level != level:
        raise Forbidden(
            f"Only administrators of the {level} level administer this.",
            code="administration_level",
        )


def access(*roles: Role, scope: str = "jurisdiction", creates: bool = False) -> dict[str, Any]:
    """Route keyword arguments for an operation open to `roles` (all roles if none),
    within `scope`: `jurisdiction` (objects in the caller's jurisdictions; others 404),
    `global` (reference data, the same for everyone), or `administration` (changing
    what is the same for everyone: only departments of the administering level, 403 for
    the others). `creates=True` marks a creating POST: it accepts `Idempotency-Key`."""
    allowed = frozenset(roles) if roles else frozenset(ALL_ROLES)
    guards = [Depends(_RoleGuard(allowed))]
    if scope == "administration":
        guards.append(Depends(_administering_level))
    if creates:
        guards.append(Idempotent)
    return {
        "dependencies": guards,
        "openapi_extra": {"x-access": {"roles": sorted(r.value for r in allowed), "scope": scope}},
    }
