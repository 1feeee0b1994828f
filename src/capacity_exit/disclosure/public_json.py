"""The public list's page written straight from rows as `DisclosureList` JSON.

The list is the hot path of the public record (docs/benchmarks.md): validating fifty
rows into models and serializing them again cost more than the query. Its rows come
from our own table, written through validated models, so here they are only reshaped
and encoded, with the stored JSON columns (`content`, `co_publishers`) passed through as
the text they were stored as. `tests/disclosure/test_public_json.py` holds this to the
same bytes-for-meaning as `DisclosureList` for every category and status.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import RowMapping

from capacity_exit.core.clock import as_utc

# UTC as "Z", like pydantic; UUIDs, dates and datetimes are encoded natively.
_OPTIONS = orjson.OPT_UTC_Z

# Columns copied as they are (the JSON ones arrive as text, see `repository.public_rows`).
_PLAIN = (
    "id", "series_id", "version", "status", "kind", "category", "level", "due_date",
    "on_time", "period_end", "previous_id", "correction_reason", "withdrawn_reason",
    "batch_id",
)  # fmt: skip


def _row(row: RowMapping, document_url: str) -> dict[str, Any]:
    withdrawn_at = row["withdrawn_at"]
    return {
        **{name: row[name] for name in _PLAIN},
        "enterprise": {
            "name": row["enterprise_name"],
            "credit_code": row["enterprise_credit_code"],
            "address": row["enterprise_address"],
        },
        "department": {"code": row["department_code"], "name": row["department_name"]},
        "jurisdiction": {"code": row["jurisdiction_code"], "name": row["jurisdiction_name"]},
        "published_at": as_utc(row["published_at"]),
        "withdrawn_at": as_utc(withdrawn_at) if withdrawn_at is not None else None,
        "content": orjson.Fragment(row["content"]),
        "co_publishers": orjson.Fragment(row["co_publishers"]),
        "document": document_url.replace("{id}", str(row["id"])),
        # The role the filtered department carries it in, null when unfiltered.
        "publishing_role": row["publishing_role"],
    }


def _uuid(value: Any) -> str:
    """asyncpg's own UUID type (a `uuid.UUID` subclass orjson does not take natively)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_page(rows: Sequence[RowMapping], next_cursor: str | None, document_url: str) -> bytes:
    """`{"items": [...], "next_cursor": ...}`; `document_url` holds `{id}` for the id."""
    items = [_row(row, document_url) for row in rows]
    return orjson.dumps(
        {"items": items, "next_cursor": next_cursor}, default=_uuid, option=_OPTIONS
    )
