"""Absolute URLs, from the configured public base URL (`CAPEXIT_PUBLIC_BASE_URL`).

Never from the request: its `Host` (and any forwarding header) is the client's to write,
and a URL built from it would carry a forged host into feeds, `Location` headers and
whatever stores them (issue 14, item 7).
"""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import Request


class UrlSettings(Protocol):
    """What URLs read of the settings the app keeps in `app.state.settings` (`config.Settings`)."""

    @property
    def public_base(self) -> str: ...


def absolute(request: Request, path: str) -> str:
    """`path` (from the application's root) under the public base URL."""
    settings: UrlSettings = request.app.state.settings
    return settings.public_base + path


def absolute_url_for(request: Request, name: str, **params: Any) -> str:
    """The public URL of the route called `name` (as `request.url_for`, without the Host)."""
    return absolute(request, str(request.app.url_path_for(name, **params)))


def location_header() -> dict[str, dict[str, Any]]:
    """The `Location` entry of a 201's OpenAPI `headers`: the created resource's URL."""
    return {
        "Location": {
            "description": "The created resource's URL, under the public base URL.",
            "schema": {"type": "string"},
        }
    }
