"""Who is calling, for which department, with which roles, over which jurisdictions."""

from __future__ import annotations

from dataclasses import dataclass

from capacity_exit.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    subject: str
    department_code: str
    department_kind: str
    jurisdiction_code: str
    level: str  # province, city or county
    roles: frozenset[Role]
    # Jurisdictions whose records the principal may read, and may act on.
    readable: frozenset[str]
    writable: frozenset[str]
    account_id: str | None = None

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    def can_read(self, jurisdiction_code: str) -> bool:
        return jurisdiction_code in self.readable

    def can_write(self, jurisdiction_code: str) -> bool:
        return jurisdiction_code in self.writable
