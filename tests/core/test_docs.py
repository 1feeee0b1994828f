from __future__ import annotations

import re

import httpx
import pytest

_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*['"]?([^'")]+)""")
_ABSOLUTE = re.compile(r"""["'(](?:https?:)?//[^"'\s)]+""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_reference_only_the_app_itself(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    assert _ABSOLUTE.findall(html) == [], "the page names another host"
    assets = [a or b for a, b in _URL.findall(html)]
    assert assets, "the page loads its assets from the app"
    for asset in assets:
        assert asset.startswith("/"), asset
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset


async def test_swagger_ui_is_version_5(client: httpx.AsyncClient) -> None:
    bundle = await client.get("/docs-static/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert re.search(r'"5\.\d+\.\d+"', bundle.text)
