"""Schema names are what generated clients call their types: unique, plain identifiers.

FastAPI names a component after its pydantic model, and only when two models share a
name does it fall back to the module path (`capacity_exit__case__schemas__DeadlineOut`),
which openapi-python-client then refuses as a duplicate; pydantic's input/output split
(`X-Input`, `X-Output`) leaks the same way. So: no shared class names in the package,
and no component name that is not a plain PascalCase identifier.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator

import httpx
from pydantic import BaseModel

import capacity_exit

_PLAIN_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


def _subclasses(base: type) -> Iterator[type]:
    sub: type
    for sub in base.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _package_classes() -> Iterator[type]:
    """Every pydantic model and enum the package defines (a model unused by a route
    today may be one tomorrow: a collision is found here, before FastAPI renames)."""
    for module in pkgutil.walk_packages(capacity_exit.__path__, "capacity_exit."):
        importlib.import_module(module.name)
    for cls in (*_subclasses(BaseModel), *_subclasses(enum.Enum)):
        if cls.__module__.startswith("capacity_exit.") and "[" not in cls.__name__:
            yield cls


def test_no_two_models_or_enums_of_the_package_share_a_name() -> None:
    where: defaultdict[str, set[str]] = defaultdict(set)
    for cls in _package_classes():
        where[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(places) for name, places in where.items() if len(places) > 1}
    assert not shared, f"rename one of each: {shared}"


async def test_component_schema_names_are_plain_identifiers(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    names = list(document["components"]["schemas"])
    assert "CaseOut" in names
    leaked = [name for name in names if not _PLAIN_NAME.fullmatch(name)]
    assert not leaked, f"module paths or -Input/-Output in schema names: {leaked}"
