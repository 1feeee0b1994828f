"""Swagger UI 5 and ReDoc served from the app's own static files: no CDN, no web fonts.

Neither page asks another host for anything: Swagger UI's validator badge (an image
from validator.swagger.io, shown for any spec not on localhost) is turned off, and
ReDoc's bundle, which draws its footer logo from cdn.redoc.ly, is served with that
image replaced by an inline one (`_local_redoc`).

Each page carries its own Content-Security-Policy (issue 14, item 8): scripts, styles,
images and requests from this origin only, plus the page's own inline script by its
hash, so that nothing injected into a page runs. Styles may be inline (ReDoc writes its
styles into `<style>` elements at run time); images may be `data:` URIs (Swagger UI's
icons), and ReDoc's search runs in a worker built from a `blob:`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

from capacity_exit.core.etag import content_etag, not_modified

STATIC_URL = "/docs-static"
_ASSETS = Path(fastapi_offline.__file__).parent / "static"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
REDOC_JS = "redoc.standalone.js"
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# A plain mark in its place (img-src allows data:), so the footer keeps its shape.
_LOCAL_LOGO = (
    b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    b"%3Crect width='16' height='16' rx='3' fill='%23888'/%3E%3C/svg%3E"
)


def content_security_policy(page: bytes) -> str:
    """The policy of a docs page: its inline scripts allowed by hash, nothing foreign."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ).replace("'self' ;", "'self';")


def _fixed(page: HTMLResponse) -> Callable[[], HTMLResponse]:
    """The page, rendered once (it never changes), answered with its own policy."""
    body = bytes(page.body)
    headers = {"Content-Security-Policy": content_security_policy(body)}
    return lambda: HTMLResponse(body, headers=headers)


def _local_redoc() -> bytes:
    """ReDoc's bundle without its one request to another host (its footer logo)."""
    bundle = (_ASSETS / REDOC_JS).read_bytes()
    return bundle.replace(_REDOC_LOGO, _LOCAL_LOGO)


def install_docs(app: FastAPI) -> None:
    redoc_js = _local_redoc()
    # Revalidated as the mounted files are (StaticFiles answers 304 to their ETag).
    redoc_etag = content_etag(redoc_js)

    # Before the mount, so that this copy of the bundle is the one served.
    @app.get(f"{STATIC_URL}/{REDOC_JS}", include_in_schema=False)
    async def redoc_bundle(request: Request) -> Response:
        headers = {"ETag": redoc_etag}
        if not_modified(request.headers.get("if-none-match"), redoc_etag):
            return Response(status_code=304, headers=headers)
        return Response(redoc_js, media_type="text/javascript; charset=utf-8", headers=headers)

    app.mount(STATIC_URL, StaticFiles(directory=_ASSETS), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = "/docs/oauth2-redirect"
    swagger_page = _fixed(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — Swagger UI",
            oauth2_redirect_url=oauth2_redirect,
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
    )
    redirect_page = _fixed(get_swagger_ui_oauth2_redirect_html())
    redoc_page = _fixed(
        get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{STATIC_URL}/{REDOC_JS}",
            redoc_favicon_url=f"{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return swagger_page()

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return redirect_page()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page()
