"""The confidentiality walk (issue 17, must show): a named reporter's name, phone and
e-mail, seeded as unique markers, appear nowhere but in the answers of the departments
entitled to them (the report's lead and handlers: its detail and their own steps).

Searched: every GET of the contract, public or not, called with plausible parameters by
the anonymous public, the lead, a department of the county not handling the report and
a city administrator (the lead's own report detail alone left out); the answers of
requests that fail with the markers in their bodies; the reporter's own receipt views;
everything the application logged, at DEBUG; /metrics; the audit log through its API;
and every column of every table, the sealed contact included, after the worker's jobs
(the overdue scan and the contacts' retention) have run. The walk reads the contract,
so a route added later is walked without a change here. Markers put in a URL by the
client are not searched: the contact travels in bodies only, and a URL is the client's.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from capacity_exit.auth.roles import Role
from capacity_exit.core import clock
from capacity_exit.core.logs import JsonFormatter, RequestContextFilter
from capacity_exit.models import metadata
from capacity_exit.report import jobs
from capacity_exit.report.models import Report
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.reports import submit_report

pytestmark = pytest.mark.seed("一(一)5")

COUNTY, LEAD, BYSTANDER, ADMIN = "220322", "220322-miit", "220322-tax", "220300-miit"
RUN = uuid.uuid4().hex[:10]
MARKERS = {
    "name": f"ZXQ-NAME-{RUN}",
    "phone": "+86 139" + str(int(RUN, 16) % 10**8).zfill(8),
    "email": f"zxq-mail-{RUN}@example.cn",
}


def named() -> dict[str, Any]:
    return {
        "category": "resurgence",
        "enterprise": {"name": "梨树县某某铸造厂", "address": "梨树镇工业路8号"},
        "county": COUNTY,
        "what_was_seen": "已拆除的中频炉夜间恢复生产。",
        "anonymous": False,
        "contact": dict(MARKERS),
    }


class Haystack:
    """Everything searched, each piece named by where it came from."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, str]] = []

    def add(self, where: str, content: str | bytes) -> None:
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        self.pieces.append((where, text))

    def answer(self, where: str, response: httpx.Response) -> None:
        self.add(f"{where}: {response.status_code}", response.content)
        self.add(f"{where} (headers)", repr(response.headers.multi_items()))

    def leaks(self) -> list[str]:
        return [
            f"{field} in {where}"
            for where, text in self.pieces
            for field, marker in MARKERS.items()
            if marker in text or marker in _unescaped(text)
        ]


def _unescaped(text: str) -> str:
    """JSON-escaped text (`\\u4e2d`, `\\/`) read back, so an escape hides no marker."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """Every record any logger emits during the test, in production's JSON format."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yielded = [logging.getLogger(n) for n in ("capacity_exit", "capacity_exit.access")]
    held = [(lg, lg.level, lg.propagate) for lg in yielded]
    for lg in yielded:
        lg.setLevel(logging.DEBUG)
        lg.propagate = True
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    for lg, lvl, propagate in held:
        lg.setLevel(lvl)
        lg.propagate = propagate


def _value(name: str, schema: dict[str, Any], report_id: str) -> str:
    """A plausible value for a parameter: the report's id for a report's, else by type."""
    kind, fmt = schema.get("type"), schema.get("format")
    if fmt == "uuid":
        return report_id if name.startswith("report") else str(uuid.uuid4())
    if fmt == "date":
        return clock.business_today().isoformat()
    if fmt == "date-time":
        return clock.utcnow().isoformat()
    if kind == "integer":
        return str(clock.business_today().year if "year" in name else 5)
    if kind == "boolean":
        return "true"
    if "enum" in schema:
        return str(schema["enum"][0])
    return COUNTY  # codes: a division, or a prefix of a department's


def get_operations(app: FastAPI) -> list[tuple[str, dict[str, Any]]]:
    """Every GET operation of the contract, as (path template, operation)."""
    return [(path, item["get"]) for path, item in app.openapi()["paths"].items() if "get" in item]


def url_for(path: str, operation: dict[str, Any], report_id: str) -> tuple[str, dict[str, str]]:
    query: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        schema = next(iter(schema.get("anyOf", [])), schema) if "anyOf" in schema else schema
        value = _value(parameter["name"], schema, report_id)
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", value)
        elif parameter["in"] == "query" and parameter.get("required"):
            query[parameter["name"]] = value
    return path, query


async def walk_gets(
    app: FastAPI, hay: Haystack, callers: dict[str, httpx.AsyncClient], report_ids: list[str]
) -> int:
    """Call every GET of the contract as each caller, for each report; how many calls."""
    calls = 0
    for path, operation in get_operations(app):
        public = operation.get("security") == []
        for who, client in callers.items():
            if who == "anonymous" and not public:
                continue  # a 401 holds nothing; the public routes are walked by all
            if who == "lead" and operation.get("operationId") == "get_report":
                continue  # entitled: the one answer that may show the contact
            for report_id in report_ids:
                url, query = url_for(path, operation, report_id)
                hay.answer(f"GET {url} {query} as {who}", await client.get(url, params=query))
                calls += 1
    return calls


async def bad_requests(anonymous: httpx.AsyncClient, hay: Haystack) -> set[int]:
    """Requests that fail with the markers in their bodies: the problems must not echo them."""
    m = MARKERS
    base = named()
    bodies: list[tuple[str, Any]] = [
        ("e-mail invalid", base | {"contact": m | {"email": f"{m['email']} {m['name']}"}}),
        ("phone invalid", base | {"contact": m | {"phone": f"{m['phone']}-{m['name']}"}}),
        ("name too long", base | {"contact": m | {"name": m["name"] * 20}}),
        ("name with a control character", base | {"contact": m | {"name": m["name"] + "\x07"}}),
        ("anonymous with a contact", base | {"anonymous": True}),
        ("unknown field", base | {"reporter": m}),
        ("contact not an object", base | {"contact": json.dumps(m)}),
        ("county unknown", base | {"county": "220381"}),
        ("notice unknown", base | {"disputed_notice_id": str(uuid.uuid4())}),
        ("receipt with markers", {"tracking_code": m["name"], "secret": m["email"]}),
    ]
    statuses = set()
    for what, body in bodies:
        url = "/api/v1/report-receipts" if what.startswith("receipt") else "/api/v1/reports"
        response = await anonymous.post(url, json=body)
        hay.answer(f"POST {url} ({what})", response)
        statuses.add(response.status_code)
    raw = json.dumps(base, ensure_ascii=False).encode()
    for what, content, headers in [
        ("malformed JSON", raw[:-1] + b",}", {"Content-Type": "application/json"}),
        ("not UTF-8", raw + "\u00e9".encode("latin-1"), {"Content-Type": "application/json"}),
        ("text/plain", raw, {"Content-Type": "text/plain"}),
        ("too large", raw[:-1] + b', "pad": "' + b"x" * (1 << 20) + b'"}', {}),
    ]:
        headers = headers or {"Content-Type": "application/json"}
        response = await anonymous.post("/api/v1/reports", content=content, headers=headers)
        hay.answer(f"POST /api/v1/reports ({what})", response)
        statuses.add(response.status_code)
    return statuses


async def step(client: httpx.AsyncClient, report_id: str, **body: Any) -> httpx.Response:
    etag = (await client.get(f"/api/v1/reports/{report_id}")).headers["ETag"]
    return await client.post(
        f"/api/v1/reports/{report_id}/transitions", json=body, headers={"If-Match": etag}
    )


async def every_audit_event(admin: httpx.AsyncClient) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = (await admin.get("/api/v1/audit-events", params=params)).json()
        events += page["items"]
        if not page["next_cursor"]:
            return events
        params["cursor"] = page["next_cursor"]


async def every_row(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    """Every column of every table, as stored."""
    found = {}
    async with app.state.database.sessionmaker() as session:
        for table in metadata.sorted_tables:
            result = await session.execute(select(table))
            found[table.name] = [dict(row) for row in result.mappings()]
    return found


def _flat(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return json.dumps(value, ensure_ascii=False, default=str)


async def test_no_marker_of_a_named_reporter_leaves_the_entitled_answers(
    app: FastAPI,
    anonymous: httpx.AsyncClient,
    client_as: ClientAs,
    travel_to: TravelTo,
    logged: io.StringIO,
) -> None:
    hay = Haystack()
    lead = client_as(LEAD, Role.approver)
    callers = {
        "anonymous": anonymous,
        "lead": lead,
        "bystander": client_as(BYSTANDER, Role.approver),
        "admin": client_as(ADMIN, Role.admin),
    }
    # Two named reports (one keyed, replayed), handled a little, followed by receipt.
    receipts = []
    for key in ("zxq-key-1", None):
        headers = {"Idempotency-Key": key} if key else {}
        for _ in range(2 if key else 1):
            answer = await submit_report(anonymous, named(), headers)
            assert answer.status_code == 201, answer.text
            hay.answer("POST /api/v1/reports", answer)
        receipts.append(answer.json())
    listed = (await lead.get("/api/v1/reports")).json()["items"]
    ids = {r["tracking_code"]: r["id"] for r in listed}
    kept_id, rejected_id = (ids[r["tracking_code"]] for r in receipts)

    # The positive control: the entitled answer shows every marker, so the search can
    # see them, and the walk below would catch an unentitled one.
    entitled = await lead.get(f"/api/v1/reports/{kept_id}")
    assert entitled.json()["contact"] == {k: MARKERS[k] for k in ("name", "phone", "email")}
    probe = Haystack()
    probe.answer("the lead's own view", entitled)
    assert len(probe.leaks()) == len(MARKERS)

    assert (await step(lead, kept_id, action="accept")).status_code == 200  # entitled answers
    rejected = await step(
        lead,
        rejected_id,
        action="reject",
        rejection_reason="insufficient",
        public_text="线索不足。",
    )
    assert rejected.status_code == 200, rejected.text
    for receipt in receipts:
        lookup = {"tracking_code": receipt["tracking_code"], "secret": receipt["secret"]}
        hay.answer(
            "POST /report-receipts", await anonymous.post("/api/v1/report-receipts", json=lookup)
        )
        added = await anonymous.post(
            "/api/v1/report-receipts/actions",
            json=lookup | {"action": "add_information", "text": "补充：夜间十点后开工。"},
        )
        hay.answer("POST /report-receipts/actions", added)

    calls = await walk_gets(app, hay, callers, [kept_id, rejected_id])
    assert calls > 2 * len(get_operations(app))  # the contract was walked, not skipped
    statuses = await bad_requests(anonymous, hay)
    assert statuses <= {404, 413, 415, 422} and {413, 415, 422} <= statuses

    # The worker's jobs, half a year on: the overdue scan marks the accepted report, the
    # retention erases the rejected one's contact; what they write is searched too.
    travel_to((clock.business_today() + dt.timedelta(days=200)).isoformat())
    assert await jobs.scan_overdue(app.state.database, clock.business_today())
    for job in jobs.jobs(app.state.settings):
        await job.run(app.state.database, clock.business_today())  # type: ignore[union-attr]
    assert (await lead.get(f"/api/v1/reports/{rejected_id}")).json()["contact_erased"] is True
    hay.answer("GET /metrics", await anonymous.get("/metrics"))
    hay.add("the audit log's API", _flat(await every_audit_event(callers["admin"])))

    rows = await every_row(app)
    for table, table_rows in rows.items():
        hay.add(f"table {table}", "\n".join(_flat(v) for row in table_rows for v in row.values()))
    hay.add("the logs", logged.getvalue())
    assert "capacity_exit.access" in logged.getvalue()  # the capture saw the app's lines

    leaks = hay.leaks()
    assert not leaks, "\n".join(leaks)
    # The sealed contact left is not plaintext, nor any marker's bytes in any encoding.
    async with app.state.database.sessionmaker() as session:
        sealed = await session.scalar(
            select(Report.contact_sealed).where(Report.id == uuid.UUID(kept_id))
        )
    assert sealed is not None and len(sealed) > 28
    for marker in MARKERS.values():
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert marker.encode(encoding) not in bytes(sealed)
    with pytest.raises(ValueError):  # neither text nor JSON
        json.loads(bytes(sealed))
