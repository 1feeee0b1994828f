"""Concentrated publication (集中公示, 一(三)): many cases of one category published by
one department in one go, all or none; each case keeps its own notice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.auth.principal import Principal
from capacity_exit.case import service as cases
from capacity_exit.case.machine import CaseAction
from capacity_exit.case.step_requests import step_request
from capacity_exit.core.errors import AppError
from capacity_exit.core.etag import Precondition, etag
from capacity_exit.core.problems import FieldProblem
from capacity_exit.disclosure import batches
from capacity_exit.disclosure.models import Disclosure, DisclosureBatch
from capacity_exit.disclosure.schemas import BatchIn
from capacity_exit.flows.steps import take_step


class BatchRefused(AppError):
    """One case of the batch could not be published: nothing of the batch is. Carries
    the status the case itself was refused with."""

    status, code, title = 422, "batch_refused", "Batch not published"


async def publish_batch(
    session: AsyncSession, principal: Principal, data: BatchIn
) -> tuple[DisclosureBatch, list[Disclosure]]:
    batch = await batches.open_batch(session, principal, data)
    published = []
    for i, entry in enumerate(data.cases):
        try:
            case = await cases.readable(session, principal, entry.case_id)
            if case.category != data.category:
                raise BatchRefused(
                    f"Case {entry.case_id} is a {case.category} case.",
                    code="category_mismatch",
                )
            await take_step(
                session,
                principal,
                entry.case_id,
                Precondition(etag(entry.version)),
                step_request(
                    CaseAction.publish, publicity_working_days=data.publicity_working_days
                ),
                batch_id=batch.id,
            )
        except AppError as exc:
            refused = BatchRefused(
                f"Case {i + 1} of the batch ({entry.case_id}) was not published: "
                f"{exc.detail or exc.title}",
                code=exc.code,
                errors=[
                    FieldProblem(
                        pointer=f"/cases/{i}",
                        detail=f"{p.pointer}: {p.detail}" if p.pointer else p.detail,
                        code=p.code,
                    )
                    for p in (exc.errors or [FieldProblem(detail=exc.title, code=exc.code)])
                ],
                extra=exc.extra,
            )
            refused.status, refused.title = exc.status, exc.title
            raise refused from exc
        published += await batches.notices_in_batch(session, batch, entry.case_id)
    await batches.record_batch(session, batch)
    return batch, published
