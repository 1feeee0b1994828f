"""The contract explains itself: who may call each operation (its security and its
description), what it is for (a written description naming the regulation's clause), and
the document's tags, server, contact and license."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from capacity_exit.auth.dependencies import current_principal
from capacity_exit.config import Settings
from capacity_exit.main import create_app

BEARER: list[dict[str, list[str]]] = [{"HTTPBearer": []}]
# A clause id of the regulation (docs: the clause index), e.g. 一(一)4, 一(二), 二(一)3, 三.
CLAUSE = re.compile(r"[一二三](\([一二三四五六]\)([1-6])?)?")
NO_CLAUSE = "No clause of the regulation"


def _asks_for_a_principal(dependant: Dependant) -> bool:
    return any(
        d.call is current_principal or _asks_for_a_principal(d) for d in dependant.dependencies
    )


def _routes(app: FastAPI) -> dict[str, RouteContext]:
    """Each operation's route as served: its dependencies include its routers'."""
    return {
        route.operation_id: route
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute) and route.include_in_schema
    }


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for item in document["paths"].values()
        for operation in item.values()
    }


async def test_public_operations_say_so_and_the_others_ask_for_the_bearer_token(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    """Read off what each route depends on, not off what it declares: an operation that
    runs without a principal says `security: []`, one that asks for it names the Bearer
    scheme, and a public operation answers without a token."""
    operations = _operations((await anonymous.get("/openapi.json")).json())
    routes = _routes(app)
    assert set(operations) == set(routes)
    public = set()
    for operation_id, route in routes.items():
        protected = _asks_for_a_principal(route.dependant)
        expected = BEARER if protected else []
        assert operations[operation_id]["security"] == expected, operation_id
        if not protected:
            public.add(operation_id)
    assert {"healthz", "issue_token", "get_jwks", "list_disclosures", "get_calendar_day"} <= public
    assert {"get_me", "create_case", "list_credit_pushes"}.isdisjoint(public)
    assert (await anonymous.get("/api/v1/disclosures")).status_code == 200
    assert (await anonymous.get("/api/v1/auth/me")).status_code == 401


async def test_every_operation_has_a_written_description_naming_its_clause(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Written on the route (not only the access line the document adds), naming the
    regulation's clause it serves or saying that it serves none, and ending with who may
    call it."""
    operations = _operations((await client.get("/openapi.json")).json())
    for operation_id, route in _routes(app).items():
        written = route.description.strip()
        assert written, f"{operation_id}: no description"
        assert CLAUSE.search(written) or NO_CLAUSE in written, f"{operation_id}: no clause"
        description = operations[operation_id]["description"]
        assert description.startswith(written), operation_id
        assert description.rsplit("\n\n", 1)[-1].startswith("**Access:** "), operation_id
    access = {k: v["description"].rsplit("\n\n", 1)[-1] for k, v in operations.items()}
    assert access["healthz"] == "**Access:** public, no token needed."
    assert "rate-limited" in access["list_disclosures"]
    assert access["create_account"].startswith("**Access:** a token with the role `admin`;")
    assert "administering level" in access["load_calendar_year"]


async def test_every_tag_used_is_described_in_the_top_level_tags(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    tags = [tag["name"] for tag in document["tags"]]
    used = {tag for operation in _operations(document).values() for tag in operation["tags"]}
    assert sorted(tags) == sorted(used)
    assert all(tag["description"].strip() for tag in document["tags"])
    assert tags[0] == "auth" and tags[-1] == "health"  # sign in first, the probes last


async def test_the_document_names_its_server_license_and_contact(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    info = (await client.get("/openapi.json")).json()["info"]
    assert (await client.get("/openapi.json")).json()["servers"] == [
        {"url": "/", "description": "This deployment"}
    ]
    assert info["license"] == {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"}
    assert info["contact"] == {"name": "The operator of this deployment"}
    assert "一(一)1" in info["description"]

    # A deployment names its own contact page.
    page = "https://gxj.example.gov.cn/capacity-exit/contact"
    deployed = create_app(settings.model_copy(update={"contact_url": page}))
    try:
        assert deployed.openapi()["info"]["contact"]["url"] == page
    finally:
        await deployed.state.database.dispose()


# Pydantic's names for constraints, which it writes into a schema under those names when
# it cannot translate them (a constraint placed after a validator in `Annotated`, on an
# optional field): JSON Schema ignores them, so clients and fuzzers would never see the
# bound (core.numbers).
_UNTRANSLATED = frozenset({"ge", "gt", "le", "lt", "strict", "allow_inf_nan", "multiple_of"})


def _untranslated(node: Any, pointer: str = "") -> list[str]:
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _untranslated(v, f"{pointer}/{i}")]
    if not isinstance(node, dict):
        return []
    found = [f"{pointer}/{key}" for key in node if key in _UNTRANSLATED and "type" in node]
    data = ("example", "examples", "default", "enum", "const", "properties")
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for name, member in value.items():
                found += _untranslated(member, f"{pointer}/properties/{name}")
        elif key not in data:
            found += _untranslated(value, f"{pointer}/{key}")
    return found


def test_every_constraint_is_written_in_json_schemas_words(app: FastAPI) -> None:
    assert _untranslated(app.openapi()) == []
    assert _untranslated({"properties": {"n": {"type": "integer", "ge": 1}}}) == [
        "/properties/n/ge"
    ]
