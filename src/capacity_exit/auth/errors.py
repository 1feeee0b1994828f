"""401 and 403, with the `WWW-Authenticate` challenge every 401 carries (RFC 6750)."""

from __future__ import annotations

from capacity_exit.core.errors import AppError

REALM = "capacity-exit"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Not authenticated"

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        challenge = f'Bearer realm="{REALM}"'
        if code not in (None, "missing_token"):
            challenge += ', error="invalid_token"'
        super().__init__(detail, code=code, headers={"WWW-Authenticate": challenge})


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Forbidden"
