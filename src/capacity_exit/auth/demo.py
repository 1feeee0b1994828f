"""Demo accounts for development (`capacity-exit seed --demo`, run by `make run`).

Their passwords are published in the README, so production refuses to create them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth import repository
from capacity_exit.auth.models import Account
from capacity_exit.auth.passwords import hash_secret
from capacity_exit.auth.roles import Role
from capacity_exit.auth.schemas import AccountKind

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - development only, documented


@dataclass(frozen=True)
class DemoAccount:
    login: str
    kind: AccountKind
    department: str
    roles: tuple[Role, ...]
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "demo.city.admin",
        AccountKind.user,
        "220300-miit",
        (Role.admin, Role.lead),
        "市工信局管理员",
    ),
    DemoAccount(
        "demo.lishu.officer",
        AccountKind.user,
        "220322-ecoenv",
        (Role.officer, Role.approver),
        "梨树县生态环境局经办人",
    ),
    DemoAccount(
        "demo.lishu.viewer",
        AccountKind.user,
        "220322-ecoenv",
        (Role.viewer,),
        "梨树县生态环境局查阅",
    ),
    DemoAccount(
        "demo.credit.gateway", AccountKind.service, "220300-drc", (Role.viewer,), "信用平台对接系统"
    ),
)


async def ensure_demo_accounts(session: AsyncSession) -> list[DemoAccount]:
    """Create the demo accounts, or reset them to their documented secret and roles."""
    for demo in DEMO_ACCOUNTS:
        account = await repository.get_by_login(session, demo.login) or Account(login=demo.login)
        account.kind = demo.kind
        account.display_name = demo.display_name
        account.department_code = demo.department
        account.roles = ",".join(sorted(r.value for r in demo.roles))
        account.secret_hash = hash_secret(DEMO_PASSWORD)
        account.disabled = False
        await repository.add(session, account)
        await audit.record(
            session,
            action="account.demo_reset",
            object_type="account",
            object_id=str(account.id),
            after=audit.snapshot(account),
        )
    return list(DEMO_ACCOUNTS)
