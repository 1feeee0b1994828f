"""Logs as ops read them: one JSON object a line in production, a human line in
development, one access line per request, and nothing secret in either."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings
from capacity_exit.core.logs import (
    JsonFormatter,
    LogFormat,
    RequestContextFilter,
    TextFormatter,
    mask_secrets,
)
from tests.conftest import ClientAs, TokenFor
from tests.fixtures.live_server import serve

PASSWORD = "correct-horse-battery-staple-7"  # a marker, searched for in the logs
CONTACT = "13800138000 reporter@example.cn"
ACCESS_FIELDS = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "subject",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
}


def _json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of `text`, each of which must be one JSON object."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all(isinstance(line, dict) for line in lines)
    return lines


def _access(lines: list[dict[str, Any]], request_id: str) -> list[dict[str, Any]]:
    return [
        line
        for line in lines
        if line["logger"] == "capacity_exit.access" and line["request_id"] == request_id
    ]


def test_a_served_request_writes_one_json_line_and_no_secret(
    settings: Settings, token_for: TokenFor, tmp_path: Path
) -> None:
    """A real server in production's format with two worker processes (each configures
    its own logging): a request with a token, a login with a password, a body with contact
    data; stderr is JSON lines, one access line each, and none of the secrets."""
    token = token_for("220322-ecoenv", Role.officer)
    stderr_path = tmp_path / "serve.stderr"
    with (
        stderr_path.open("wb") as stderr,
        serve(
            settings.resolved_database_url,
            settings.var_dir,  # the development signing key `token_for` signs with
            {"CAPEXIT_LOG_FORMAT": "json", "CAPEXIT_LOG_LEVEL": "INFO"},
            serve_args=["--workers", "2"],
            stderr=stderr,
        ) as base,
        httpx.Client(base_url=base, timeout=10) as http,
    ):
        listed = http.get(
            "/api/v1/enterprises",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "log-list"},
        )
        login = http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": "nobody", "password": PASSWORD},
            headers={"X-Request-ID": "log-login"},
        )
        created = http.post(
            "/api/v1/enterprises",
            json={"name": CONTACT, "password": PASSWORD},
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "log-body"},
        )
    assert (listed.status_code, login.status_code, created.status_code) == (200, 401, 422)
    text = stderr_path.read_text("utf-8")
    for secret in (token, token.split(".")[1], PASSWORD, CONTACT, "Bearer", "authorization"):
        assert secret not in text
    lines = _json_lines(text)
    [line] = _access(lines, "log-list")
    assert set(line) == ACCESS_FIELDS
    assert line["level"] == "INFO"
    assert line["time"].endswith("Z") and "T" in line["time"]
    assert line["method"] == "GET" and line["status"] == 200
    assert line["route"] == line["path"] == "/api/v1/enterprises"
    assert line["subject"] == "test:220322-ecoenv"
    assert isinstance(line["duration_ms"], float)
    [login_line] = _access(lines, "log-login")
    assert login_line["subject"] == "anonymous:nobody" and login_line["status"] == 401
    [body_line] = _access(lines, "log-body")
    assert body_line["status"] == 422
    assert not any(line["logger"] == "uvicorn.access" for line in lines)  # ours only


@pytest.fixture
def captured() -> Iterator[dict[LogFormat, io.StringIO]]:
    """What the access logger writes, in each format."""
    streams: dict[LogFormat, io.StringIO] = {"json": io.StringIO(), "text": io.StringIO()}
    formatters: dict[LogFormat, logging.Formatter] = {
        "json": JsonFormatter(),
        "text": TextFormatter(),
    }
    logger = logging.getLogger("capacity_exit.access")
    handlers = []
    for name, stream in streams.items():
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatters[name])
        handler.addFilter(RequestContextFilter())
        logger.addHandler(handler)
        handlers.append(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield streams
    logger.setLevel(level)
    for handler in handlers:
        logger.removeHandler(handler)


async def test_the_access_line_names_the_route_template_and_the_subject(
    client_as: ClientAs, captured: dict[LogFormat, io.StringIO]
) -> None:
    officer = client_as("220322-ecoenv", Role.officer)
    await officer.get("/api/v1/calendar/days/2026-12-01", headers={"X-Request-ID": "tpl-1"})
    await officer.get("/api/v1/nothing/here", headers={"X-Request-ID": "tpl-2"})
    lines = _json_lines(captured["json"].getvalue())
    [day] = _access(lines, "tpl-1")
    assert day["route"] == "/api/v1/calendar/days/{date}"
    assert day["path"] == "/api/v1/calendar/days/2026-12-01"
    assert day["subject"] == "anonymous"  # a public route: the token is not read
    [missing] = _access(lines, "tpl-2")
    assert missing["route"] is None and missing["status"] == 404
    assert "test:220322-ecoenv" not in captured["json"].getvalue()
    await officer.get("/api/v1/enterprises", headers={"X-Request-ID": "tpl-3"})
    [private] = _access(_json_lines(captured["json"].getvalue()), "tpl-3")
    assert private["subject"] == "test:220322-ecoenv"


async def test_development_reads_a_human_line(
    anonymous: httpx.AsyncClient, captured: dict[LogFormat, io.StringIO]
) -> None:
    await anonymous.get("/healthz", headers={"X-Request-ID": "human-1"})
    [line] = [line for line in captured["text"].getvalue().splitlines() if "[human-1]" in line]
    assert " INFO [human-1] capacity_exit.access: GET /healthz 200 " in line
    assert line.endswith("ms anonymous")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_the_format_follows_the_environment_unless_set(tmp_path: Path) -> None:
    assert Settings(env=Environment.development, var_dir=tmp_path).resolved_log_format == "text"
    assert Settings(env=Environment.test, var_dir=tmp_path).resolved_log_format == "text"
    production = Settings(env=Environment.production, var_dir=tmp_path)
    assert production.resolved_log_format == "json"
    assert production.model_copy(update={"log_format": "text"}).resolved_log_format == "text"
    assert Settings(log_level="warning", var_dir=tmp_path).log_level == "WARNING"


def test_tokens_in_messages_and_tracebacks_are_masked() -> None:
    jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert mask_secrets(f"Authorization: Bearer {jwt}") == "Authorization: [redacted]"
    assert mask_secrets(f"token={jwt} rest") == "token=[redacted] rest"
    try:
        raise ValueError(f"bad token {jwt}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert jwt not in line["exception"] and "[redacted]" in line["exception"]
