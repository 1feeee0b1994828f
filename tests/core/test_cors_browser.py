"""CORS in a real browser (issue 16, item 5): headless Chromium on another loopback origin.

A page served from one port calls the live server on another, as a frontend on
`localhost:5173` would: it reads the public disclosure list, then with a token creates
an enterprise, reading status codes and exposed headers from script. A page from an
origin the settings do not name gets nothing: its fetches fail, and the create, whose
preflight is refused, never reaches the server. Runs on both stores (the live server
serves the suite's database).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from capacity_exit.auth import tokens
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings
from tests.fixtures.browser import RESULT_ID, chromium, page_server, run_page
from tests.fixtures.factories import enterprise_body
from tests.fixtures.live_server import live_server

DEPARTMENT = "220322-ecoenv"
_SCRIPT = """
const config = JSON.parse(document.getElementById("config").textContent);
const found = {origin: location.origin};
async function attempt(name, call) {
  try { found[name] = await call(); } catch (error) { found[name] = {error: String(error)}; }
}
(async () => {
  await attempt("list", async () => {
    const answer = await fetch(config.api + "/api/v1/disclosures");
    const body = await answer.json();
    return {status: answer.status, items: body.items.length,
            request_id: answer.headers.get("X-Request-ID")};
  });
  await attempt("anonymous", async () => {
    const answer = await fetch(config.api + "/api/v1/enterprises");
    const body = await answer.json();
    return {status: answer.status, code: body.code,
            challenge: answer.headers.get("WWW-Authenticate")};
  });
  const write = {
    method: "POST",
    headers: {"Authorization": "Bearer " + config.token, "Content-Type": "application/json",
              "Idempotency-Key": config.key},
    body: JSON.stringify(config.body),
  };
  await attempt("create", async () => {
    const answer = await fetch(config.api + "/api/v1/enterprises", write);
    const body = await answer.json();
    return {status: answer.status, id: body.id, etag: answer.headers.get("ETag"),
            location: answer.headers.get("Location"),
            request_id: answer.headers.get("X-Request-ID")};
  });
  await attempt("duplicate", async () => {
    const answer = await fetch(config.api + "/api/v1/enterprises",
                               {...write, headers: {...write.headers, "Idempotency-Key": "other"}});
    const body = await answer.json();
    return {status: answer.status, code: body.code};
  });
  document.getElementById("%(result)s").textContent = JSON.stringify(found);
})();
"""


def _page(config: dict[str, Any]) -> str:
    data = json.dumps(config).replace("<", "\\u003c")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>CORS</title></head><body>"
        f'<pre id="{RESULT_ID}">pending</pre>'
        f'<script type="application/json" id="config">{data}</script>'
        f"<script>{_SCRIPT % {'result': RESULT_ID}}</script></body></html>"
    )


def _token(var_dir: Path) -> str:
    """Signed with the development key the live server then finds in the same var dir."""
    settings = Settings(env=Environment.test, var_dir=var_dir)
    token, _ = tokens.issue(
        settings,
        subject=f"test:{DEPARTMENT}",
        department=DEPARTMENT,
        roles=[Role.officer],
        kind="test",
    )
    return token


def test_a_page_on_an_allowed_origin_reads_the_list_and_creates_an_enterprise(
    database_url: str, tmp_path: Path
) -> None:
    chromium()  # fails at once, not after the servers have started, when it is missing
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    token = _token(var_dir)
    allowed_body, stranger_body = enterprise_body(), enterprise_body()
    with page_server() as allowed, page_server() as stranger:
        env = {"CAPEXIT_CORS_ORIGINS": allowed.origin}
        with live_server(database_url, var_dir, **env) as api:
            allowed.html = _page({"api": api, "token": token, "key": "a", "body": allowed_body})
            stranger.html = _page({"api": api, "token": token, "key": "s", "body": stranger_body})
            seen = run_page(allowed.origin, tmp_path / "profile-allowed")
            refused = run_page(stranger.origin, tmp_path / "profile-stranger")
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}) as http:
                registered = http.get(
                    "/api/v1/enterprises", params={"credit_code": stranger_body["credit_code"]}
                ).json()

    assert seen["origin"] == allowed.origin != api
    assert seen["list"]["status"] == 200
    assert seen["list"]["items"] == 0
    assert seen["list"]["request_id"]  # an exposed header
    # A refusal is readable, with its challenge.
    assert seen["anonymous"]["status"] == 401
    assert seen["anonymous"]["code"] == "missing_token"
    assert seen["anonymous"]["challenge"].startswith("Bearer")
    create = seen["create"]
    assert create["status"] == 201, create
    assert create["etag"] == '"1"'
    assert create["location"].endswith(f"/api/v1/enterprises/{create['id']}")
    assert create["request_id"]
    assert seen["duplicate"] == {"status": 409, "code": "credit_code_taken"}

    # An origin the settings do not name: the browser withholds every answer, and sends
    # no write at all (its preflight is refused).
    assert refused["origin"] == stranger.origin
    for name in ("list", "anonymous", "create", "duplicate"):
        assert refused[name] == {"error": "TypeError: Failed to fetch"}, (name, refused)
    assert registered["items"] == []
