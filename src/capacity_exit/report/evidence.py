"""Evidence files of a report: cleaned, stored by digest, listed without it.

A file is cleaned by `core.uploads.clean_upload` (type from the content, metadata gone)
in a thread, written to the blob store under the sha256 of its cleaned bytes and
recorded as a `report_evidence` row. The same cleaned file twice on one report is one
row (re-encoding is deterministic, so a retried upload adds nothing). A blob written by
a request whose transaction then fails stays in the store unreferenced: blobs are never
deleted, and an orphan names no report.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.config import Settings
from capacity_exit.core.blobs import BlobStore
from capacity_exit.core.errors import Conflict, NotFound, PayloadTooLarge
from capacity_exit.core.uploads import CleanFile, clean_upload
from capacity_exit.report import machine, repository, service
from capacity_exit.report.models import Report, ReportEvidence

# A report holds at most this many times CAPEXIT_EVIDENCE_MAX_FILES files in all.
PER_REPORT_FACTOR = 4


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"


def per_report(settings: Settings) -> int:
    return settings.evidence_max_files * PER_REPORT_FACTOR


def check_count(settings: Settings, count: int) -> None:
    """413 `too_many_files` past CAPEXIT_EVIDENCE_MAX_FILES in one request."""
    if count > settings.evidence_max_files:
        raise PayloadTooLarge(
            f"At most {settings.evidence_max_files} files in one request.",
            code="too_many_files",
            extra={"max_files": settings.evidence_max_files},
        )


async def clean_all(settings: Settings, files: Sequence[bytes]) -> list[CleanFile]:
    """Each file cleaned in a thread (CPU work on untrusted bytes), in order; the first
    refused file's problem (413/415/422) refuses the request."""
    check_count(settings, len(files))
    limit = settings.evidence_max_file_bytes
    return [await asyncio.to_thread(clean_upload, data, max_bytes=limit) for data in files]


async def attach(
    session: AsyncSession,
    settings: Settings,
    store: BlobStore,
    report: Report,
    files: Sequence[CleanFile],
    *,
    added_by: str,
) -> list[ReportEvidence]:
    """Store `files` and record them on `report`: one history event (`evidence`, shown on
    the receipt) and one audit entry (`report.add_evidence`) when anything is new."""
    if report.status not in machine.OPEN_STATES:
        raise Conflict(
            f"A report in state {report.status} takes no more files.", code="report_decided"
        )
    held = {e.digest for e in await repository.evidence_of(session, report.id)}
    new: dict[str, CleanFile] = {}
    for file in files:
        if file.digest not in held:
            new.setdefault(file.digest, file)
    if len(held) + len(new) > per_report(settings):
        raise PayloadTooLarge(
            f"A report holds at most {per_report(settings)} files.",
            code="evidence_limit_reached",
            extra={"max_files_per_report": per_report(settings)},
        )
    added = []
    for file in new.values():
        await store.put(file.data)
        row = ReportEvidence(
            report_id=report.id,
            digest=file.digest,
            content_type=file.content_type,
            size=file.size,
            added_by=added_by,
        )
        await repository.add(session, row)
        added.append(row)
    if added:
        version, before = report.version, service.audited(report)
        await service.update_at_version(session, report, version, {})
        await service.record(
            session,
            report,
            kind="evidence",
            audit_action="report.add_evidence",
            before=before,
            public=True,
        )
    return added


async def listed(session: AsyncSession, report: Report) -> Sequence[ReportEvidence]:
    return await repository.evidence_of(session, report.id)


@dataclass(frozen=True)
class Download:
    evidence: ReportEvidence
    data: bytes


async def download(
    session: AsyncSession,
    store: BlobStore,
    report: Report,
    evidence_id: uuid.UUID,
    reader: str | None,
) -> Download:
    """The file's bytes for a reader who may see `report`; each download is the audit
    entry `report.evidence_read` (naming the file and the reader, never the digest)."""
    row = await repository.evidence_by_id(session, report.id, evidence_id)
    if row is None:
        raise EvidenceNotFound(f"Report {report.id} has no evidence {evidence_id}.")
    data = await store.get(row.digest)
    await audit.record(
        session,
        action="report.evidence_read",
        object_type=service.OBJECT_TYPE,
        object_id=str(report.id),
        jurisdiction=report.jurisdiction_code,
        after={"report_id": str(report.id), "evidence_id": str(row.id), "reader": reader},
    )
    return Download(row, data)
