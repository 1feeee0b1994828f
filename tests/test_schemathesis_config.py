"""`schemathesis.toml` (contract fuzzing, README) holds to the contract and relaxes
nothing: its hooks exist, it turns no check or phase off, and its one check setting (428
for a missing If-Match) names exactly the operations whose If-Match is required."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "schemathesis.toml").read_text("utf-8"))
# Schemathesis' own statuses for a request without a required header (4.32).
DEFAULT_MISSING_HEADER = [400, 401, 403, 406, 415, 422]


def _switches(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every `enabled` key in the file, with where it is."""
    if isinstance(node, dict):
        found = [(path, node["enabled"])] if "enabled" in node else []
        for key, value in node.items():
            found += _switches(value, f"{path}.{key}")
        return found
    if isinstance(node, list):
        return [s for i, item in enumerate(node) for s in _switches(item, f"{path}[{i}]")]
    return []


def test_the_hooks_are_the_suites() -> None:
    assert CONFIG["hooks"] == "tests.contract.hooks"
    assert (ROOT / "tests" / "contract" / "hooks.py").is_file()


def test_nothing_is_turned_off() -> None:
    assert all(value is True for _, value in _switches(CONFIG)), _switches(CONFIG)
    assert CONFIG["phases"]["stateful"]["enabled"] is True


async def test_428_is_expected_exactly_where_if_match_is_required(
    anonymous: httpx.AsyncClient,
) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    required = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if any(
            p["name"] == "If-Match" and p.get("required") for p in operation.get("parameters", [])
        )
    }
    [entry] = CONFIG["operations"]
    assert set(entry) == {"include-operation-id", "checks"}
    assert set(entry["include-operation-id"]) == required
    assert entry["checks"] == {
        "missing_required_header": {"expected-statuses": [*DEFAULT_MISSING_HEADER, 428]}
    }
