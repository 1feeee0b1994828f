"""Concentrated publication (集中公示, 一(三)): many cases of one category published by
one department in one go, all or none; each case keeps its own notice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.audit import service as audit
from capacity_exit.auth.principal import Principal
from capacity_exit.case import service as cases
from capacity_exit.case.machine import CaseAction
from capacity_exit.case.schemas import CaseTransitionRequest
from capacity_exit.core.errors import AppError
from capacity_exit.core.etag import Precondition, etag
from capacity_exit.core.problems import FieldProblem
from capacity_exit.disclosure import repository
from capacity_exit.disclosure.models import Disclosure, DisclosureBatch
from capacity_exit.disclosure.schemas import BatchIn


class BatchRefused(AppError):
    """One case of the batch could not be published: nothing of the batch is. Carries
    the status the case itself was refused with."""

    status, code, title = 422, "batch_refused", "Batch not published"


async def publish(
    session: AsyncSession, principal: Principal, data: BatchIn
) -> tuple[DisclosureBatch, list[Disclosure]]:
    batch = DisclosureBatch(
        category=data.category,
        department_code=principal.department_code,
        jurisdiction_code=principal.jurisdiction_code,
        title=data.title,
    )
    await repository.add(session, batch)
    published = []
    for i, entry in enumerate(data.cases):
        try:
            view = await cases.get(session, principal, entry.case_id)
            if view.case.category != data.category:
                raise BatchRefused(
                    f"Case {entry.case_id} is a {view.case.category} case.",
                    code="category_mismatch",
                )
            await cases.act(
                session,
                principal,
                entry.case_id,
                Precondition(etag(entry.version)),
                CaseTransitionRequest(
                    action=CaseAction.publish, publicity_working_days=data.publicity_working_days
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
        notices = await repository.current_of_case(session, entry.case_id)
        published += [n for n in notices if n.batch_id == batch.id]
    await audit.record(
        session,
        action="disclosure.batch",
        object_type="disclosure_batch",
        object_id=str(batch.id),
        jurisdiction=batch.jurisdiction_code,
        after=audit.snapshot(batch),
    )
    return batch, published
