"""HTTP: the token endpoint, the JWKS, the caller's identity, and account administration."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.auth import examples, service
from capacity_exit.auth.dependencies import CurrentPrincipal, access, public
from capacity_exit.auth.errors import REALM
from capacity_exit.auth.keys import key_set
from capacity_exit.auth.roles import Role
from capacity_exit.auth.schemas import (
    LOGIN_PATTERN,
    AccountCreate,
    AccountKind,
    AccountList,
    AccountOut,
    AccountWithSecret,
    Jwks,
    Login,
    Me,
    SecretRotation,
    TokenResponse,
)
from capacity_exit.core.db import Session
from capacity_exit.core.etag import IfMatch, Precondition, etag_response, set_etag
from capacity_exit.core.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate, uuid_position
from capacity_exit.core.problems import problem_response, problem_responses
from capacity_exit.core.request_id import current_request_id

public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["auth"])


Secret = Annotated[str, Field(max_length=256, pattern=r"^[^\x00-\x1f\x7f]*$")]
_LOGIN = re.compile(LOGIN_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TokenForm(BaseModel):
    """OAuth 2.0 token request (RFC 6749 4.3 password, 4.4 client credentials)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": examples.TOKEN_FORMS})

    grant_type: Literal["password", "client_credentials"]
    username: Login | None = None
    password: Secret | None = None
    client_id: Login | None = None
    client_secret: Secret | None = None
    scope: str | None = Field(default=None, max_length=200, description="Ignored.")


def _basic(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    if not _LOGIN.match(client_id) or _CONTROL.search(secret) or len(secret) > 256:
        return None
    return client_id, secret


def _credentials(form: TokenForm, authorization: str | None) -> service.Credentials | None:
    if form.grant_type == "password":
        if form.username and form.password:
            return service.Credentials("password", form.username, form.password)
        return None
    basic = _basic(authorization)
    client_id, secret = basic or (form.client_id, form.client_secret)
    if client_id and secret:
        return service.Credentials("client_credentials", client_id, secret)
    return None


def _refusal(
    request: Request, status_code: int, code: str, detail: str, **headers: str
) -> Response:
    return problem_response(
        status=status_code,
        code=code,
        title={401: "Not authenticated", 422: "Invalid request", 429: "Too many requests"}[
            status_code
        ],
        detail=detail,
        instance=request.url.path,
        request_id=current_request_id(),
        headers={"Cache-Control": "no-store", **headers},
        extra={"error": code} if status_code != 429 else None,
    )


@public_router.post(
    "/token",
    operation_id="issue_token",
    summary="Issue an access token (password or client-credentials grant)",
    description="OAuth 2.0 token request: `password` for user accounts, `client_credentials` (in "
    "the form or by HTTP Basic) for service accounts. Any credential problem is 401 "
    "with the OAuth `error` code and a Bearer challenge. Each login name (known or "
    "not) gets `CAPEXIT_LOGIN_MAX_FAILURES` guesses per "
    "`CAPEXIT_LOGIN_WINDOW_SECONDS`: a guess is counted before its secret is checked, "
    "however many arrive at once, and the wrong guess that uses up the allowance, and "
    "every one after it until `CAPEXIT_LOGIN_LOCKOUT_SECONDS` have passed, is 429 "
    "with `Retry-After` (the right secret too, unchecked). A success clears the "
    "count. Checked failures and issued tokens are audited (`auth.login_failed`, "
    "`auth.token_issued`). No clause of the regulation: access to the system.",
    response_model=TokenResponse,
    responses=problem_responses(401, 422, 429),
    **public(),
)
async def issue_token(
    session: Session,
    request: Request,
    response: Response,
    form: Annotated[TokenForm, Form()],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse | Response:
    credentials = _credentials(form, authorization)
    if credentials is None:
        return _refusal(
            request,
            401,
            "invalid_request",
            "Send username and password, or client_id and client_secret.",
            **{"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    try:
        issued = await service.login(session, request.app.state.settings, credentials)
    except service.TooManyAttempts as exc:
        # Returned, not raised: the failure just recorded must be committed.
        return _refusal(
            request,
            429,
            "too_many_attempts",
            "Too many failed attempts; wait and retry.",
            **{"Retry-After": str(exc.retry_after)},
        )
    except service.LoginFailed as exc:
        return _refusal(
            request,
            401,
            exc.oauth_error,
            "The credentials are not valid.",
            **{"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in)


@public_router.get(
    "/jwks.json",
    operation_id="get_jwks",
    summary="Public keys that verify this service's tokens (JWKS)",
    description="The public keys that verify the access tokens this service issues, with their "
    "`kid`: the signing key and those kept from before a rotation "
    "(`CAPEXIT_JWT_PREVIOUS_KEY_FILES`), so tokens issued before it still verify. "
    "Other systems verify our tokens with it. Cached for five minutes; changes "
    "nothing. No clause of the regulation: access to the system.",
    response_model=Jwks,
    **public(),
)
async def get_jwks(request: Request, response: Response) -> Jwks:
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks.model_validate(key_set(request.app.state.settings).jwks())


@router.get(
    "/auth/me",
    operation_id="get_me",
    summary="The caller: department, roles and jurisdiction scope",
    description="Who the token says the caller is: subject, department and its kind, level, "
    "roles, and the jurisdictions it reads and writes in (a city department also "
    "reads its counties). Changes nothing. No clause of the regulation: access to the "
    "system.",
    response_model=Me,
    **access(scope="global"),
)
async def get_me(principal: CurrentPrincipal) -> Me:
    return Me(
        subject=principal.subject,
        department=principal.department_code,
        department_kind=principal.department_kind,
        jurisdiction=principal.jurisdiction_code,
        level=principal.level,
        roles=sorted(principal.roles),
        readable_jurisdictions=sorted(principal.readable),
        writable_jurisdictions=sorted(principal.writable),
    )


@router.post(
    "/accounts",
    operation_id="create_account",
    summary="Create a user or service account (the secret is shown once)",
    description="Creates a user account (password grant; at least 12 characters) or a service "
    "account (client credentials; always a generated secret) for a department in the "
    "administrator's jurisdictions (403 `out_of_scope` otherwise, 409 `login_taken`). "
    "The secret is answered once, with `Cache-Control: no-store`, and stored only as "
    "an argon2id hash. Audited as `account.create`. No clause of the regulation: "
    "access to the system.",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountWithSecret,
    responses={**etag_response(201), **problem_responses(409, 422)},
    **access(Role.admin, creates=True),
)
async def create_account(
    session: Session, principal: CurrentPrincipal, response: Response, body: AccountCreate
) -> AccountWithSecret:
    account, secret = await service.create_account(session, principal, body)
    set_etag(response, account.version)
    response.headers["Cache-Control"] = "no-store"
    return AccountWithSecret(account=AccountOut.model_validate(account), secret=secret)


@router.get(
    "/accounts",
    operation_id="list_accounts",
    summary="List accounts in the caller's jurisdictions",
    description="Accounts of the departments in the administrator's jurisdictions, by department "
    "and kind, disabled ones on request; secrets are never shown. Changes nothing. No "
    "clause of the regulation: access to the system.",
    response_model=AccountList,
    responses=problem_responses(422),
    **access(Role.admin),
)
async def list_accounts(
    session: Session,
    principal: CurrentPrincipal,
    department: Annotated[str | None, Query(pattern=r"^[0-9]{6}-[a-z]{2,16}$")] = None,
    kind: AccountKind | None = None,
    include_disabled: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AccountList:
    filters = {"department": department, "kind": kind, "include_disabled": include_disabled}
    page, next_cursor = await paginate(
        cursor,
        limit,
        filters,
        lambda after, n: service.list_accounts(
            session,
            principal,
            limit=n,
            after=after,
            department=department,
            kind=kind,
            include_disabled=include_disabled,
        ),
        position=uuid_position,
        key=lambda a: str(a.id),
    )
    return AccountList(items=[AccountOut.model_validate(a) for a in page], next_cursor=next_cursor)


@router.get(
    "/accounts/{account_id}",
    operation_id="get_account",
    summary="Get one account",
    description="One account, with its version as `ETag` (the `If-Match` of disabling, enabling "
    "or rotating it). Changes nothing. No clause of the regulation: access to the "
    "system.",
    response_model=AccountOut,
    responses={**etag_response(), **problem_responses(404, 422)},
    **access(Role.admin),
)
async def get_account(
    session: Session, principal: CurrentPrincipal, response: Response, account_id: uuid.UUID
) -> AccountOut:
    account = await service.get_account(session, principal, account_id)
    set_etag(response, account.version)
    return AccountOut.model_validate(account)


_CHANGE_RESPONSES = {**etag_response(), **problem_responses(404, 409, 412, 422, 428)}


def _toggle(disabled: bool) -> None:
    verb = "disable" if disabled else "enable"

    @router.post(
        f"/accounts/{{account_id}}/{verb}",
        operation_id=f"{verb}_account",
        summary=(
            "Disable an account (its tokens stop working at once)"
            if disabled
            else "Enable a disabled account"
        ),
        description=(
            "Disables the account: its tokens are refused from the next request on and it "
            "gets no new ones. An administrator cannot disable their own account (409). "
            "Audited as `account.disable`."
            if disabled
            else "Enables a disabled account: it signs in again. Audited as `account.enable`."
        )
        + " No clause of the regulation: access to the system.",
        response_model=AccountOut,
        responses=_CHANGE_RESPONSES,
        **access(Role.admin),
    )
    async def toggle_account(
        session: Session,
        principal: CurrentPrincipal,
        response: Response,
        account_id: uuid.UUID,
        if_match: IfMatch = None,
    ) -> AccountOut:
        account = await service.set_disabled(
            session, principal, account_id, Precondition(if_match), disabled=disabled
        )
        set_etag(response, account.version)
        return AccountOut.model_validate(account)


_toggle(disabled=True)
_toggle(disabled=False)


@router.post(
    "/accounts/{account_id}/rotate-secret",
    operation_id="rotate_account_secret",
    summary="Replace an account's password or client secret (the new one is shown once)",
    description="Replaces the account's secret: a user's password with the one given (or a "
    "generated one), a service account's client secret with a generated one, answered "
    "once with `Cache-Control: no-store`; the old secret stops working. Audited as "
    "`account.rotate_secret`. No clause of the regulation: access to the system.",
    response_model=AccountWithSecret,
    responses=_CHANGE_RESPONSES,
    **access(Role.admin),
)
async def rotate_account_secret(
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    account_id: uuid.UUID,
    body: SecretRotation,
    if_match: IfMatch = None,
) -> AccountWithSecret:
    account, secret = await service.rotate_secret(
        session, principal, account_id, Precondition(if_match), body.password
    )
    set_etag(response, account.version)
    response.headers["Cache-Control"] = "no-store"
    return AccountWithSecret(account=AccountOut.model_validate(account), secret=secret)
