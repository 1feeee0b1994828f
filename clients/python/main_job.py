"""The main job through the client openapi-python-client generates from the contract.

A service account gets a token, records an enterprise and its inspection, opens an
illegal-construction case as a partial draft, completes the draft, publishes it, and
finds the notice in the public list: every call through the generated typed functions
and models, every answer checked as its user would. Run by `make clients` against a
throwaway server (clients/live_server.py); reads MAIN_JOB_BASE_URL, MAIN_JOB_CLIENT_ID and
MAIN_JOB_CLIENT_SECRET from the environment.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from http import HTTPStatus
from typing import TypeVar
from uuid import UUID

from capacity_exit_client import AuthenticatedClient, Client
from capacity_exit_client.api.auth import issue_token
from capacity_exit_client.api.cases import (
    create_case,
    edit_case_draft,
    get_case,
    transition_case,
)
from capacity_exit_client.api.disclosures import list_disclosures
from capacity_exit_client.api.enterprises import create_enterprise
from capacity_exit_client.api.inspections import create_inspection
from capacity_exit_client.models import (
    CaseOut,
    CaseState,
    CheckedItem,
    DisclosureList,
    Domain,
    EnterpriseCreate,
    EnterpriseOut,
    IllegalCaseCreate,
    IllegalDraft,
    IllegalDraftEdit,
    IllegalMatter,
    InspectionCreate,
    InspectionKind,
    InspectionOut,
    Problem,
    PublishStep,
    TokenForm,
    TokenFormGrantType,
    TokenResponse,
)
from capacity_exit_client.types import Response

COUNTY = "220322"  # 梨树县, in the reference data `seed` loads
OWNER = f"{COUNTY}-ecoenv"  # the department the service account belongs to
CREDIT_CODE = "91220322000000019H"  # valid (GB 32100); the server's database is fresh

T = TypeVar("T")


class JobFailed(AssertionError):
    pass


def expect(response: Response[T | Problem], status: HTTPStatus, kind: type[T], what: str) -> T:
    """The parsed answer, when it has the status and model the job expects."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        body = response.content.decode("utf-8", "replace")[:2000]
        raise JobFailed(f"{what}: expected {status.value}, got {response.status_code}: {body}")
    return response.parsed


def if_match(case: CaseOut) -> str:
    return f'"{case.version}"'


def token(base_url: str, client_id: str, secret: str) -> str:
    form = TokenForm(
        grant_type=TokenFormGrantType.CLIENT_CREDENTIALS, client_id=client_id, client_secret=secret
    )
    with Client(base_url=base_url) as anonymous:
        answer = issue_token.sync_detailed(client=anonymous, body=form)
    return expect(answer, HTTPStatus.OK, TokenResponse, "POST /auth/token").access_token


def record_enterprise_and_inspection(client: AuthenticatedClient, today: dt.date) -> InspectionOut:
    enterprise = expect(
        create_enterprise.sync_detailed(
            client=client,
            body=EnterpriseCreate(
                name="梨树县某某水泥有限公司",
                credit_code=CREDIT_CODE,
                address="吉林省四平市梨树县梨树镇工业路1号",
                jurisdiction=COUNTY,
                industry="水泥",
                legal_representative="张三",
            ),
        ),
        HTTPStatus.CREATED,
        EnterpriseOut,
        "POST /enterprises",
    )
    return expect(
        create_inspection.sync_detailed(
            client=client,
            body=InspectionCreate(
                enterprise_id=enterprise.id,
                kind=InspectionKind.INSPECTION,
                departments=[],
                completed_on=today - dt.timedelta(days=2),
                items=[
                    CheckedItem(
                        domain=Domain.ENVIRONMENT,
                        item="颗粒物排放浓度",
                        measured_value=85.3,
                        limit_value=50,
                        unit="mg/m³",
                        standard="GB 13271-2014",
                        compliant=False,
                    )
                ],
                conclusion="颗粒物排放超标，责令限期整改。",
            ),
        ),
        HTTPStatus.CREATED,
        InspectionOut,
        "POST /inspections",
    )


def open_draft(client: AuthenticatedClient, inspection: InspectionOut) -> CaseOut:
    """An illegal-construction case whose draft has its findings but not yet its handling."""
    body = IllegalCaseCreate(
        enterprise_id=inspection.enterprise_id,
        inspection_id=inspection.id,
        category="illegal",
        payload=IllegalDraft(
            illegal_matters=[
                IllegalMatter(
                    matter="未批先建",
                    facts="2019年起未取得环评批复擅自建设年产30万吨水泥粉磨生产线。",
                    legal_basis="《环境影响评价法》第二十五条",
                )
            ],
            handling_basis="《环境影响评价法》第三十一条",
        ),
    )
    case = expect(
        create_case.sync_detailed(client=client, body=body),
        HTTPStatus.CREATED,
        CaseOut,
        "POST /cases",
    )
    if case.status != CaseState.DRAFT:
        raise JobFailed(f"a new case is a draft, not {case.status}")
    return case


# The two calls below are where the contract's untyped bodies are (issue 16 item 1 types
# them as unions on `category` and `action`): each is kept in one function so that it
# follows the contract in one place.


def edit_draft(client: AuthenticatedClient, case: CaseOut, deadline: dt.date) -> CaseOut:
    """PATCH the draft's missing handling fields in."""
    body = IllegalDraftEdit(
        category="illegal",
        handling_requirements="停止建设，拆除违规建设的生产线。",
        completion_deadline=deadline,
        responsible_departments=[OWNER, f"{COUNTY}-natres"],
    )
    return expect(
        edit_case_draft.sync_detailed(case.id, client=client, body=body, if_match=if_match(case)),
        HTTPStatus.OK,
        CaseOut,
        "PATCH /cases/{id}",
    )


def publish(client: AuthenticatedClient, case: CaseOut) -> CaseOut:
    """The `publish` step: the notice goes out, the case is publicized."""
    body = PublishStep(action="publish")
    return expect(
        transition_case.sync_detailed(case.id, client=client, body=body, if_match=if_match(case)),
        HTTPStatus.OK,
        CaseOut,
        "POST /cases/{id}/transitions publish",
    )


def public_notices_of(base_url: str, credit_code: str) -> list[UUID]:
    """The public list, read without a token: the notices naming the enterprise."""
    with Client(base_url=base_url) as anonymous:
        answer = list_disclosures.sync_detailed(client=anonymous)
    listing = expect(answer, HTTPStatus.OK, DisclosureList, "GET /disclosures")
    return [item.id for item in listing.items if item.enterprise.credit_code == credit_code]


def main() -> int:
    base_url = os.environ["MAIN_JOB_BASE_URL"]
    access_token = token(
        base_url, os.environ["MAIN_JOB_CLIENT_ID"], os.environ["MAIN_JOB_CLIENT_SECRET"]
    )
    today = dt.datetime.now(dt.UTC).date()
    with AuthenticatedClient(base_url=base_url, token=access_token) as client:
        inspection = record_enterprise_and_inspection(client, today)
        draft = open_draft(client, inspection)
        edited = edit_draft(client, draft, today + dt.timedelta(days=180))
        if edited.version <= draft.version:
            raise JobFailed("the edit did not make a new version")
        published = publish(client, edited)
        if published.status != CaseState.PUBLICIZED:
            raise JobFailed(f"after publish the case is {published.status}, not publicized")
        read = expect(
            get_case.sync_detailed(published.id, client=client),
            HTTPStatus.OK,
            CaseOut,
            "GET /cases/{id}",
        )
        if read.status != CaseState.PUBLICIZED or read.version != published.version:
            raise JobFailed(f"GET /cases/{{id}} reads {read.status} v{read.version}")
    notices = public_notices_of(base_url, CREDIT_CODE)
    if len(notices) != 1:
        raise JobFailed(f"the public list has {len(notices)} notices of the enterprise, not 1")
    print(f"python client: case {read.id} publicized, notice {notices[0]} in the public list")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except JobFailed as failure:
        print(f"python client main job FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
