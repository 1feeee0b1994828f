"""The settings a command runs on, refused in one message (no traceback) when unusable.

Every command reads the settings first: a value that does not parse (`CAPEXIT_ENV=prod`,
a log level, a proxy that is not an address) is named with the others, exit 2. `serve`
and `worker` then check production's requirements (`config.production_problems`) and
that every file a setting names can be read; `migrate` needs only a real store (it holds
no signing key). All that is wrong is listed at once, so one start shows what to set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal, NoReturn

from pydantic import ValidationError

from capacity_exit.config import (
    InsecureConfiguration,
    Settings,
    get_settings,
    production_problems,
    start_clock,
    store_problems,
)

EXIT_CONFIGURATION = 2
Needs = Literal["everything", "store"]


def _variable(field: object) -> str:
    name = str(field)
    if name.upper() in {"DATABASE_URL", "CAPEXIT_DATABASE_URL"}:
        return "DATABASE_URL"
    return name.upper() if name.upper().startswith("CAPEXIT_") else f"CAPEXIT_{name.upper()}"


def _invalid(error: ValidationError) -> list[str]:
    """Each invalid value, by its variable; never the value itself (it may be a secret)."""
    return [
        f"{_variable(e['loc'][0]) if e['loc'] else 'settings'}: {e['msg']}"
        for e in error.errors(include_input=False, include_url=False)
    ]


def _unreadable_files(settings: Settings) -> list[str]:
    named: list[tuple[str, Path | None]] = [
        ("CAPEXIT_JWT_SIGNING_KEY_FILE", settings.jwt_signing_key_file),
        *(("CAPEXIT_JWT_PREVIOUS_KEY_FILES", p) for p in settings.jwt_previous_key_files),
        ("CAPEXIT_TRUSTED_ISSUERS_FILE", settings.trusted_issuers_file),
        ("CAPEXIT_AUDIT_KEY_FILE", settings.audit_key_file),
        ("CAPEXIT_CREDIT_TARGETS_FILE", settings.credit_targets_file),
        ("CAPEXIT_REPORT_CHALLENGE_KEY_FILE", settings.report_challenge_key_file),
        ("CAPEXIT_REFERENCE_DATA_FILE", settings.reference_data_file),
    ]
    return [
        f"{variable}: {path} is not a readable file"
        for variable, path in named
        if path is not None and not (path.is_file() and os.access(path, os.R_OK))
    ]


def _host_problems(settings: Settings) -> list[str]:
    from capacity_exit.core.hosts import allowed_hosts

    try:
        allowed_hosts(settings)
    except ValueError as exc:
        return [str(exc)]
    return []


def refuse(command: str, problems: list[str], settings: Settings | None) -> NoReturn:
    where = " in production" if settings is not None and not settings.is_development else ""
    lines = [f"capacity-exit {command}: cannot start{where}; set or correct:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append("(every setting: README.md, “Configuration”)")
    print("\n".join(lines), file=sys.stderr)
    raise SystemExit(EXIT_CONFIGURATION)


def command_settings(command: str) -> Settings:
    """The settings; a value that does not parse ends the command."""
    try:
        return get_settings()
    except ValidationError as exc:
        refuse(command, _invalid(exc), None)


def start(command: str, settings: Settings) -> None:
    """Start the process's clock (a shifted one is refused in production)."""
    try:
        start_clock(settings)
    except InsecureConfiguration as exc:
        refuse(command, exc.problems, settings)


def require_ready(command: str, settings: Settings, needs: Needs | None) -> None:
    """End the command (exit 2, one message) unless `settings` have what it needs."""
    if needs is None:
        return
    if needs == "store":
        problems = store_problems(settings)
    else:
        import capacity_exit.main  # noqa: F401  (registers every development-secret check)

        problems = [
            *production_problems(settings),
            *_unreadable_files(settings),
            *_host_problems(settings),
        ]
    if problems:
        refuse(command, problems, settings)
