"""The report platform's public side (一(一)5: "under the supervision of the masses"):
concluded reports with the department's answer, statistics, and the compliant
enterprises one may report against.

A public item names no report: no id, no tracking code. The list's cursor needs a
position, so the report id in it is enciphered (one AES block, a permutation of the
16 bytes, under a key derived from the report key): deterministic, so a page's bytes and
its ETag stay the same between requests, and opaque, so the cursor does not give away
the millisecond a report was submitted (a UUIDv7 carries it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from capacity_exit.config import Settings
from capacity_exit.core.clock import as_utc
from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.problems import FieldProblem
from capacity_exit.disclosure.models import Disclosure
from capacity_exit.report import public_repository as repository
from capacity_exit.report.keys import report_keys
from capacity_exit.report.public_schemas import (
    CaseLink,
    Coded,
    CompliantEnterpriseOut,
    Count,
    CountyCount,
    CountyOnTime,
    NoticeEnterprise,
    NoticeLink,
    OnTime,
    PublicReportOut,
    ReportedEnterprise,
    ReportPrefill,
    ReportPrefillEnterprise,
    ReportStatistics,
    Stage,
)

_CURSOR_INFO = b"capacity-exit public report list cursor v1"


# --- the list's cursor -----------------------------------------------------------------


def _cipher(settings: Settings) -> Cipher[Any]:
    key = hmac.new(report_keys(settings).receipt, _CURSOR_INFO, hashlib.sha256).digest()
    # One block, a keyed permutation of a 16-byte id: ECB's weakness (equal blocks of a
    # long message) does not arise, and the determinism is wanted (stable ETags).
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305


def cursor_position(settings: Settings, row: RowMapping) -> str:
    encryptor = _cipher(settings).encryptor()
    sealed = encryptor.update(row["id"].bytes) + encryptor.finalize()
    return f"{row['concluded_on'].isoformat()}.{sealed.hex()}"


def _forged() -> Unprocessable:
    detail = "The cursor is not one this API issued."
    return Unprocessable(
        detail,
        code="invalid_cursor",
        errors=[
            FieldProblem(parameter="cursor", location="query", detail=detail, code="invalid_cursor")
        ],
    )


def position_of(settings: Settings, after: Any) -> tuple[dt.date, uuid.UUID]:
    """The (concluded_on, id) a cursor's position names; anything else is 422."""
    try:
        day, sealed = str(after).split(".")
        block = bytes.fromhex(sealed)
        if len(block) != 16:
            raise ValueError(sealed)
        decryptor = _cipher(settings).decryptor()
        return dt.date.fromisoformat(day), uuid.UUID(
            bytes=decryptor.update(block) + decryptor.finalize()
        )
    except (ValueError, TypeError) as exc:
        raise _forged() from exc


# --- concluded reports -----------------------------------------------------------------


def _stage(due: dt.date | None, done: dt.date | None) -> Stage:
    on_time = None if done is None or due is None else done <= due
    return Stage(due=due, done_on=done, on_time=on_time)


async def concluded_page(
    session: AsyncSession,
    *,
    after: tuple[dt.date, uuid.UUID] | None,
    limit: int,
    notice_url: str,
    case_notices_url: str,
    **filters: Any,
) -> list[tuple[RowMapping, PublicReportOut]]:
    """One page of concluded reports, each with the row it came from (for the cursor).
    `notice_url` and `case_notices_url` hold `{id}`."""
    rows = await repository.concluded_page(session, after=after, limit=limit, **filters)
    names = await repository.department_names(
        session, (code for row in rows for code in row["handling_departments"] or ())
    )
    cases = await repository.linked_case_ids(session, [row["id"] for row in rows])
    notices_by_case: dict[uuid.UUID, list[NoticeLink]] = defaultdict(list)
    for notice in await repository.notices_of_cases(
        session, (c for ids in cases.values() for c in ids)
    ):
        notices_by_case[notice["case_id"]].append(
            NoticeLink(
                id=notice["id"],
                kind=notice["kind"],
                category=str(notice["category"]),
                status=notice["status"],
                url=notice_url.replace("{id}", str(notice["id"])),
            )
        )
    page = []
    for row in rows:
        published = [c for c in dict.fromkeys(cases.get(row["id"], ())) if notices_by_case.get(c)]
        disputed = row["disputed_notice_id"]
        item = PublicReportOut(
            category=row["category"],
            county=Coded(code=row["jurisdiction_code"], name=row["jurisdiction_name"]),
            enterprise=ReportedEnterprise(
                name=row["enterprise_name"], credit_code=row["enterprise_credit_code"]
            ),
            received_on=row["received_on"],
            acceptance=_stage(row["acceptance_due"], row["accepted_on"]),
            conclusion=_stage(row["conclusion_due"], row["concluded_on"]),
            closed_on=row["closed_on"],
            status=row["status"],
            result=row["result"],
            conclusion_text=row["public_text"],
            handling_departments=[
                Coded(code=code, name=names.get(code, code))
                for code in row["handling_departments"] or ()
            ],
            disputed_notice=notice_url.replace("{id}", str(disputed)) if disputed else None,
            cases=[
                CaseLink(id=c, notices=case_notices_url.replace("{id}", str(c))) for c in published
            ],
            notices=[n for c in published for n in notices_by_case[c]],
        )
        page.append((row, item))
    return page


# --- statistics ------------------------------------------------------------------------


def _share(concluded: int, on_time: int) -> float | None:
    return round(on_time / concluded, 4) if concluded else None


async def statistics(
    session: AsyncSession,
    *,
    received_from: dt.date | None,
    received_to: dt.date | None,
    county: str | None,
) -> ReportStatistics:
    if received_from and received_to and received_to < received_from:
        raise Unprocessable(
            "received_to is before received_from.",
            code="invalid_range",
            errors=[
                FieldProblem(
                    parameter="received_to",
                    location="query",
                    detail="must not be before received_from",
                    code="invalid_range",
                )
            ],
        )
    window: dict[str, Any] = {
        "received_from": received_from,
        "received_to": received_to,
        "county": county,
    }

    async def by(dimension: str) -> list[tuple[Any, ...]]:
        return await repository.counts_by(session, dimension, **window)

    categories, states = await by("category"), await by("status")
    counties, months = await by("county"), await by("month")
    timely = await repository.on_time_by_county(session, **window)
    concluded = sum(row[2] for row in timely)
    on_time = sum(row[3] for row in timely)
    return ReportStatistics(
        received_from=received_from,
        received_to=received_to,
        county=county,
        total=sum(int(row[-1]) for row in categories),
        by_category=[Count(key=str(k), count=int(n)) for k, n in categories],
        by_county=[CountyCount(key=k, name=name, count=int(n)) for k, name, n in counties],
        by_state=[Count(key=str(k), count=int(n)) for k, n in states],
        by_month=[Count(key=f"{int(y):04d}-{int(m):02d}", count=int(n)) for y, m, n in months],
        on_time=OnTime(concluded=concluded, on_time=on_time, share=_share(concluded, on_time)),
        on_time_by_county=[
            CountyOnTime(key=k, name=name, concluded=c, on_time=t, share=_share(c, t))
            for k, name, c, t in timely
        ],
    )


# --- the compliant enterprises ---------------------------------------------------------


def _compliant(
    notice: Disclosure, county: str | None, notice_url: str, submit_url: str
) -> CompliantEnterpriseOut:
    url = notice_url.replace("{id}", str(notice.id))
    return CompliantEnterpriseOut(
        notice_id=notice.id,
        notice_url=url,
        document_url=f"{url}/document",
        enterprise=NoticeEnterprise(
            name=notice.enterprise_name,
            credit_code=notice.enterprise_credit_code,
            address=notice.enterprise_address,
        ),
        jurisdiction=Coded(code=notice.jurisdiction_code, name=notice.jurisdiction_name),
        department=Coded(code=notice.department_code, name=notice.department_name),
        published_at=as_utc(notice.published_at),
        report_url=submit_url,
        report_prefill=ReportPrefill(
            disputed_notice_id=notice.id,
            enterprise=ReportPrefillEnterprise(credit_code=notice.enterprise_credit_code),
            county=county,
        ),
    )


async def compliant_page(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    county: str | None,
    notice_url: str,
    submit_url: str,
) -> Sequence[CompliantEnterpriseOut]:
    rows = await repository.current_compliant(session, after=after, limit=limit, county=county)
    return [_compliant(notice, county_code, notice_url, submit_url) for notice, county_code in rows]
