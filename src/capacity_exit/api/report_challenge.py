"""HTTP: the proof-of-work challenge a report submission carries (public)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from capacity_exit.auth.dependencies import public
from capacity_exit.core.challenge import new_challenge

public_router = APIRouter(prefix="/report-challenges", tags=["reports"])

_HEX64 = r"^[0-9a-f]{64}$"
_NO_STORE = {
    "Cache-Control": {
        "description": "`no-store`: every challenge is new",
        "schema": {"type": "string"},
    }
}
EXAMPLE: Any = {
    "algorithm": "SHA-256",
    "challenge": "4d3b0b7c8f0e1a5c2d9e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c",
    "maxnumber": 100000,
    "salt": "5f1d8c2a9b3e7f6a4c0d1e2b?expires=1796004600&",
    "signature": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
}


class ReportChallengeOut(BaseModel):
    """An ALTCHA challenge (v1 protocol): find `number` in 0..`maxnumber` with
    SHA-256(`salt` + `number`) = `challenge`, then send back base64 of the JSON
    `{algorithm, challenge, number, salt, signature}` (what the ALTCHA widget does)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    algorithm: Literal["SHA-256"] = Field(description="The hash to brute-force.")
    challenge: Annotated[str, Field(pattern=_HEX64, description="The hash to find, hex.")]
    maxnumber: int = Field(
        ge=1, description="The largest number to try (`CAPEXIT_REPORT_CHALLENGE_MAX_NUMBER`)."
    )
    salt: str = Field(
        max_length=512,
        description="Prefix of what is hashed, verbatim; carries the expiry "
        "(`expires`, Unix seconds) in its query part.",
    )
    signature: Annotated[
        str,
        Field(pattern=_HEX64, description="The server's HMAC-SHA256 of `challenge`, hex."),
    ]


@public_router.get(
    "",
    operation_id="get_report_challenge",
    summary="A proof-of-work challenge to solve before submitting a report (public)",
    description="A fresh ALTCHA challenge (https://altcha.org, protocol v1; no third-party "
    "service): brute-force the `number` whose SHA-256 with the `salt` is `challenge` and "
    "send the solution with the report. A solution is accepted once, until the expiry "
    "the salt carries (`CAPEXIT_REPORT_CHALLENGE_TTL_SECONDS`, 600 s); the cost is "
    "`maxnumber` (`CAPEXIT_REPORT_CHALLENGE_MAX_NUMBER`). Nothing is stored until a "
    "solution is spent. Each answer is new: `Cache-Control: no-store`. Serves 一(一)5: "
    "the report platform open to anyone, guarded against automated floods.",
    response_model=ReportChallengeOut,
    responses={200: {"headers": _NO_STORE}},
    **public(),
)
async def get_report_challenge(request: Request, response: Response) -> ReportChallengeOut:
    response.headers["Cache-Control"] = "no-store"
    return ReportChallengeOut.model_validate(new_challenge(request.app.state.settings))
