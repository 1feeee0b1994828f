"""`GET /` points at the docs, the contract, the API and the probes; no token needed."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI

LINKS = {
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "api": "/api/v1",
    "health": "/healthz",
    "readiness": "/readyz",
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


async def test_root_answers_json_by_default(anonymous: httpx.AsyncClient, app: FastAPI) -> None:
    response = await anonymous.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "accept" in response.headers["vary"].lower()
    body = response.json()
    assert {key: body[key] for key in LINKS} == LINKS
    assert body["title"] == app.title and body["version"] == app.version
    for key, path in LINKS.items():
        if key != "api":  # a prefix, not a resource
            assert (await anonymous.get(path)).status_code == 200, path


async def test_root_answers_html_to_a_browser(anonymous: httpx.AsyncClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = await anonymous.get("/", headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.startswith("<!DOCTYPE html>")
    parser = _Links()
    parser.feed(response.text)
    assert parser.hrefs == list(LINKS.values())


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/*"])
async def test_root_json_for_generic_accepts(anonymous: httpx.AsyncClient, accept: str) -> None:
    response = await anonymous.get("/", headers={"Accept": accept})
    assert response.json()["docs"] == "/docs"


async def test_root_is_not_an_operation_of_the_contract(app: FastAPI) -> None:
    assert "/" not in app.openapi()["paths"]
