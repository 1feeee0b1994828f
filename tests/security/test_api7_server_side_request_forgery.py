"""OWASP API Security Top 10 (2023), API7: Server Side Request Forgery.

What an attacker would try: make the server fetch a URL of their choosing — one sent
in a request body, a query or a header, or written into a record the worker later
delivers; a credit platform (or whoever answers in its place) redirecting the delivery
to an internal address such as the cloud metadata service at 169.254.169.254, with the
platform's credentials re-sent there; a targets file pointing a platform at such an
address. The server calls out only to the credit targets of the configuration file
(capacity_exit.credit.targets, docs/operations.md), only at `{base_url}/records`, and
never follows a redirect.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

import capacity_exit
from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from capacity_exit.credit import delivery, targets
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, open_case, payload, take
from tests.fixtures.credit import FakeCredit, pushes_of, write_targets
from tests.fixtures.factories import enterprise_body

# --- nothing a client sends is a URL the server would use ----------------------------

# Names of fields that carry an address to call (split on `_`, so `jurisdiction` is not
# an `uri`).
URL_WORDS = {"url", "uri", "urls", "href", "link", "links", "callback", "webhook", "redirect"}
URL_FORMATS = {"uri", "url", "iri", "uri-reference", "iri-reference", "uri-template"}


def _url_like(name: str, schema: dict[str, Any]) -> bool:
    return bool(URL_WORDS & set(name.lower().split("_"))) or schema.get("format") in URL_FORMATS


def _fields(
    schema: Any, components: dict[str, Any], path: str, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (pointer, schema) under `schema`, following `$ref`s once per branch."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _fields(components[name], components, path, seen | {name})
        return
    yield path, schema
    for name, sub in (schema.get("properties") or {}).items():
        yield f"{path}/{name}", sub
        yield from _fields(sub, components, f"{path}/{name}", seen)
    for key in ("items", "additionalProperties"):
        yield from _fields(schema.get(key), components, f"{path}/*", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or ():
            yield from _fields(sub, components, path, seen)


def _url_fields_of(document: dict[str, Any], where: str) -> list[str]:
    components = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            at = f"{method.upper()} {path}"
            if where == "request":
                for parameter in operation.get("parameters", []):
                    if _url_like(parameter["name"], parameter.get("schema", {})):
                        found.append(f"{at} {parameter['in']} {parameter['name']}")
                content = operation.get("requestBody", {}).get("content", {})
                bodies = [c.get("schema") for c in content.values()]
            else:
                bodies = [
                    c.get("schema")
                    for r in operation.get("responses", {}).values()
                    for c in r.get("content", {}).values()
                ]
            for body in bodies:
                for pointer, schema in _fields(body, components, ""):
                    if _url_like(pointer.rsplit("/", 1)[-1], schema):
                        found.append(f"{at} {pointer}")
    return found


def test_no_request_carries_a_url_for_the_server(app: FastAPI) -> None:
    """No parameter or body field (at any depth, the case drafts' free-form PATCH
    included: they are validated by the drafts reachable from `POST /cases`) names or
    formats a URL; the contract has nowhere to put a callback or webhook."""
    document = app.openapi()
    assert _url_fields_of(document, "request") == []
    # The detector does see URLs where the API shows them (answers, never inputs).
    shown = _url_fields_of(document, "response")
    assert any(f.endswith("/base_url") for f in shown), shown
    assert any(f.endswith("/links") for f in shown), shown


# Outbound connections: who may open them. The worker's delivery client is the only one.
_OUTBOUND_MODULES = {"urllib.request", "http.client", "aiohttp", "requests", "urllib3", "pycurl"}
_HTTPX_CALLS = {"AsyncClient", "Client", "get", "post", "put", "patch", "delete", "head",
                "options", "request", "stream"}  # fmt: skip
_SOCKET_CALLS = {"open_connection", "create_connection", "open_unix_connection"}
ALLOWED_CLIENT = Path(delivery.__file__)


def _outbound_uses(path: Path) -> list[str]:
    uses = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            uses += [a.name for a in node.names if a.name in _OUTBOUND_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in _OUTBOUND_MODULES:
            uses.append(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "httpx":
                if node.func.attr in _HTTPX_CALLS:
                    uses.append(f"httpx.{node.func.attr}")
            elif node.func.attr in _SOCKET_CALLS:
                uses.append(node.func.attr)
    return uses


def test_only_the_delivery_client_calls_out() -> None:
    """A new outbound call (a JWKS fetched by URL, a webhook) must be a decision, not a
    line slipped into a module: the package opens HTTP clients in one place."""
    package = Path(capacity_exit.__file__).parent
    found = {
        str(path.relative_to(package)): uses
        for path in sorted(package.rglob("*.py"))
        if (uses := _outbound_uses(path))
    }
    assert found == {str(ALLOWED_CLIENT.relative_to(package)): ["httpx.AsyncClient"]}


# --- the targets file ----------------------------------------------------------------


def _target(base_url: str) -> targets.CreditTarget:
    return targets.CreditTarget(code="national", name="全国信用信息共享平台", base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "ftp://credit.example.gov.cn/",
        "dict://127.0.0.1:11211/stats",
        "http+unix://%2Fvar%2Frun%2Fdocker.sock/containers",
        "ldap://credit.example.gov.cn/",
    ],
)
def test_the_targets_file_refuses_schemes_other_than_http(base_url: str) -> None:
    with pytest.raises(ValueError, match="scheme"):
        _target(base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        # Cloud metadata services: the classic target of a forged request.
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://2852039166/",  # 169.254.169.254, written as one number
        "http://0xA9FEA9FE/",  # ... in hex
        "http://[::ffff:169.254.169.254]/",  # ... as an IPv4-mapped IPv6 address
        "http://100.100.100.200/latest/meta-data/",  # Alibaba Cloud
        "http://[fd00:ec2::254]/latest/meta-data/",  # AWS over IPv6
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata.tencentyun.com/latest/meta-data/",
        # Link-local, unspecified, multicast, broadcast: never a credit platform.
        "http://169.254.0.23/",
        "http://[fe80::1]/",
        "http://0.0.0.0:8701/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
    ],
)
def test_the_targets_file_refuses_addresses_no_platform_has(base_url: str) -> None:
    with pytest.raises(ValueError, match="not a credit platform"):
        _target(base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://credit.example.gov.cn/api",
        "http://127.0.0.1:8701/national",  # the development fake, and the tests' platforms
        "http://[::1]:8701/national",
        "https://10.20.30.40:8443/credit",  # a platform on the government network
    ],
)
def test_the_targets_file_accepts_platform_addresses(base_url: str) -> None:
    assert _target(base_url).records_url.endswith("/records")


def test_a_targets_file_naming_the_metadata_service_stops_the_start(
    settings: Settings, tmp_path: Path
) -> None:
    path = write_targets(tmp_path, "http://169.254.169.254/latest")
    with pytest.raises(targets.InvalidCreditTargets, match="not a credit platform"):
        targets.install(settings.model_copy(update={"credit_targets_file": path}))


# --- redirects are final answers -----------------------------------------------------


@dataclass
class RawServer:
    """A loopback HTTP server that answers every request with `answer` and keeps what it
    was sent."""

    answer: bytes
    requests: list[bytes] = field(default_factory=list)
    server: asyncio.Server | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b""
        while (line := await reader.readline()) not in (b"", b"\r\n"):
            head += line
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        body = await reader.readexactly(int(length.group(1))) if length else b""
        self.requests.append(head + b"\r\n" + body)
        writer.write(self.answer)
        await writer.drain()
        writer.close()


@pytest.fixture
async def raw_server() -> AsyncIterator[Any]:
    started: list[RawServer] = []

    async def start(answer: bytes) -> RawServer:
        raw = RawServer(answer)
        raw.server = await asyncio.start_server(raw._handle, "127.0.0.1", 0)
        started.append(raw)
        return raw

    yield start
    for raw in started:
        assert raw.server is not None
        raw.server.close()
        await raw.server.wait_closed()


def _redirect(status: int, location: str) -> bytes:
    return (
        f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_from_a_platform_is_not_followed(raw_server: Any, status: int) -> None:
    """The platform answers "go to the metadata service" (here a second loopback server
    stands in for it, so that a followed redirect would be seen): the delivery stops at
    the 3xx, and neither the record nor the credentials reach the other address."""
    internal = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    platform = await raw_server(_redirect(status, f"{internal.base}/latest/meta-data/"))
    target = _target(f"{platform.base}/national")
    async with delivery.new_client() as client:
        result = await delivery.send(client, target, "push-key-1", {"record_id": "r-1"})
    assert result.status_code == status
    assert len(platform.requests) == 1
    assert internal.requests == []


async def test_the_client_ignores_proxy_settings_from_the_environment(
    raw_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An environment variable (set by whoever controls the process's environment) does
    not reroute deliveries, with their credentials, through another host."""
    proxy = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    platform = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.base)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with delivery.new_client() as client:
        result = await delivery.send(
            client, _target(f"{platform.base}/national"), "k", {"record_id": "r-1"}
        )
    assert result.status_code == 200
    assert proxy.requests == []
    assert len(platform.requests) == 1


# --- URLs written into records are data, never fetched -------------------------------


async def test_urls_in_records_are_stored_and_delivered_but_never_fetched(
    client_as: ClientAs, fake_credit: FakeCredit, raw_server: Any
) -> None:
    """Every free-text field of an enterprise, its inspection and a case refused
    rectification names an internal URL; so do headers a proxy-aware server might
    follow. The case is pushed and delivered to the platforms: the URL travels as text
    in the record, and nothing ever connects to it."""
    canary = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    url = f"{canary.base}/latest/meta-data/"
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    owner.headers.update({"X-Forwarded-Host": url, "Referer": url, "X-Callback-Url": url})
    enterprise = await owner.post(
        "/api/v1/enterprises", json=enterprise_body(address=f"吉林省四平市梨树县 {url}")
    )
    assert enterprise.status_code == 201, enterprise.text
    content = payload(
        "rectification",
        rectification_requirements=f"整改要求见 {url}",
        rectification_basis=f"依据 {url}",
    )
    case = await open_case(owner, "rectification", content=content)
    case = await take(owner, case, "publish")
    await take(owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts=url)
    await fake_credit.deliver_all()
    pushes = await pushes_of(owner, case=case["id"])
    assert pushes and {p["status"] for p in pushes} == {"delivered"}
    assert any(url in json.dumps(r) for r in fake_credit.platform.applied.values())
    assert canary.requests == []
