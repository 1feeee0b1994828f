"""The `capacity-exit` command: migrate, seed, serve, openapi and operators' tasks."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from capacity_exit import __version__
from capacity_exit.cli_accounts import add_account_commands
from capacity_exit.cli_audit import add_audit_commands
from capacity_exit.cli_credit import add_credit_commands
from capacity_exit.cli_settings import command_settings, require_ready, start
from capacity_exit.cli_worker import add_worker_commands
from capacity_exit.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from capacity_exit.auth.roles import Role

T = TypeVar("T")


def _migrate(args: argparse.Namespace) -> int:
    from capacity_exit.core import migrations

    settings = get_settings()
    settings.ensure_var_dir()
    if args.revision.startswith("-") or args.downgrade:
        migrations.downgrade(settings.resolved_database_url, args.revision)
    else:
        migrations.upgrade(settings.resolved_database_url, args.revision)
    print(f"database at {args.revision}")
    return 0


async def _in_transaction(work: Callable[[AsyncSession], Coroutine[Any, Any, T]]) -> T:
    """Run `work` in one transaction on the configured database."""
    from capacity_exit.core.db import Database

    database = Database.from_url(get_settings().resolved_database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            return await work(session)
    finally:
        await database.dispose()


def _seed(args: argparse.Namespace) -> int:
    from capacity_exit.auth.demo import DEMO_PASSWORD, ensure_demo_accounts
    from capacity_exit.org import reference_data

    settings = get_settings()
    if args.demo and not settings.is_development:
        print("demo accounts are for development only", file=sys.stderr)
        return 2
    data = reference_data.load_file(args.file or settings.reference_data_file)
    divisions, departments = asyncio.run(
        _in_transaction(lambda session: reference_data.apply(session, data))
    )
    print(f"reference data loaded: {divisions} divisions, {departments} departments")
    if args.demo:
        demos = asyncio.run(_in_transaction(ensure_demo_accounts))
        for demo in demos:
            roles = ",".join(r.value for r in demo.roles)
            print(f"demo {demo.kind} {demo.login} ({demo.department}, {roles})")
        print(f"demo password / client secret: {DEMO_PASSWORD}")
    return 0


def _token(args: argparse.Namespace) -> int:
    from capacity_exit.auth import tokens
    from capacity_exit.auth.roles import Role

    try:
        token, _ttl = tokens.issue(
            get_settings(),
            subject=f"cli:{args.department}",
            department=args.department,
            roles=[Role(r) for r in args.role],
            kind="cli",
            ttl_seconds=args.ttl,
        )
    except ValueError as exc:  # a lifetime the server would refuse
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from capacity_exit.core.logs import logging_config

    settings = get_settings()
    uvicorn.run(
        # An import string, so that each of `--workers` processes builds its own app.
        "capacity_exit.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        # X-Forwarded-For and -Proto only from the configured proxies: uvicorn's default
        # trusts 127.0.0.1 (or $FORWARDED_ALLOW_IPS), so any local client could name
        # itself (issue 14). The list is the setting's, validated as addresses/networks.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        server_header=False,  # no `server: uvicorn`
        # Ours (core.logs), applied by uvicorn in every worker process: uvicorn's lines
        # pass through the same formatter; its access log is off (ours has the route
        # template, the subject and the request id: core.request_id).
        log_config=logging_config(settings.log_level, settings.resolved_log_format),
        access_log=False,
    )
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def _openapi(args: argparse.Namespace) -> int:
    from capacity_exit.main import create_app

    document = create_app().openapi()
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    if args.check:
        committed = Path(args.check).read_text("utf-8")
        if json.loads(committed) != document:
            print(
                f"{args.check} differs from the app's schema: run `make openapi`", file=sys.stderr
            )
            return 1
        print(f"{args.check} matches the app")
        return 0
    if args.output:
        Path(args.output).write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _calendar_load(args: argparse.Namespace) -> int:
    from capacity_exit.auth.service import system_principal
    from capacity_exit.calendar import service as calendar_service
    from capacity_exit.calendar.schemas import YearScheduleIn
    from capacity_exit.core.errors import AppError
    from capacity_exit.core.etag import Precondition, etag

    raw = json.loads(args.file.read_text("utf-8"))
    year = int(raw.pop("year"))
    schedule = YearScheduleIn.model_validate(raw)

    async def work(session: AsyncSession) -> int:
        # The shell operator corrects whatever version is current.
        current = await calendar_service.loaded_version(session, year)
        row = await calendar_service.load_year(
            session, await system_principal(session), year, schedule, Precondition(etag(current))
        )
        return row.version

    try:
        version = asyncio.run(_in_transaction(work))
    except AppError as exc:
        print(f"error: {exc.detail or exc.title}", file=sys.stderr)
        return 1
    print(f"calendar {year} loaded (version {version}, {schedule.notice})")
    return 0


def _idempotency_prune(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from capacity_exit.core import idempotency
    from capacity_exit.core.db import Database

    settings = get_settings()

    async def run() -> int:
        database = Database.from_url(settings.resolved_database_url)
        try:
            retention = timedelta(hours=settings.idempotency_retention_hours)
            return await idempotency.prune(database, retention)
        finally:
            await database.dispose()

    print(f"pruned {asyncio.run(run())} idempotency keys")
    return 0


def scan_day(requested: date | None, today: date, *, development: bool) -> date:
    """The business day an overdue scan judges by: today unless the operator names an
    earlier one. A later day would mark cases overdue before their deadline has passed,
    so outside development and tests it is refused (decisions.md)."""
    if requested is None:
        return today
    if requested > today and not development:
        raise SystemExit(
            f"--today {requested.isoformat()} lies after the business day "
            f"({today.isoformat()}): cases cannot be judged overdue early"
        )
    return requested


def _cases_scan_overdue(args: argparse.Namespace) -> int:
    from capacity_exit.core import clock
    from capacity_exit.flows.overdue import scan_overdue

    day = scan_day(args.today, clock.business_today(), development=get_settings().is_development)

    async def work(session: AsyncSession) -> list[str]:
        marked = await scan_overdue(session, day)
        return [
            f"{c.id} {c.category} {c.jurisdiction_code} due {c.completion_deadline}" for c in marked
        ]

    lines = asyncio.run(_in_transaction(work))
    for line in lines:
        print(line)
    print(f"marked {len(lines)} cases overdue")
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("a date written YYYY-MM-DD") from exc


def _roles() -> list[Role]:
    from capacity_exit.auth.roles import Role

    return list(Role)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capacity-exit", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    migrate = commands.add_parser("migrate", help="upgrade the database (default: to head)")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--downgrade", action="store_true", help="downgrade to REVISION")
    # The store only: the migration step holds no signing key (cli_settings).
    migrate.set_defaults(func=_migrate, needs="store")

    seed = commands.add_parser("seed", help="load divisions and departments (idempotent)")
    seed.add_argument(
        "--file",
        type=Path,
        help="reference-data file (default: CAPEXIT_REFERENCE_DATA_FILE, else Siping's)",
    )
    seed.add_argument("--demo", action="store_true", help="also demo accounts (development)")
    seed.set_defaults(func=_seed)

    token = commands.add_parser(
        "token", help="print an access token signed with the configured key"
    )
    token.add_argument("--department", required=True, help="department code, e.g. 220322-ecoenv")
    token.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in _roles()]
    )
    token.add_argument(
        "--ttl",
        type=int,
        default=None,
        help="lifetime in seconds (at most CAPEXIT_ACCESS_TOKEN_TTL_SECONDS, the default)",
    )
    token.set_defaults(func=_token)

    add_account_commands(commands, _in_transaction)

    calendar = commands.add_parser("calendar", help="the working-day calendar")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    load = calendar_commands.add_parser(
        "load", help="load or correct a year's official schedule from a JSON file"
    )
    load.add_argument("file", type=Path, help='{"year", "notice", "holidays", "adjusted_workdays"}')
    load.set_defaults(func=_calendar_load)

    add_audit_commands(commands, _in_transaction)

    keys = commands.add_parser("idempotency", help="idempotency keys")
    keys_commands = keys.add_subparsers(dest="idempotency_command", required=True)
    prune = keys_commands.add_parser("prune", help="delete keys past their retention")
    prune.set_defaults(func=_idempotency_prune)

    cases = commands.add_parser("cases", help="disclosure cases")
    cases_commands = cases.add_subparsers(dest="cases_command", required=True)
    scan = cases_commands.add_parser(
        "scan-overdue", help="mark cases past their completion deadline as overdue"
    )
    scan.add_argument(
        "--today",
        type=_day,
        default=None,
        help="the business day to judge by (default: today; a later day only in development)",
    )
    scan.set_defaults(func=_cases_scan_overdue)

    add_credit_commands(commands)
    add_worker_commands(commands)

    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=_positive, default=1, help="server processes (uvicorn's workers)"
    )
    serve.set_defaults(func=_serve, needs="everything")

    openapi = commands.add_parser("openapi", help="print or check the OpenAPI document")
    group = openapi.add_mutually_exclusive_group()
    group.add_argument("--output", help="write it to this file")
    group.add_argument("--check", help="fail if this committed file differs")
    openapi.set_defaults(func=_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from capacity_exit.core.actor import Actor, act_as

    command = args.command
    settings = command_settings(command)
    require_ready(command, settings, getattr(args, "needs", None))
    start(command, settings)

    # Changes made from the shell are audited as the operator's.
    try:
        operator = getpass.getuser()
    except (KeyError, OSError):
        operator = "unknown"
    act_as(Actor(subject=f"system:cli:{operator}", department=None, roles=("admin",)))
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
