"""Settings, read from the environment (pydantic-settings).

`DATABASE_URL` selects the store; every other setting uses the prefix `CAPEXIT_`.
"""

from __future__ import annotations

import ipaddress
import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    AnyHttpUrl,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def _name_list(value: object) -> object:
    """A list from the environment: JSON (`["a", "b"]`) or comma-separated (`a, b`)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


NameList = Annotated[list[str], NoDecode, BeforeValidator(_name_list)]
LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
    BeforeValidator(lambda value: value.upper() if isinstance(value, str) else value),
]
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"  # what `make run` serves


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAPEXIT_", extra="ignore")

    env: Environment = Environment.development
    var_dir: Path = Path("./var")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "CAPEXIT_DATABASE_URL"),
        description="SQLAlchemy async URL; default a SQLite file in the var directory.",
    )
    # The database password, read from a file (a compose or Kubernetes secret) so that
    # DATABASE_URL carries none; it replaces any password the URL names.
    database_password_file: Path | None = None
    database_echo: bool = False
    # PostgreSQL connections kept per process (half as many again on bursts); at least the
    # requests one process serves at once. PostgreSQL's max_connections bounds the sum.
    database_pool_size: int = Field(default=20, ge=1, le=500)
    # How long a request waits for a pooled connection before it is answered 503 with
    # Retry-After (issue 14): a short wait, never the 30 s that stalled the whole API.
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Requests that may write (POST, PUT, PATCH, DELETE) admitted at once per process
    # (core.admission); none: half the pool size, leaving the rest for reads (the embedded
    # SQLite: one, as it has one writer). A writer
    # waits in line (holding no connection) at most the queue timeout, then is answered
    # 503 with Retry-After.
    write_concurrency: int | None = Field(default=None, ge=1, le=500)
    write_queue_timeout_seconds: float = Field(default=30.0, gt=0, le=120)
    # Requests larger than this are refused with 413 before the body is read.
    max_body_bytes: int = 1_048_576
    # Reference data shipped in the package; another city points this at its own file.
    reference_data_file: Path | None = None
    log_level: LogLevel = "INFO"
    # `json`: one JSON object a line (core.logs); `text`: a human line. None: json in
    # production, text in development and tests.
    log_format: Literal["json", "text"] | None = None
    # Development and tests only: the process's clock reads the system's plus this many
    # seconds (core.clock), e.g. a server a test starts on the test's own clock.
    clock_shift_seconds: float | None = Field(default=None, allow_inf_nan=False)

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
    # Issue 14, item 4: the longest lifetime (exp - iat) accepted from an external issuer;
    # our own tokens may live at most access_token_ttl_seconds.
    external_token_max_lifetime_seconds: int = Field(default=3600, ge=60, le=86_400)
    # Issue 14, item 5: the level whose administrators administer reference data, the
    # calendar and credit targets (others' administrators get 403).
    administration_level: Literal["city", "province"] = "city"
    # Signs audit checkpoints; kept outside the database (issue 5). Since issue 14 it also
    # keys the chain's hashes (HMAC, audit.keys).
    audit_key_file: Path | None = None
    # Audit chain (issue 14, item 10): every signed checkpoint is also appended here (JSON
    # Lines; default <var dir>/audit-witness.jsonl), a place the database's owner cannot
    # rewrite: append-only storage, another host, or a log shipper's input.
    audit_witness_file: Path | None = None
    # The worker signs and publishes the chain's head once per period (0: never).
    audit_checkpoint_seconds: int = Field(default=3600, ge=0, le=86_400)
    # Events recorded before the chain was keyed carry no key id; they are accepted up to
    # this position (0: none). Set it to what `migrate` printed when it keyed the chain.
    audit_unkeyed_until: int = Field(default=0, ge=0)
    # The report platform (issue 17): reporters' contact details are sealed with a key
    # kept outside the database (32 bytes, raw or base64; development: generated in the
    # var dir). Acceptance and conclusion are due this many working days after receipt
    # and acceptance; a concluded report waits this long for the reporter's answer.
    report_contact_key_file: Path | None = None
    report_acceptance_working_days: int = Field(default=5, ge=1, le=60)
    report_conclusion_working_days: int = Field(default=30, ge=1, le=250)
    report_answer_working_days: int = Field(default=10, ge=1, le=60)
    # The worker marks reports past a due date once per period (0: never), and erases
    # the contact details of reports closed or rejected this many calendar days ago
    # (the report stays), once per period (0: never).
    report_overdue_scan_seconds: float = Field(default=3600.0, ge=0, le=86_400 * 7)
    report_contact_retention_days: int = Field(default=180, ge=1, le=3650)
    report_contact_retention_seconds: float = Field(default=3600.0, ge=0, le=86_400 * 7)
    # Reports of the same category about the same enterprise received within this many
    # calendar days of each other are offered to the triager as possible duplicates
    # (never rejected automatically); 0: none offered.
    report_duplicate_window_days: int = Field(default=30, ge=0, le=366)
    # Idempotency keys are kept at least this long before pruning.
    idempotency_retention_hours: int = Field(default=24, ge=24)
    # The worker's periodic jobs (capacity_exit.worker), each run once per period across
    # all workers (0: never): pruning idempotency keys and the overdue scan. The audit
    # checkpoint's period is audit_checkpoint_seconds.
    idempotency_prune_seconds: float = Field(default=3600.0, ge=0, le=86_400 * 7)
    overdue_scan_seconds: float = Field(default=3600.0, ge=0, le=86_400 * 7)
    # How long a worker's claim on a periodic run lasts: a worker that dies mid-run
    # leaves it to another once this has passed (keep it above the longest run).
    worker_job_lease_seconds: float = Field(default=600.0, gt=0, le=86_400)
    # Brute-force throttle on the token endpoint, per account or client id.
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_lockout_seconds: int = 300
    # Requests per minute one client address may make to the public (token-less) routes;
    # 0 turns the limit off.
    public_rate_limit: int = Field(default=600, ge=0)
    # The report platform (issue 17): per client address and process, on top of the public
    # limit, report submissions and receipt look-ups a minute (0 turns one off).
    report_submit_per_minute: int = Field(default=5, ge=0)
    report_lookup_per_minute: int = Field(default=20, ge=0)
    # The proof of work a submission carries (ALTCHA, core.challenge): the largest secret
    # number a challenge hides (a solver tries half as many SHA-256 hashes on average), how
    # long a challenge stays valid, and its HMAC key file (development: generated in the
    # var dir; production requires it). The worker prunes spent challenges once per period.
    report_challenge_max_number: int = Field(default=100_000, ge=1, le=100_000_000)
    report_challenge_ttl_seconds: int = Field(default=600, ge=10, le=86_400)
    report_challenge_key_file: Path | None = None
    report_challenge_prune_seconds: float = Field(default=3600.0, ge=0, le=86_400 * 7)
    # Credit platforms pushed to (issue 8): a JSON file of targets, see docs/operations.md.
    # Without one, development pushes to the fake platform on 127.0.0.1:8701.
    credit_targets_file: Path | None = None
    # Delivery: attempts before a push is dead, how long a claim lasts before another
    # worker may take the job over, and the exponential backoff between attempts.
    credit_max_attempts: int = Field(default=10, ge=1, le=100)
    credit_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    credit_backoff_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    credit_backoff_cap_seconds: float = Field(default=900.0, gt=0, le=86_400)

    # Trust in headers (issue 14, item 7). Absolute URLs (the Atom feed, `Location`) are
    # built from the public base URL, never from the request's Host; production needs it.
    public_base_url: AnyHttpUrl | None = None
    # The operator's page for integrators' questions: the contract's `info.contact.url`.
    contact_url: AnyHttpUrl | None = None
    # Host names served besides the public base URL's (`*.example.gov.cn`: its subdomains);
    # any other Host is 400 `untrusted_host`. Empty: in development also localhost,
    # 127.0.0.1, ::1 and testserver (the test client); in production nothing else.
    allowed_hosts: NameList = Field(default_factory=list)
    # The reverse proxies (addresses or networks) whose X-Forwarded-For and -Proto are
    # believed; none by default, so the client is the connection's peer.
    trusted_proxies: NameList = Field(default_factory=list)
    # Web origins (`https://portal.example.gov.cn`) whose pages may call the API from a
    # browser (CORS, core.cors), or `*` for any; none by default. Bearer tokens only, no
    # cookies: credentials are never allowed, so `*` is safe to name.
    cors_origins: NameList = Field(default_factory=list)
    # Headers a browser needs (issue 14, item 8): Strict-Transport-Security's max-age in
    # seconds; 0 sends none (set it once every client reaches the API over HTTPS).
    hsts_seconds: int = Field(default=0, ge=0, le=63_072_000)

    # Prometheus metrics at /metrics (issue 16, item 7; core.metrics). None: on in
    # development and tests, off in production. The API's port is public, so production
    # serves them only behind a bearer token read from this file (Prometheus's
    # `authorization.credentials_file`); without it metrics stay off there.
    metrics_enabled: bool | None = None
    metrics_token_file: Path | None = None

    # Evidence files of the report platform (issue 17; core.blobs, core.uploads): stored
    # by content hash in a local directory (default <var dir>/evidence) or an
    # S3-compatible bucket. Credentials from the two files, else boto3's own chain
    # (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an instance role).
    evidence_store: Literal["local", "s3"] = "local"
    evidence_dir: Path | None = None
    evidence_s3_endpoint: str | None = None
    evidence_s3_bucket: str | None = None
    evidence_s3_region: str | None = None
    evidence_s3_access_key_file: Path | None = None
    evidence_s3_secret_key_file: Path | None = None
    # One file's size before cleaning (413 above it), and the files one report may carry.
    evidence_max_file_bytes: int = Field(default=10_485_760, ge=1024, le=104_857_600)
    evidence_max_files: int = Field(default=5, ge=0, le=20)

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, proxies: list[str]) -> list[str]:
        """uvicorn takes an entry it cannot parse as a literal host name that never
        matches a peer: a typo would silently trust no proxy. Refused here instead."""
        for proxy in proxies:
            if proxy == "*":  # refused in production (check_production_ready)
                continue
            try:
                ipaddress.ip_network(proxy)  # strict: 10.0.0.1/8 is a typo, not 10.0.0.0/8
            except ValueError:
                raise ValueError(f"{proxy!r} is not an IP address or network") from None
        return proxies

    @model_validator(mode="after")
    def _evidence_store_is_complete(self) -> Settings:
        if self.evidence_store == "s3" and not self.evidence_s3_bucket:
            raise ValueError("CAPEXIT_EVIDENCE_STORE=s3 needs CAPEXIT_EVIDENCE_S3_BUCKET")
        if (self.evidence_s3_access_key_file is None) != (self.evidence_s3_secret_key_file is None):
            raise ValueError(
                "CAPEXIT_EVIDENCE_S3_ACCESS_KEY_FILE and CAPEXIT_EVIDENCE_S3_SECRET_KEY_FILE "
                "go together"
            )
        return self

    @property
    def evidence_upload_max_bytes(self) -> int:
        """The body limit of the evidence upload: its files at their largest, and 64 KiB
        for the receipt and the multipart framing."""
        files = self.evidence_max_files * self.evidence_max_file_bytes
        return max(self.max_body_bytes, files + 65_536)

    @property
    def evidence_path(self) -> Path:
        """The local evidence store's directory: as set, else <var dir>/evidence."""
        return self.evidence_dir or self.var_dir / "evidence"

    @property
    def resolved_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "text" if self.is_development else "json"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            if self.database_password_file is None:
                return self.database_url
            from sqlalchemy.engine import make_url

            password = self.database_password_file.read_text("utf-8").strip()
            url = make_url(self.database_url).set(password=password)
            return url.render_as_string(hide_password=False)
        return f"sqlite+aiosqlite:///{self.var_dir.resolve() / 'capacity-exit.db'}"

    @property
    def resolved_write_concurrency(self) -> int:
        if self.write_concurrency:
            return self.write_concurrency
        if (self.database_url or "sqlite").startswith("sqlite"):
            # SQLite has one writer: writers wait in the lane, in arrival order, rather
            # than in its busy handler, which is not fair and fails the unlucky.
            return 1
        return max(1, self.database_pool_size // 2)

    @property
    def public_base(self) -> str:
        """The public base URL without a trailing slash (development: 127.0.0.1:8000)."""
        return str(self.public_base_url or DEVELOPMENT_BASE_URL).rstrip("/")

    @property
    def serves_metrics(self) -> bool:
        """Whether /metrics is served: as set, else everywhere but production."""
        if self.metrics_enabled is None:
            return self.is_development
        return self.metrics_enabled

    @property
    def named_rate_limits(self) -> dict[str, int]:
        """The per-client limits routes ask for by name (core.rate_limit.limited)."""
        return {
            "report_submit": self.report_submit_per_minute,
            "report_lookup": self.report_lookup_per_minute,
        }

    @property
    def is_development(self) -> bool:
        return self.env is not Environment.production

    def ensure_var_dir(self) -> Path:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return self.var_dir


class InsecureConfiguration(RuntimeError):
    """Raised at start-up when production runs with a development default."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


EMBEDDED_DATABASE = "DATABASE_URL is not set (the embedded SQLite default is for development)"


def store_problems(settings: Settings) -> list[str]:
    """What production refuses of the store: the embedded SQLite default (`migrate`)."""
    if settings.is_development or settings.database_url:
        return []
    return [EMBEDDED_DATABASE]


def production_problems(settings: Settings) -> list[str]:
    """Every development default production would run on (none in development).

    The development secrets are those registered by the modules imported so far
    (core.secrets): a caller that imports the app has them all."""
    if settings.is_development:
        return []
    problems = store_problems(settings)
    from capacity_exit.core.secrets import development_secrets_in_use

    problems.extend(development_secrets_in_use(settings))
    if settings.public_base_url is None:
        problems.append(
            "CAPEXIT_PUBLIC_BASE_URL is not set (absolute URLs would name a development host)"
        )
    if "*" in settings.trusted_proxies:
        problems.append("CAPEXIT_TRUSTED_PROXIES trusts every peer ('*'): name the proxies")
    if settings.serves_metrics and settings.metrics_token_file is None:
        problems.append(
            "CAPEXIT_METRICS_ENABLED is on without CAPEXIT_METRICS_TOKEN_FILE (the API's "
            "port is public: metrics need a bearer token)"
        )
    if settings.clock_shift_seconds is not None:
        problems.append(
            "CAPEXIT_CLOCK_SHIFT_SECONDS is set (a shifted clock is for development and tests)"
        )
    return problems


def check_production_ready(settings: Settings) -> None:
    """Refuse to run in production on development defaults (secrets, embedded store)."""
    if problems := production_problems(settings):
        raise InsecureConfiguration(problems)


def start_clock(settings: Settings) -> None:
    """Start the process's clock where development or a test asks; never in production."""
    if settings.clock_shift_seconds is None:
        return
    check_production_ready(settings)
    from datetime import timedelta

    from capacity_exit.core import clock

    clock.shift_by(timedelta(seconds=settings.clock_shift_seconds))


@lru_cache
def get_settings() -> Settings:
    return Settings()
