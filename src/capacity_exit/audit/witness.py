"""The witness file: every signed checkpoint appended as one JSON line, outside the
database, so that whoever can rewrite the database cannot rewrite what was vouched for.

The file is only ever opened for appending (`O_APPEND`) and synced after each line. Put
it where the database's owner has no write access beyond appending (`chattr +a`, a
write-once volume, another host's mount) or have a log shipper send it on; `capacity-exit
audit verify --against FILE` checks the chain against every line of it.
"""

from __future__ import annotations

import os
from pathlib import Path

from capacity_exit.audit.checkpoint import SignedCheckpoint
from capacity_exit.config import Settings

DEFAULT_NAME = "audit-witness.jsonl"


def path(settings: Settings) -> Path:
    return settings.audit_witness_file or settings.var_dir.resolve() / DEFAULT_NAME


def append(settings: Settings, checkpoint: SignedCheckpoint) -> Path:
    target = path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, checkpoint.to_line().encode())  # one write: lines never interleave
        os.fsync(fd)
    finally:
        os.close(fd)
    return target
