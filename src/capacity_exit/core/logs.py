"""Logging: one JSON object a line (production) or a human line (development).

Every line carries the request id and the acting principal's subject (`core.actor`);
the access line of each request (`core.request_id`) adds the method, the route template,
the path, the status and the duration. A line holds only these fields and its message:
never headers, bodies or query strings (where tokens, passwords and personal data
travel), and a bearer token or a JWT found in a message or a traceback is masked.

The configuration is a `logging.config.dictConfig` dictionary, so uvicorn applies the
same one in each of its worker processes (`serve --workers N`).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any, Literal

from capacity_exit.core.actor import current_actor
from capacity_exit.core.request_id import current_request_id

LogFormat = Literal["json", "text"]
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# What the access line adds to a record (`extra=`); nothing else of a record is written.
ACCESS_FIELDS = ("method", "route", "path", "status", "duration_ms")
_SECRET = re.compile(
    r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]+"  # an Authorization header's credentials
    r"|eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"  # a JWT anywhere
)


def mask_secrets(text: str) -> str:
    return _SECRET.sub("[redacted]", text)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` ("-" outside a request) and `subject` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        if not hasattr(record, "subject"):
            record.subject = current_actor().subject
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, RFC 3339), level, logger, message, request_id,
    subject, the access fields when the record has them, and a traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            "subject": getattr(record, "subject", None),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = mask_secrets(self.formatException(record.exc_info))
        elif record.stack_info:
            line["stack"] = mask_secrets(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str, log_format: LogFormat) -> dict[str, Any]:
    """The dictConfig for a process: one handler on stderr (stdout stays the commands'
    output), uvicorn's own lines through it, uvicorn's access log off (ours replaces it)."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        # Loggers made at import (capacity_exit.access, the jobs') must keep working.
        "disable_existing_loggers": False,
        "filters": {"context": {"()": RequestContextFilter}},
        "formatters": {"main": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "main",
                "filters": ["context"],
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "alembic": {"level": "WARNING"},
        },
    }


def configure_logging(level: str, log_format: LogFormat = "text") -> None:
    logging.config.dictConfig(logging_config(level, log_format))
