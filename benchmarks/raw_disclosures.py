"""The baseline for the public-list benchmark: a bare ASGI app on one asyncpg pool that
runs the public list's query and writes the same JSON shape, with nothing else (no
framework, no ORM, no validation, no middleware).

Served by uvicorn: `BENCH_DSN=postgresql://... uvicorn benchmarks.raw_disclosures:app`.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qs

import asyncpg

QUERY = """
SELECT id, series_id, version, status, kind, category, enterprise_name,
       enterprise_credit_code, enterprise_address, department_code, department_name, level,
       jurisdiction_code, jurisdiction_name, published_at, due_date, on_time, period_end,
       content, previous_id, correction_reason, withdrawn_at, withdrawn_reason
FROM disclosures
WHERE status = 'current' AND jurisdiction_code = $1 AND category = $2
ORDER BY id DESC
LIMIT $3
"""

_pool: asyncpg.Pool | None = None


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _row(r: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": str(r["id"]),
        "series_id": str(r["series_id"]),
        "version": r["version"],
        "status": r["status"],
        "kind": r["kind"],
        "category": r["category"],
        "enterprise": {
            "name": r["enterprise_name"],
            "credit_code": r["enterprise_credit_code"],
            "address": r["enterprise_address"],
        },
        "department": {"code": r["department_code"], "name": r["department_name"]},
        "level": r["level"],
        "jurisdiction": {"code": r["jurisdiction_code"], "name": r["jurisdiction_name"]},
        "published_at": _iso(r["published_at"]),
        "due_date": _iso(r["due_date"]),
        "on_time": r["on_time"],
        "period_end": _iso(r["period_end"]),
        "content": json.loads(r["content"]),
        "previous_id": str(r["previous_id"]) if r["previous_id"] else None,
        "correction_reason": r["correction_reason"],
        "withdrawn_at": _iso(r["withdrawn_at"]),
        "withdrawn_reason": r["withdrawn_reason"],
        "document": f"/api/v1/disclosures/{r['id']}/document",
    }


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _pool = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=5, max_size=5)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _pool is not None:
                    await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert _pool is not None
    query = parse_qs(scope["query_string"].decode())
    limit = int(query.get("limit", ["50"])[0])
    rows = await _pool.fetch(QUERY, query["jurisdiction"][0], query["category"][0], limit + 1)
    page = rows[:limit]
    body = json.dumps(
        {
            "items": [_row(r) for r in page],
            "next_cursor": str(page[-1]["id"]) if len(rows) > limit else None,
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
