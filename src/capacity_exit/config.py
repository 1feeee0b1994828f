"""Settings, read from the environment (pydantic-settings).

`DATABASE_URL` selects the store; every other setting uses the prefix `CAPEXIT_`.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, AwareDatetime, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAPEXIT_", extra="ignore")

    env: Environment = Environment.development
    var_dir: Path = Path("./var")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "CAPEXIT_DATABASE_URL"),
        description="SQLAlchemy async URL; default a SQLite file in the var directory.",
    )
    database_echo: bool = False
    # PostgreSQL connections kept per process (half as many again on bursts); at least the
    # requests one process serves at once. PostgreSQL's max_connections bounds the sum.
    database_pool_size: int = Field(default=20, ge=1, le=500)
    # Requests larger than this are refused with 413 before the body is read.
    max_body_bytes: int = 1_048_576
    # Reference data shipped in the package; another city points this at its own file.
    reference_data_file: Path | None = None
    log_level: str = "INFO"
    # Development and tests only: the process's clock starts at this instant and runs on
    # from it (core.clock), e.g. a server a test starts on the test's pinned day.
    clock_start: AwareDatetime | None = None

    # Tokens (issue 3). Without a signing key file, development generates one in var_dir.
    jwt_signing_key_file: Path | None = None
    jwt_previous_key_files: list[Path] = Field(
        default_factory=list, description="Keys still trusted during a rotation (PEM files)."
    )
    jwt_issuer: str = "capacity-exit"
    jwt_audience: str = "capacity-exit-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    # External issuers whose tokens are trusted: a JSON file, see docs/decisions.md.
    trusted_issuers_file: Path | None = None
    # Signs audit checkpoints; kept outside the database (issue 5).
    audit_key_file: Path | None = None
    # Idempotency keys are kept at least this long before pruning.
    idempotency_retention_hours: int = Field(default=24, ge=24)
    # Brute-force throttle on the token endpoint, per account or client id.
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_lockout_seconds: int = 300
    # Requests per minute one client address may make to the public (token-less) routes;
    # 0 turns the limit off.
    public_rate_limit: int = Field(default=600, ge=0)
    # Credit platforms pushed to (issue 8): a JSON file of targets, see docs/operations.md.
    # Without one, development pushes to the fake platform on 127.0.0.1:8701.
    credit_targets_file: Path | None = None
    # Delivery: attempts before a push is dead, how long a claim lasts before another
    # worker may take the job over, and the exponential backoff between attempts.
    credit_max_attempts: int = Field(default=10, ge=1, le=100)
    credit_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    credit_backoff_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    credit_backoff_cap_seconds: float = Field(default=900.0, gt=0, le=86_400)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir.resolve() / 'capacity-exit.db'}"

    @property
    def is_development(self) -> bool:
        return self.env is not Environment.production

    def ensure_var_dir(self) -> Path:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return self.var_dir


class InsecureConfiguration(RuntimeError):
    """Raised at start-up when production runs with a development default."""


def check_production_ready(settings: Settings) -> None:
    """Refuse to run in production on development defaults (secrets, embedded store)."""
    if settings.is_development:
        return
    problems: list[str] = []
    if not settings.database_url:
        problems.append("DATABASE_URL is not set (the embedded SQLite default is for development)")
    from capacity_exit.core.secrets import development_secrets_in_use

    problems.extend(development_secrets_in_use(settings))
    if settings.clock_start is not None:
        problems.append("CAPEXIT_CLOCK_START is set (a shifted clock is for development and tests)")
    if problems:
        raise InsecureConfiguration("; ".join(problems))


def start_clock(settings: Settings) -> None:
    """Start the process's clock where development or a test asks; never in production."""
    if settings.clock_start is None:
        return
    check_production_ready(settings)
    from capacity_exit.core import clock

    clock.start_at(settings.clock_start)


@lru_cache
def get_settings() -> Settings:
    return Settings()
