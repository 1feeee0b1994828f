"""The audit chain's periodic job: signing and publishing its head (issue 14)."""

from __future__ import annotations

import logging
from datetime import date

from capacity_exit.audit import checkpoint, publication
from capacity_exit.config import Settings
from capacity_exit.core.db import Database
from capacity_exit.core.jobs import Job, PeriodicJob

log = logging.getLogger(__name__)
CHECKPOINT = "audit_checkpoint"


async def sign_head(database: Database, settings: Settings) -> None:
    """This period's signed head (audit.publication), unless it exists already: the
    checkpoint's row, unique by its period, decides between workers even without the
    job table. A chain that no longer extends the last checkpoint, or a witness file
    that cannot be written, is logged as an error saying so and raised on, so the job's
    row keeps it (`last_error`); nothing is signed until the next period."""
    try:
        await publication.checkpoint_if_due(database, settings)
    except (publication.ChainDoesNotExtend, checkpoint.BadCheckpoint) as exc:
        log.error("audit chain does not extend the last checkpoint, none signed: %s", exc)
        raise
    except OSError as exc:  # the witness file: nothing stored, tried again next period
        log.error("audit checkpoint not signed, the witness file failed: %s", exc)
        raise


def jobs(settings: Settings) -> list[Job]:
    async def run(database: Database, _today: date) -> None:
        await sign_head(database, settings)

    return [PeriodicJob(CHECKPOINT, settings.audit_checkpoint_seconds, run)]
