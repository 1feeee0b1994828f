"""Registry of secrets that have a development fallback.

Each feature that can fall back to a development secret registers a check here, so
`check_production_ready` refuses to start production on any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capacity_exit.config import Settings

SecretCheck = Callable[["Settings"], "str | None"]
_checks: list[SecretCheck] = []


def register_development_secret(check: SecretCheck) -> SecretCheck:
    """Register a function that names a development secret in use, or returns None."""
    _checks.append(check)
    return check


def development_secrets_in_use(settings: Settings) -> list[str]:
    return [problem for check in _checks if (problem := check(settings)) is not None]
