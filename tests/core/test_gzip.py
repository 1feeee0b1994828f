"""Large answers are gzipped for clients that accept it; ETags stay strong, with Vary."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from starlette.responses import StreamingResponse

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.main import GZIP_MINIMUM_BYTES, create_app
from tests.conftest import ClientAs
from tests.fixtures.cases import create_body, enterprise_and_inspection

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
BASELINE = {"x-content-type-options", "content-security-policy", "x-frame-options"}


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


async def _raw(
    client: httpx.AsyncClient, path: str, **headers: str
) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent, before httpx decodes it."""
    async with client.stream("GET", path, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


async def test_the_contract_is_gzipped(anonymous: httpx.AsyncClient) -> None:
    compressed, raw = await _raw(anonymous, "/openapi.json", **GZIP)
    assert compressed.status_code == 200
    assert compressed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in _vary(compressed)
    assert int(compressed.headers["content-length"]) == len(raw)
    identity, plain = await _raw(anonymous, "/openapi.json", **IDENTITY)
    assert "content-encoding" not in identity.headers
    assert "accept-encoding" in _vary(identity)  # a cache keeps the two apart
    assert gzip.decompress(raw) == plain
    assert len(raw) * 4 < len(plain), (len(raw), len(plain))
    assert json.loads(plain)["openapi"].startswith("3.")
    # The browser headers and the request id are on the compressed answer too.
    assert set(compressed.headers) >= BASELINE
    assert compressed.headers["x-request-id"]


async def test_small_answers_are_sent_as_they_are(anonymous: httpx.AsyncClient) -> None:
    response, raw = await _raw(anonymous, "/healthz", **GZIP)
    assert len(raw) < GZIP_MINIMUM_BYTES
    assert "content-encoding" not in response.headers
    assert json.loads(raw) == {"status": "ok"}


async def test_lists_and_docs_assets_are_gzipped(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/jurisdictions", "/docs-static/redoc.standalone.js"):
        response, raw = await _raw(client, path, **GZIP)
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
        assert len(gzip.decompress(raw)) >= GZIP_MINIMUM_BYTES
    listed, _ = await _raw(client, "/api/v1/jurisdictions", **GZIP)
    assert listed.headers["cache-control"] == "no-store"  # an authenticated answer


async def test_a_compressed_resource_keeps_its_strong_etag_for_if_match(
    client_as: ClientAs,
) -> None:
    """The ETag is the resource's version, compared strongly by If-Match: a compressed
    read gives the same tag as an identity one (its answer says Vary: Accept-Encoding),
    and that tag is what a write is conditioned on."""
    officer = client_as("220322-ecoenv", Role.officer)
    enterprise_id, inspection_id = await enterprise_and_inspection(officer)
    created = await officer.post(
        "/api/v1/cases", json=create_body("illegal", enterprise_id, inspection_id)
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/cases/{created.json()['id']}"
    compressed, _ = await _raw(officer, url, **GZIP)
    identity, plain = await _raw(officer, url, **IDENTITY)
    assert len(plain) >= GZIP_MINIMUM_BYTES, "a case answer is large enough to compress"
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["etag"] == identity.headers["etag"] == '"1"'
    assert not compressed.headers["etag"].startswith("W/")
    assert "accept-encoding" in _vary(compressed) and "accept-encoding" in _vary(identity)
    edited = await officer.patch(
        url,
        json={"category": "illegal", "handling_basis": "《环境影响评价法》第三十二条"},
        headers={"If-Match": compressed.headers["etag"], **GZIP},
    )
    assert edited.status_code == 200, edited.text


async def test_a_replayed_create_is_the_first_answer_under_any_encoding(
    client_as: ClientAs,
) -> None:
    """The idempotency recorder sits inside gzip: it stores the identity body, which
    each replay is then compressed from (or not) for its own client."""
    officer = client_as("220322-ecoenv", Role.officer)
    enterprise_id, inspection_id = await enterprise_and_inspection(officer)
    body = create_body("illegal", enterprise_id, inspection_id)
    key = {"Idempotency-Key": "gzip-replay-1"}
    first = await officer.post("/api/v1/cases", json=body, headers={**key, **GZIP})
    assert first.status_code == 201, first.text
    assert first.headers["content-encoding"] == "gzip"
    for encoding in (GZIP, IDENTITY):
        replay = await officer.post("/api/v1/cases", json=body, headers={**key, **encoding})
        assert replay.status_code == 201
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.content == first.content  # as decoded by httpx
        assert replay.headers["etag"] == first.headers["etag"]


async def test_the_body_limit_still_applies(client: httpx.AsyncClient) -> None:
    big = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    response = await client.post(
        "/api/v1/enterprises",
        content=big,
        headers={"content-type": "application/json", **GZIP},
    )
    assert response.status_code == 413


async def test_a_streamed_answer_is_compressed_chunk_by_chunk(settings: Settings) -> None:
    """No route streams today; one that does keeps working: each chunk is flushed
    compressed, without a Content-Length, and HEAD still sends nothing."""
    application: FastAPI = create_app(settings)
    chunks = [json.dumps({"part": i, "text": "x" * 2000}).encode() + b"\n" for i in range(3)]

    async def parts() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def streamed() -> StreamingResponse:
        return StreamingResponse(parts(), media_type="application/x-ndjson")

    application.add_api_route("/_test/stream", streamed, include_in_schema=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://testserver"
        ) as client:
            response, raw = await _raw(client, "/_test/stream", **GZIP)
            assert response.headers["content-encoding"] == "gzip"
            assert "content-length" not in response.headers
            assert gzip.decompress(raw) == b"".join(chunks)
            head = await client.head("/_test/stream", headers=GZIP)
            assert head.status_code == 200 and head.content == b""
            assert head.headers["content-encoding"] == "gzip"
    finally:
        await application.state.database.dispose()
