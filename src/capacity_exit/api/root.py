"""`GET /`: where to go from here (the docs, the contract, the API, the probes).

Public, no token, and not an operation of the contract (like `/docs`): it is a signpost
for people and crawlers, not something a client builds on. JSON by default; HTML for a
browser (`Accept: text/html`). The links are paths on this origin, never built from the
request's `Host`.
"""

from __future__ import annotations

import html
import json

from fastapi import APIRouter, Header, Request, Response

from capacity_exit.api.negotiation import negotiated_response

_LABELS = {
    "docs": "API documentation (Swagger UI)",
    "redoc": "API documentation (ReDoc)",
    "openapi": "OpenAPI contract",
    "api": "API base path",
    "health": "Liveness probe",
    "readiness": "Readiness probe",
}


def _as_json(index: dict[str, str]) -> str:
    return json.dumps(index, ensure_ascii=False)


def _as_html(index: dict[str, str]) -> str:
    title = html.escape(f"{index['title']} {index['version']}")
    items = "\n".join(
        f'<li><a href="{html.escape(index[key])}">{html.escape(label)}</a>: '
        f"<code>{html.escape(index[key])}</code></li>"
        for key, label in _LABELS.items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
        f"<p>{html.escape(index['summary'])}</p>\n<ul>\n{items}\n</ul>\n</body>\n</html>\n"
    )


def root_router(api_prefix: str) -> APIRouter:
    """The router of `/`, pointing at `api_prefix` for the API itself."""
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    async def root(
        request: Request, accept: str | None = Header(default=None, include_in_schema=False)
    ) -> Response:
        app = request.app
        index = {
            "title": app.title,
            "version": app.version,
            "summary": app.summary or "",
            "docs": app.url_path_for("swagger_ui"),
            "redoc": app.url_path_for("redoc"),
            "openapi": app.openapi_url,
            "api": api_prefix,
            "health": app.url_path_for("healthz"),
            "readiness": app.url_path_for("readyz"),
        }
        return negotiated_response(
            accept, {"application/json": _as_json, "text/html": _as_html}, index
        )

    return router
