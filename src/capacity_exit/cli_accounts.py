"""`capacity-exit accounts ...`: the account administration of the API, from the shell."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from pydantic import TypeAdapter

from capacity_exit.auth.roles import Role
from capacity_exit.auth.schemas import AccountCreate, AccountKind, AccountOut
from capacity_exit.core.errors import AppError
from capacity_exit.core.etag import Precondition, etag

Work = Callable[[Any], Coroutine[Any, Any, Any]]
Transaction = Callable[[Work], Coroutine[Any, Any, Any]]


def _print_account(account: Any) -> None:
    out = AccountOut.model_validate(account)
    state = "disabled" if out.disabled else "active"
    roles = ",".join(out.roles)
    print(f"{out.id}  {out.kind:<7} {out.login:<28} {out.department:<16} {roles:<30} {state}")


def _run(in_transaction: Transaction, work: Work) -> int:
    try:
        asyncio.run(in_transaction(work))
    except AppError as exc:
        print(f"error: {exc.detail or exc.title}", file=sys.stderr)
        return 1
    return 0


def add_account_commands(commands: Any, in_transaction: Transaction) -> None:
    from capacity_exit.auth import service

    accounts = commands.add_parser("accounts", help="create, list, disable and rotate accounts")
    sub = accounts.add_subparsers(dest="accounts_command", required=True)

    create = sub.add_parser("create", help="create an account and print its secret once")
    create.add_argument("--kind", choices=[k.value for k in AccountKind], default="user")
    create.add_argument("--login", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--department", required=True)
    create.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--password-prompt", action="store_true", help="users: type the password instead"
    )

    def do_create(args: argparse.Namespace) -> int:
        password = getpass.getpass("password: ") if args.password_prompt else None
        fields = {
            "kind": args.kind,
            "login": args.login,
            "display_name": args.name,
            "department": args.department,
            "roles": args.role,
        }
        if password is not None:
            fields["password"] = password
        data: AccountCreate = TypeAdapter(AccountCreate).validate_python(fields)

        async def work(session: Any) -> None:
            principal = await service.system_principal(session)
            account, secret = await service.create_account(session, principal, data)
            _print_account(account)
            if password is None:
                print(f"secret (shown once): {secret}")

        return _run(in_transaction, work)

    create.set_defaults(func=do_create)

    listing = sub.add_parser("list", help="list accounts")
    listing.add_argument("--department")

    def do_list(args: argparse.Namespace) -> int:
        async def work(session: Any) -> None:
            principal = await service.system_principal(session)
            rows = await service.list_accounts(
                session,
                principal,
                limit=10_000,
                after=None,
                department=args.department,
                kind=None,
                include_disabled=True,
            )
            for account in rows:
                _print_account(account)

        return _run(in_transaction, work)

    listing.set_defaults(func=do_list)

    for name, disabled in (("disable", True), ("enable", False)):
        command = sub.add_parser(name, help=f"{name} an account by login")
        command.add_argument("login")

        def do_toggle(args: argparse.Namespace, disabled: bool = disabled) -> int:
            async def work(session: Any) -> None:
                principal = await service.system_principal(session)
                account = await service.account_by_login(session, args.login)
                changed = await service.set_disabled(
                    session, principal, account.id, Precondition(etag(account.version)), disabled
                )
                _print_account(changed)

            return _run(in_transaction, work)

        command.set_defaults(func=do_toggle)

    rotate = sub.add_parser("rotate", help="replace an account's secret and print it once")
    rotate.add_argument("login")

    def do_rotate(args: argparse.Namespace) -> int:
        async def work(session: Any) -> None:
            principal = await service.system_principal(session)
            account = await service.account_by_login(session, args.login)
            changed, secret = await service.rotate_secret(
                session, principal, account.id, Precondition(etag(account.version)), None
            )
            _print_account(changed)
            print(f"secret (shown once): {secret}")

        return _run(in_transaction, work)

    rotate.set_defaults(func=do_rotate)
