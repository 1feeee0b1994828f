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


# What makes a browser fetch a URL from a script or a stylesheet: an element's `src`
# (`src:"…"` as React writes it), a CSS `url(…)` or `@import`. Links (`href`) are only
# followed when clicked; other absolute URLs in the bundles are identifiers (JSON
# Schema `$id`s, XML namespaces, JavaScript's `new URL("https://" + …)`) and never fetched.
_LOADS_FROM_ELSEWHERE = re.compile(
    r"""(?:\bsrc(?:set)?\s*[:=]\s*["']|url\(\s*["']?|@import\s+["']?)(?:https?:)?//"""
)
_SCRIPTS_AND_STYLES = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+\.(?:js|css))["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_scripts_and_styles_load_nothing_from_another_host(
    anonymous: httpx.AsyncClient, page: str
) -> None:
    """Not only the page: the JS and CSS it loads ask no other host for anything
    (ReDoc's bundle drew its footer logo from cdn.redoc.ly)."""
    html = (await anonymous.get(page)).text
    assets = _SCRIPTS_AND_STYLES.findall(html)
    assert assets, page
    for asset in assets:
        response = await anonymous.get(asset)
        assert response.status_code == 200, asset
        assert _LOADS_FROM_ELSEWHERE.findall(response.text) == [], asset
        assert "cdn." not in response.text, asset


async def test_swagger_ui_asks_no_online_validator(anonymous: httpx.AsyncClient) -> None:
    """Swagger UI's badge is an image from validator.swagger.io for any spec not on
    localhost; the page turns it off."""
    html = (await anonymous.get("/docs")).text
    assert '"validatorUrl": null' in html


async def test_the_local_redoc_bundle_revalidates(anonymous: httpx.AsyncClient) -> None:
    url = "/docs-static/redoc.standalone.js"
    first = await anonymous.get(url)
    assert first.headers["content-type"].startswith("text/javascript")
    again = await anonymous.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
