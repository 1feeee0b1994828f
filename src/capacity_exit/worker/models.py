"""The periodic jobs' table: one row per job, claimed by one worker at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from capacity_exit.core.db import Base


class PeriodicJobState(Base):
    """When a periodic job runs next, who runs it now and how its runs went. A claim
    sets `claimed_by` and a lease and counts in `claims`; a finished run (failed or
    not) clears them, counts in `runs` (a failed one in `failures` too, a successful
    one sets `last_succeeded_at`) and sets `next_run_at`. A claim whose lease
    expired without a finish is taken over: its run is run again."""

    __tablename__ = "periodic_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claims: Mapped[int] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer)
    last_succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
