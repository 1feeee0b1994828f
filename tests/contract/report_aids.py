"""Generation aids for the report platform's public submission: what its form sends,
for rules a JSON schema cannot state.

* the county is a current county of the city (the reference data `seed` loads);
* a disputed notice, when one is named, is a published one: generated ids name none, so
  the member is left out (a report need not dispute anything);
* an anonymous report carries no contact and a named one does (the contract says so in
  `anonymous`'s description; a schema cannot tie a boolean to a null);
* coordinates come in pairs;
* the proof of work is a real solution of a fresh challenge of the server
  (`GET /api/v1/report-challenges`), solved as the ALTCHA widget does.

Only positive cases are adjusted; nothing is checked less.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.fixtures.reports import CHALLENGE_URL, encode, solve

COUNTY = "220322"  # 梨树县, a county of 四平市 in the seeded reference data
CONTACT = {"name": "王某", "phone": "13800000000"}
_TIMEOUT = 10
_ATTEMPTS = 3
_LONGEST_WAIT = 60


def solved_challenge(base_url: str) -> str:
    """A fresh challenge, solved. A throttled server (one started by hand, with its
    per-address limits on) answers 429 with `Retry-After`: the aid waits as a browser's
    widget would, a few times, rather than send a submission without its proof."""
    for _ in range(_ATTEMPTS):
        issued = httpx.get(f"{base_url}{CHALLENGE_URL}", timeout=_TIMEOUT)
        if issued.status_code != 429:
            break
        time.sleep(min(int(issued.headers.get("Retry-After", "1")), _LONGEST_WAIT))
    issued.raise_for_status()
    return encode(solve(issued.json()))


def fit_report_submission(body: dict[str, Any], base_url: str) -> None:
    body["county"] = COUNTY
    body.pop("disputed_notice_id", None)
    if body.get("anonymous", True):
        body.pop("contact", None)
    elif not isinstance(body.get("contact"), dict):
        body["contact"] = dict(CONTACT)
    location = body.get("location")
    if isinstance(location, dict) and (location.get("latitude") is None) != (
        location.get("longitude") is None
    ):
        location["latitude"] = location["longitude"] = None
        if location.get("address") is None:
            location["address"] = "梨树镇工业路9号"
    body["altcha"] = solved_challenge(base_url)
