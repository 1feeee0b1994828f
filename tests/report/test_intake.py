"""The report platform's intake through HTTP: the proof of work, the per-client limits,
evidence files from the reporter to the handler (GPS gone), replays."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import text

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.main import create_app
from tests.conftest import ClientAs
from tests.fixtures.reports import (
    GPS_IFD,
    MAKE,
    add_evidence,
    jpeg_with_gps,
    solved,
    submit_report,
    tiny_png,
)
from tests.report.test_router import report_id_of, submission

pytestmark = pytest.mark.seed("一(一)5")

LEAD = "220322-miit"


async def receipt_of(client: httpx.AsyncClient, **headers: str) -> dict[str, Any]:
    answer = await submit_report(client, submission(), headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


# --- the proof of work -----------------------------------------------------------------


async def test_a_submission_without_a_solved_challenge_is_refused(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    missing = await anonymous.post("/api/v1/reports", json=submission())
    assert missing.status_code == 422
    assert [(e["pointer"], e["code"]) for e in missing.json()["errors"]] == [("/altcha", "missing")]
    forged = await submit_report(anonymous, submission(), altcha="bm90IGEgc29sdXRpb24=")
    assert (forged.status_code, forged.json()["code"]) == (422, "challenge_invalid")
    async with app.state.database.sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM reports")) == 0


async def test_a_solution_is_spent_once_unless_the_submission_is_refused(
    anonymous: httpx.AsyncClient,
) -> None:
    altcha = await solved(anonymous)
    refused = await submit_report(anonymous, submission(county="220300"), altcha=altcha)
    assert (refused.status_code, refused.json()["code"]) == (422, "county_unknown")
    # The refusal rolled the spend back: the same solution still submits, once.
    first = await submit_report(anonymous, submission(), altcha=altcha)
    assert first.status_code == 201, first.text
    again = await submit_report(anonymous, submission(), altcha=altcha)
    assert (again.status_code, again.json()["code"]) == (409, "challenge_spent")


async def test_a_replay_answers_the_receipt_again_without_a_new_proof_of_work(
    anonymous: httpx.AsyncClient, app: FastAPI
) -> None:
    key = {"Idempotency-Key": "b4c1e0d2-7f3a-4e55-9d10-3c2b1a0f9e8d"}
    altcha = await solved(anonymous)
    first = await submit_report(anonymous, submission(), key, altcha=altcha)
    spent_again = await submit_report(anonymous, submission(), key, altcha=altcha)
    fresh = await submit_report(anonymous, submission(), key)
    assert first.status_code == spent_again.status_code == fresh.status_code == 201
    assert spent_again.json() == fresh.json() == first.json()
    receipt = first.json()
    photo = [("p.jpg", jpeg_with_gps(), "image/jpeg")]
    assert (await add_evidence(anonymous, receipt, photo)).status_code == 200
    retried = await add_evidence(anonymous, receipt, photo)  # the upload retried
    assert retried.status_code == 200
    assert len(retried.json()["evidence"]) == 1
    async with app.state.database.sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM reports")) == 1
        assert await session.scalar(text("SELECT count(*) FROM report_evidence")) == 1


# --- the per-client limits -------------------------------------------------------------


@pytest.fixture
async def limited_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One client of an app with the report limits at their defaults (5 and 20), their
    clocks stopped (a minute does not pass while argon2 verifies)."""
    app = create_app(
        settings.model_copy(update={"report_submit_per_minute": 5, "report_lookup_per_minute": 20})
    )
    for limiter in app.state.rate_limiters.values():
        limiter.clock = lambda: 1000.0
    transport = httpx.ASGITransport(app=app, client=("203.0.113.40", 41000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await app.state.database.dispose()


async def test_the_sixth_submission_in_a_minute_from_one_client_is_429(
    limited_client: httpx.AsyncClient,
) -> None:
    statuses = [(await submit_report(limited_client, submission())).status_code for _ in range(5)]
    assert statuses == [201] * 5
    sixth = await submit_report(limited_client, submission())
    assert (sixth.status_code, sixth.json()["code"]) == (429, "rate_limited")
    assert sixth.headers["retry-after"] == "12"  # five a minute: one every 12 s


async def test_receipt_uses_share_one_limit(limited_client: httpx.AsyncClient) -> None:
    receipt = dict((await submit_report(limited_client, submission())).json())
    lookup = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"] + "x"}
    for _ in range(19):
        assert (
            await limited_client.post("/api/v1/report-receipts", json=lookup)
        ).status_code == 404
    files = [("p.png", tiny_png(), "image/png")]
    assert (await add_evidence(limited_client, receipt, files)).status_code == 200  # the 20th
    refused = await limited_client.post("/api/v1/report-receipts", json=lookup)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "3"


# --- evidence files --------------------------------------------------------------------


async def test_a_photos_gps_is_gone_when_the_handler_downloads_it(
    anonymous: httpx.AsyncClient, client_as: ClientAs, app: FastAPI
) -> None:
    receipt = await receipt_of(anonymous)
    photo = jpeg_with_gps("MARKER-PHONE-9c2e")
    added = await add_evidence(anonymous, receipt, [("IMG_2041.jpg", photo, "image/jpeg")])
    assert added.status_code == 200, added.text
    [listed] = added.json()["evidence"]
    assert listed["content_type"] == "image/jpeg" and "digest" not in listed
    assert [e["kind"] for e in added.json()["history"]] == ["received", "evidence"]

    lead = client_as(LEAD, Role.viewer)
    report_id = await report_id_of(lead, receipt["tracking_code"])
    report = (await lead.get(f"/api/v1/reports/{report_id}")).json()
    assert [e["id"] for e in report["evidence"]] == [listed["id"]]
    download = await lead.get(f"/api/v1/reports/{report_id}/evidence/{listed['id']}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "no-store"
    picture = Image.open(io.BytesIO(download.content))
    assert picture.size == (64, 48)
    assert dict(picture.getexif()) == {} and dict(picture.getexif().get_ifd(GPS_IFD)) == {}
    assert b"MARKER-PHONE-9c2e" not in download.content
    assert Image.open(io.BytesIO(photo)).getexif()[MAKE] == "MARKER-PHONE-9c2e"  # it had EXIF
    async with app.state.database.sessionmaker() as session:
        reads = (
            await session.execute(
                text("SELECT after_state FROM audit_events WHERE action = 'report.evidence_read'")
            )
        ).all()
    assert len(reads) == 1 and LEAD in repr(reads)


async def test_another_countys_viewer_cannot_download(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    receipt = await receipt_of(anonymous)
    added = await add_evidence(anonymous, receipt, [("a.png", tiny_png(), "image/png")])
    [evidence] = added.json()["evidence"]
    report_id = await report_id_of(client_as(LEAD, Role.viewer), receipt["tracking_code"])
    url = f"/api/v1/reports/{report_id}/evidence/{evidence['id']}"
    elsewhere = await client_as("220323-miit", Role.viewer).get(url)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "report_not_found")
    same_county = await client_as("220322-tax", Role.viewer).get(url)
    assert same_county.status_code == 200
    unknown = await client_as(LEAD, Role.viewer).get(
        f"/api/v1/reports/{report_id}/evidence/{report_id}"
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "evidence_not_found")


async def test_an_html_page_named_jpg_is_415(anonymous: httpx.AsyncClient) -> None:
    receipt = await receipt_of(anonymous)
    page = b"<!doctype html><script>alert(1)</script>"
    refused = await add_evidence(anonymous, receipt, [("photo.jpg", page, "image/jpeg")])
    assert (refused.status_code, refused.json()["code"]) == (415, "unsupported_file_type")


async def test_the_upload_takes_only_multipart(anonymous: httpx.AsyncClient) -> None:
    receipt = await receipt_of(anonymous)
    as_json = await anonymous.post("/api/v1/report-receipts/evidence", json=receipt)
    assert as_json.status_code == 415
    assert as_json.json()["accepted_media_types"] == ["multipart/form-data"]


async def test_too_many_files_is_413(anonymous: httpx.AsyncClient, settings: Settings) -> None:
    receipt = await receipt_of(anonymous)
    many = [(f"{n}.png", tiny_png(), "image/png") for n in range(settings.evidence_max_files + 1)]
    refused = await add_evidence(anonymous, receipt, many)
    assert (refused.status_code, refused.json()["code"]) == (413, "too_many_files")


async def test_a_decided_report_takes_no_more_files(
    anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    receipt = await receipt_of(anonymous)
    lead = client_as(LEAD, Role.approver)
    report_id = await report_id_of(lead, receipt["tracking_code"])
    etag = (await lead.get(f"/api/v1/reports/{report_id}")).headers["ETag"]
    rejected = await lead.post(
        f"/api/v1/reports/{report_id}/transitions",
        json={"action": "reject", "rejection_reason": "out_of_scope", "public_text": "不属于。"},
        headers={"If-Match": etag},
    )
    assert rejected.status_code == 200, rejected.text
    late = await add_evidence(anonymous, receipt, [("a.png", tiny_png(), "image/png")])
    assert (late.status_code, late.json()["code"]) == (409, "report_decided")


@pytest.fixture
async def small_files(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    """An app whose files are at most 2 KiB, two to a request (a 4 KiB + 64 KiB body)."""
    small = settings.model_copy(update={"evidence_max_file_bytes": 2048, "evidence_max_files": 2})
    app = create_app(small)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http, small
    finally:
        await app.state.database.dispose()


def _noisy_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("L", (side, side), bytes(range(256)) * (side * side // 256 + 1)).save(
        out, "PNG", compress_level=0
    )
    return out.getvalue()


async def test_a_file_over_the_limit_and_a_body_over_the_routes_are_413(
    small_files: tuple[httpx.AsyncClient, Settings],
) -> None:
    http, small = small_files
    receipt = await receipt_of(http)
    big = _noisy_png(64)
    assert len(big) > 2048
    refused = await add_evidence(http, receipt, [("big.png", big, "image/png")])
    assert (refused.status_code, refused.json()["code"]) == (413, "file_too_large")
    huge = b"\x89PNG" + b"0" * (small.evidence_upload_max_bytes + 1)
    body = await add_evidence(http, receipt, [("huge.png", huge, "image/png")])
    assert (body.status_code, body.json()["code"]) == (413, "payload_too_large")
    # 2 x 2 KiB + 64 KiB is under the 1 MiB of every other route: that limit is kept.
    assert small.evidence_upload_max_bytes == small.max_body_bytes


async def test_the_evidence_route_takes_bodies_over_the_json_routes_limit(
    anonymous: httpx.AsyncClient, settings: Settings
) -> None:
    receipt = await receipt_of(anonymous)
    photo = _noisy_png(1100)
    assert settings.max_body_bytes < len(photo) < settings.evidence_max_file_bytes
    added = await add_evidence(anonymous, receipt, [("scan.png", photo, "image/png")])
    assert added.status_code == 200, added.text
    as_json = await anonymous.post(
        "/api/v1/report-receipts", json={**receipt, "padding": "x" * len(photo)}
    )
    assert (as_json.status_code, as_json.json()["code"]) == (413, "payload_too_large")
