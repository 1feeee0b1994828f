"""Schemathesis hooks of this API: the one set of generation aids, loaded by
`schemathesis.toml` (`st run` against a live server) and by tests/contract.

They only make generated data realistic, for rules the server holds that a JSON schema
cannot compute (each is also stated in the contract, as a pattern or a description);
no check is relaxed and negative cases are left as generated.

* a bearer token obtained from the server (`POST /api/v1/auth/token`, client
  credentials from `CAPEXIT_FUZZ_CLIENT_ID` / `CAPEXIT_FUZZ_CLIENT_SECRET`), or the one
  the suite set with `use_token`;
* valid credit codes (both check characters) for `format: gb32100-credit-code`;
* a fresh Idempotency-Key per request (generated keys repeat);
* positive cases only:
  * a jurisdiction the caller acts in and a department that exists;
  * a cursor the server issued for the same filters (or none on a single page);
  * the resource's current ETag in If-Match, as a client that read it first;
  * a calendar schedule's dates inside the year it is loaded for;
  * no password when rotating a service account's secret;
  * case requests the case's category and state can take (tests.contract.case_aids);
  * a report submission as the platform's form sends it, its proof of work solved
    (tests.contract.report_aids).
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from capacity_exit.core import clock
from capacity_exit.enterprise.credit_code import CHARSET, complete
from tests.contract import case_aids, report_aids
from tests.fixtures.cases import PAYLOADS, create_body
from tests.fixtures.factories import enterprise_body
from tests.fixtures.inspections import inspection_body

CLIENT_ID = "CAPEXIT_FUZZ_CLIENT_ID"
CLIENT_SECRET = "CAPEXIT_FUZZ_CLIENT_SECRET"
# The environment of a server started for fuzzing (the suite's and `make fuzz-live`'s):
# one client, the fuzzer, makes thousands of requests a minute from one address, so the
# per-address limits are off there (each has its own tests under tests/api); the run
# then exercises the operations behind them instead of their 429.
UNTHROTTLED = {
    "CAPEXIT_PUBLIC_RATE_LIMIT": "0",
    "CAPEXIT_REPORT_SUBMIT_PER_MINUTE": "0",
    "CAPEXIT_REPORT_LOOKUP_PER_MINUTE": "0",
}
# A token is asked for again this long before it expires (its `expires_in`), not sooner:
# the run may rotate the secret of any account it finds, its own too.
MARGIN_SECONDS = 60
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_TIMEOUT = 10

schemathesis.openapi.format(
    "gb32100-credit-code",
    st.builds(
        lambda prefix, division, body: complete(prefix + division + body),
        st.sampled_from(["91", "92", "93", "11", "51", "Y1"]),
        st.sampled_from(["220322", "220381", "440300", "110000"]),
        st.text(alphabet=CHARSET, min_size=8, max_size=8),
    ),
)


class _Caller:
    """The token every call carries and the department it acts for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._preset = False
        self._token: str | None = None
        self._department: str | None = None
        self._expires = 0.0

    def preset(self, token: str, department: str) -> None:
        with self._lock:
            self._preset, self._token, self._department = True, token, department

    def token(self, base_url: str) -> str:
        with self._lock:
            if self._token is None or (not self._preset and time.monotonic() > self._expires):
                self._token, lifetime = _issue_token(base_url)
                self._department = None
                self._expires = time.monotonic() + lifetime - MARGIN_SECONDS
            return self._token

    def headers(self, base_url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(base_url)}"}

    def department(self, base_url: str) -> str:
        headers = self.headers(base_url)
        if self._department is None:
            me = httpx.get(f"{base_url}/api/v1/auth/me", headers=headers, timeout=_TIMEOUT)
            me.raise_for_status()
            self._department = str(me.json()["department"])
        return self._department


CALLER = _Caller()


def use_token(token: str, department: str) -> None:
    """The suite's own token (tests/contract), instead of one from the token endpoint."""
    CALLER.preset(token, department)


def _issue_token(base_url: str) -> tuple[str, int]:
    """A token from the server's token endpoint (client credentials), and its lifetime."""
    client_id, secret = os.environ.get(CLIENT_ID), os.environ.get(CLIENT_SECRET)
    if not client_id or not secret:
        raise RuntimeError(
            f"set {CLIENT_ID} and {CLIENT_SECRET} to a service account's client id and secret "
            "(README, Contract fuzzing)"
        )
    response = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=_TIMEOUT,
    )
    response.raise_for_status()
    body = response.json()
    return str(body["access_token"]), int(body["expires_in"])


def _base(case: Any) -> str:
    return (case.operation.base_url or "").rstrip("/")


@schemathesis.auth()
class ServerToken:
    """A bearer token from the server's own token endpoint (renewed by `_Caller`)."""

    def get(self, case: Any, ctx: Any) -> str:
        return CALLER.token(_base(case))

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if isinstance(case.query, dict):
        # An extra query parameter generated as null or an empty list would be silently
        # left out by the HTTP client; send it as an empty value so it reaches the server.
        for name, value in list(case.query.items()):
            if value is None or value == []:
                case.query[name] = ""
    _no_null_ids_from_links(case)
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and _VALID_KEY.match(key):
        # A client uses a fresh key for each new request; generated keys repeat ("0").
        # Invalid keys (negative cases) are left as they are.
        case.headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4().hex}"
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    _fit_positive_case(case)


def _no_null_ids_from_links(case: Any) -> None:
    """A stateful step that follows an inferred link from a list picks one item's field;
    schemathesis 4.32 picks among all the items' values, nulls included (a report with no
    registered enterprise, a case opened from no report), and sends `/enterprises/None`.
    A client follows the link only from an item that has the id: such a step asks for an
    id that names nothing instead (404, as the contract says), never the word None."""
    for name, value in (case.path_parameters or {}).items():
        if value is None:
            case.path_parameters[name] = str(uuid.uuid4())


def _fit_positive_case(case: Any) -> None:
    base = _base(case)
    auth = CALLER.headers(base)
    caller = CALLER.department(base)
    today = clock.business_today()
    path, method = case.operation.path, case.method.upper()
    if isinstance(case.body, dict):
        if "jurisdiction" in case.body:
            case.body["jurisdiction"] = caller[:6]
        if "department" in case.body:
            case.body["department"] = caller
    if isinstance(case.query, dict):
        _ranges_in_order(case.query)
        if "cursor" in case.query:
            _use_an_issued_cursor(case, base, auth)
    if path.startswith("/api/v1/cases/{case_id}") and method != "GET":
        case_aids.complete_case_request(case, base, auth, caller, today)
    elif isinstance(case.body, dict):
        if path == "/api/v1/cases" and method == "POST":
            case_aids.cite_a_real_inspection(case.body, base, auth)
        case_aids.fit_dates_and_departments(case.body, caller, today)
    if path == "/api/v1/reports" and method == "POST" and isinstance(case.body, dict):
        report_aids.fit_report_submission(case.body, base)
    if path == "/api/v1/calendar/years/{year}" and isinstance(case.body, dict):
        _fit_schedule_to_year(case.body, int(case.path_parameters["year"]))
    if path == "/api/v1/accounts/{account_id}/rotate-secret" and isinstance(case.body, dict):
        _no_password_for_a_service(case, base, auth)
    if path == "/api/v1/credit-pushes" and isinstance(case.body, dict):
        _configured_targets(case.body, base, auth)
    if path == "/api/v1/disclosure-batches" and isinstance(case.body, dict):
        _a_complete_draft_in_the_batch(case.body, base, auth, caller, today)
    declared = case.operation.definition.raw.get("parameters", [])
    if any(p.get("name") == "If-Match" for p in declared):
        etag = _current_etag(case, base, auth)
        if etag is not None:
            case.headers = {**(case.headers or {}), "If-Match": etag}


def _ranges_in_order(query: dict[str, Any]) -> None:
    """A range a client asks for starts before it ends (`x_from` ≤ `x_to`; the server
    answers 422 otherwise, as the operations' descriptions say): generated bounds are
    swapped when they come the wrong way round."""
    for low in [name for name in query if name.endswith("_from")]:
        high = f"{low.removesuffix('_from')}_to"
        first, last = query.get(low), query.get(high)
        if isinstance(first, str) and isinstance(last, str) and last < first:
            query[low], query[high] = last, first


def _use_an_issued_cursor(case: Any, base: str, auth: dict[str, str]) -> None:
    """A cursor is the server's: the next page's of the same filters, as a client paging
    through would hold (none when the list fits one page)."""
    query = {k: v for k, v in case.query.items() if k not in ("cursor", "limit")}
    first = httpx.get(
        f"{base}{case.formatted_path}", params={**query, "limit": 1}, headers=auth, timeout=_TIMEOUT
    )
    issued = first.json().get("next_cursor") if first.status_code == 200 else None
    if isinstance(issued, str):
        case.query["cursor"] = issued
    else:
        del case.query["cursor"]


def _fit_schedule_to_year(body: dict[str, Any], year: int) -> None:
    """A schedule's dates must lie in its year, adjusted working days on weekends, and no
    date twice: rules across fields that a JSON schema cannot state."""

    def moved(text: str, weekend: bool) -> str:
        day = date.fromisoformat(text)
        day = date(year, day.month, min(day.day, 28))
        step = timedelta(days=1 if day.month < 12 else -1)  # stay inside the year
        while weekend and day.weekday() < 5:
            day += step
        return day.isoformat()

    seen: set[str] = set()
    for field, weekend in (("adjusted_workdays", True), ("holidays", False)):
        kept = []
        for entry in body.get(field) or []:
            if isinstance(entry, dict) and isinstance(entry.get("date"), str):
                entry["date"] = moved(entry["date"], weekend)
                if entry["date"] in seen:
                    continue
                seen.add(entry["date"])
            kept.append(entry)
        if field in body:
            body[field] = kept


def _no_password_for_a_service(case: Any, base: str, auth: dict[str, str]) -> None:
    """A service account gets a generated secret: a client that read it sends none."""
    account = httpx.get(
        f"{base}{case.formatted_path.rsplit('/', 1)[0]}", headers=auth, timeout=_TIMEOUT
    )
    if account.status_code == 200 and account.json().get("kind") == "service":
        case.body.pop("password", None)


def _configured_targets(body: dict[str, Any], base: str, auth: dict[str, str]) -> None:
    """Targets are the deployment's: those `GET /credit-targets` lists."""
    if not isinstance(body.get("targets"), list):
        return
    listed = httpx.get(f"{base}/api/v1/credit-targets", headers=auth, timeout=_TIMEOUT)
    codes = [t["code"] for t in listed.json().get("items", [])] if listed.is_success else []
    if codes:
        body["targets"] = sorted({codes[i % len(codes)] for i in range(len(body["targets"]))})


def _fresh_credit_code() -> str:
    """One no enterprise holds yet (generated codes come from a small space). From
    `secrets`: Hypothesis seeds `random` the same for every example."""
    return complete("91220300" + "".join(secrets.choice(CHARSET) for _ in range(8)))


def _a_complete_draft_in_the_batch(
    body: dict[str, Any], base: str, auth: dict[str, str], department: str, today: date
) -> None:
    """A batch publishes drafts of its category, complete, that the caller opened: the
    caller opens one (an enterprise, its inspection, the case), as its users would have
    before choosing it. Forced exits are opened by escalation only (a proposed one is
    taken when there is one), and a category the caller's department does not open
    (403) has no such drafts: such a batch is one of eliminations, which the city's
    lead department opens."""
    category = body.get("category")
    if category not in PAYLOADS:
        proposed = httpx.get(
            f"{base}/api/v1/cases",
            params={"category": category, "status": "proposed", "limit": 1},
            headers=auth,
            timeout=_TIMEOUT,
        )
        found = proposed.json().get("items") if proposed.status_code == 200 else None
        if found:
            body["cases"] = [{"case_id": found[0]["id"], "version": found[0]["version"]}]
            return
    for candidate in (category, "elimination"):
        if candidate in PAYLOADS and (
            opened := _open_case(candidate, base, auth, department, today)
        ):
            body["category"] = candidate
            body["cases"] = [{"case_id": opened["id"], "version": opened["version"]}]
            return


def _open_case(
    category: str, base: str, auth: dict[str, str], department: str, today: date
) -> dict[str, Any] | None:
    """A new case of `category` with complete content, or None when the caller may not."""
    enterprise = httpx.post(
        f"{base}/api/v1/enterprises",
        json=enterprise_body(jurisdiction=department[:6], credit_code=_fresh_credit_code()),
        headers=auth,
        timeout=_TIMEOUT,
    )
    if enterprise.status_code != 201:
        return None
    inspection = httpx.post(
        f"{base}/api/v1/inspections",
        json=inspection_body(enterprise.json()["id"], completed_on=today.isoformat()),
        headers=auth,
        timeout=_TIMEOUT,
    )
    if inspection.status_code != 201:
        return None
    case_body = create_body(category, enterprise.json()["id"], inspection.json()["id"])
    case_aids.fit_dates_and_departments(case_body, department, today)
    for item in case_body["payload"].get("confirmations") or []:
        item["confirmed_on"] = today.isoformat()  # not before the inspection
    opened = httpx.post(f"{base}/api/v1/cases", json=case_body, headers=auth, timeout=_TIMEOUT)
    return dict(opened.json()) if opened.status_code == 201 else None


def _current_etag(case: Any, base: str, auth: dict[str, str]) -> str | None:
    """The resource's current ETag, as a client would have it from reading it first."""
    path = case.formatted_path
    for candidate in (path, path.rsplit("/", 1)[0]):
        response = httpx.get(f"{base}{candidate}", headers=auth, timeout=_TIMEOUT)
        if response.status_code == 200 and "etag" in response.headers:
            return str(response.headers["etag"])
    return None
