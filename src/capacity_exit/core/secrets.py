"""Registry of secrets that have a development fallback.

Each feature that can fall back to a development secret registers a check here, so
`check_production_ready` refuses to start production on any of them. A check reads the
application's settings (`config.Settings`), which core does not import: it is given them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

SecretCheck = TypeVar("SecretCheck", bound=Callable[[Any], str | None])
_checks: list[Callable[[Any], str | None]] = []


def register_development_secret(check: SecretCheck) -> SecretCheck:
    """Register a function that names a development secret in use, or returns None."""
    _checks.append(check)
    return check


def development_secrets_in_use(settings: object) -> list[str]:
    """What every registered check names for `settings` (the application's Settings)."""
    return [problem for check in _checks if (problem := check(settings)) is not None]
