from __future__ import annotations

import httpx
import pytest

from capacity_exit.core.compression import merged_vary


@pytest.mark.parametrize(
    ("values", "add", "merged"),
    [
        (["Accept"], "Accept-Encoding", "Accept, Accept-Encoding"),
        (["Accept, Accept-Encoding", "Accept-Encoding"], None, "Accept, Accept-Encoding"),
        (["accept-encoding"], "Accept-Encoding", "accept-encoding"),
        (["Origin", "*"], "Accept-Encoding", "*"),
        ([], "Accept-Encoding", "Accept-Encoding"),
    ],
)
def test_vary_values_come_out_once(values: list[str], add: str | None, merged: str) -> None:
    assert merged_vary(values, add=add) == merged


async def test_a_small_answer_with_an_etag_varies_by_encoding_like_its_304(
    anonymous: httpx.AsyncClient,
) -> None:
    first = await anonymous.get("/api/v1/disclosures", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert "content-encoding" not in first.headers  # too small to compress
    again = await anonymous.get(
        "/api/v1/disclosures",
        headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert first.headers["vary"] == again.headers["vary"]
    assert "accept-encoding" in first.headers["vary"].lower()
