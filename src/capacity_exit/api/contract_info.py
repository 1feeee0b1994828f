"""What the OpenAPI document says about itself: its description, contact, license, server
and tags (docs/decisions.md, "A contract that explains itself"). `create_app` hands these
to FastAPI; `core.openapi` writes them into the document."""

from __future__ import annotations

from typing import Any

DESCRIPTION = """\
The REST API of a city's and its counties' system for disclosing and sharing information \
on pushing backward production capacity to exit (四平市推动落后产能退出信息公开共享制度, \
2019 revision). Departments record enterprises, inspections (核查检查) and cases in five \
categories; a case's steps publish the public notices (公示 and 公告), queue pushes to the \
credit platforms and write the audit log. Operation descriptions name the clause of the \
regulation each serves, by its number: 一(一)1 illegal construction or production, \
一(一)2 elimination, 一(一)3 rectification, 一(一)4 forced exit, 一(一)5 compliant \
enterprises, 一(二) pushes to the credit platforms, 一(三) the 10-working-day time limit \
and batches, 一(四) tiered disclosure (the city's review of its counties).

**Access.** Public operations (`security: []`) need no token: the public record of \
notices, the calendar, the token endpoint and its keys, the audit checkpoints and the \
health probes. Every other operation needs `Authorization: Bearer <token>` from \
`POST /api/v1/auth/token`; each description ends with the roles it admits. A department \
acts in its own jurisdictions (a city department also in its counties); an object \
outside them is 404, not 403.

**Conventions.** Errors are RFC 9457 `application/problem+json` with a stable `code`. \
Lists are cursor-paged (`limit`, `cursor`; `next_cursor` is null on the last page). \
Dates are `YYYY-MM-DD` and timestamps RFC 3339; the business day is Asia/Shanghai. \
Changes to a versioned resource send its `ETag` back in `If-Match` (428 without it, 412 \
when stale); creating `POST`s accept `Idempotency-Key`. State changes are actions \
(`POST /api/v1/cases/{case_id}/transitions`), never edits of `status`.
"""

# Paths already carry `/api/v1`: the server is wherever this document was fetched from.
SERVERS = [{"url": "/", "description": "This deployment"}]

# pyproject.toml declares the project proprietary; an SPDX LicenseRef says so without a URL.
LICENSE = {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"}


def contact(url: str | None) -> dict[str, str]:
    """Integrators of a deployment ask its operator, whose page `CAPEXIT_CONTACT_URL`
    names (the committed contract, built without it, names no URL)."""
    found = {"name": "The operator of this deployment"}
    if url:
        found["url"] = url
    return found


# In the order an integrator meets them: sign in, the reference data, the registry, the
# casework and what it publishes and pushes, then the calendar, the audit and the probes.
TAGS: list[dict[str, Any]] = [
    {
        "name": "auth",
        "description": "Access tokens (OAuth 2.0 password and client-credentials grants), "
        "the keys that verify them (JWKS), the caller's identity, and the administrators' "
        "accounts.",
    },
    {
        "name": "reference data",
        "description": "Jurisdictions (GB/T 2260 divisions, retired codes included) and "
        "the departments in them: the same for every caller.",
    },
    {
        "name": "enterprises",
        "description": "The registry of enterprises, by unified social credit code "
        "(统一社会信用代码), in the caller's jurisdictions.",
    },
    {
        "name": "inspections",
        "description": "Inspections (核查检查) of enterprises: what was checked, what failed, "
        "and the day the publicity of their findings is due (一(三)).",
    },
    {
        "name": "reports",
        "description": "The public report platform (举报平台, 一(一)5): anyone reports, without "
        "a token, and follows the report with its receipt (tracking code and secret); the "
        "lead department triages, the handling departments investigate and conclude. A "
        "proof-of-work challenge and per-client rate limits guard it against floods.",
    },
    {
        "name": "cases",
        "description": "Cases in the five categories of 一(一)1-5, their lifecycle steps "
        "(the transition table of `GET /case-lifecycles`), deadlines and history. A step "
        "may publish a notice, queue credit pushes or open a forced exit.",
    },
    {
        "name": "disclosures",
        "description": "The public record of notices (公示, 公告) published by case steps: "
        "list, detail, documents and Atom feed without a token; batches (集中公示), "
        "corrections, withdrawals, the city's reviews and city-level notices (一(四)) for "
        "departments.",
    },
    {
        "name": "credit",
        "description": "Pushes to the credit platforms (全国信用信息共享平台, 信用中国, "
        "信用吉林, 一(二)): the configured targets, every push and its attempts, and the "
        "approvers' pushes, retries and cancellations by hand.",
    },
    {
        "name": "calendar",
        "description": "Working days (工作日) and deadlines counted in them, and the "
        "administrators' load of each year's official schedule: the basis of every legal "
        "time limit (一(三)).",
    },
    {
        "name": "audit",
        "description": "The hash-chained audit log of every change, its verification, and "
        "the signed checkpoints of the chain that anyone may keep and check.",
    },
    {
        "name": "health",
        "description": "Liveness and readiness probes for orchestrators and load balancers.",
    },
]
