"""`capacity-exit audit checkpoint|verify`: signed heads, and the chain checked against them."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capacity_exit.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from capacity_exit.audit.service import Verification

Work = Callable[[Any], Coroutine[Any, Any, Any]]
InTransaction = Callable[[Work], Coroutine[Any, Any, Any]]


def _checkpoint(args: argparse.Namespace, in_transaction: InTransaction) -> int:
    from capacity_exit.audit import publication, witness

    settings = get_settings()

    async def work(session: AsyncSession) -> Any:
        return await publication.publish(session, settings)

    try:
        signed = asyncio.run(in_transaction(work))
    except publication.ChainDoesNotExtend as exc:
        print(f"FAIL: the chain does not extend the latest checkpoint {exc}", file=sys.stderr)
        return 1
    output = args.output or Path(f"audit-checkpoint-{signed.position}.json")
    output.write_text(signed.to_json(), "utf-8")
    print(
        f"checkpoint at position {signed.position} published, appended to "
        f"{witness.path(settings)} and written to {output}"
    )
    return 0


def _verify(args: argparse.Namespace, in_transaction: InTransaction) -> int:
    from capacity_exit.audit import checkpoint, keys, publication, service

    settings = get_settings()
    try:
        kept = [head for path in args.against for head in checkpoint.load_verified(settings, path)]
    except checkpoint.BadCheckpoint as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1

    async def work(session: AsyncSession) -> Verification:
        stored = await publication.stored_heads(session, settings)
        return await service.verify(
            session,
            [*kept, *stored],
            key=keys.chain_key(settings),
            unkeyed_until=settings.audit_unkeyed_until,
        )

    try:
        result = asyncio.run(in_transaction(work))
    except checkpoint.BadCheckpoint as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    if result.ok:
        extends = (
            f"; it extends the {len(kept)} checkpoint(s) given, the latest at position "
            f"{max(c.position for c in kept)}"
            if kept
            else ""
        )
        print(f"OK: {result.checked} events, head at position {result.head_position}{extends}")
        return 0
    print(
        f"FAIL at position {result.first_bad_position}: {result.reason} "
        f"({result.checked} events verified before it)",
        file=sys.stderr,
    )
    return 1


def add_audit_commands(commands: Any, in_transaction: InTransaction) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    checkpoint = audit_commands.add_parser(
        "checkpoint",
        help="sign the chain's head with the audit key (after checking that the chain "
        "extends the latest checkpoint), publish it, append it to the witness file and "
        "write it out",
    )
    checkpoint.add_argument("--output", type=Path, help="default audit-checkpoint-N.json")
    checkpoint.set_defaults(func=lambda args: _checkpoint(args, in_transaction))
    verify = audit_commands.add_parser(
        "verify",
        help="recompute the chain and check it still holds every published checkpoint "
        "and those given; exit 1 naming the first bad position",
    )
    verify.add_argument(
        "--against",
        "--checkpoint",
        dest="against",
        metavar="CHECKPOINT",
        type=Path,
        action="append",
        default=[],
        help="a checkpoint someone kept: a JSON document (as the API serves and `audit "
        "checkpoint` writes) or a witness file (JSON Lines); repeatable",
    )
    verify.set_defaults(func=lambda args: _verify(args, in_transaction))
