"""What a notice shows of its case: the fields of the notice its step publishes (the
transition table's `notice`, `case.machine`), so a notice carries what the step
required, nothing the draft merely happens to hold.

Pure domain.

A case names departments by code; its notice names each as `{"code", "name"}`, with the
name the department had when the notice was published (`snapshot`), so a later rename in
the reference data leaves the public record as it was. `case_content` turns a notice's
content back into the case's terms (codes), as corrections need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from capacity_exit.case.machine import Notice

# Where a category's content names departments: lists of codes, and list items with a
# code field (`tests/disclosure/test_department_names.py` holds this to the payload models).
DEPARTMENT_LISTS = ("responsible_departments", "involved_departments")
DEPARTMENT_ITEMS = {"confirmations": "department"}  # list field: the item's code field


def _map_departments(content: Mapping[str, Any], each: Callable[[Any], Any]) -> dict[str, Any]:
    """The content with `each` applied to every department reference in it."""
    mapped = dict(content)
    for field in DEPARTMENT_LISTS:
        if isinstance(mapped.get(field), list):
            mapped[field] = [each(ref) for ref in mapped[field]]
    for field, sub in DEPARTMENT_ITEMS.items():
        if isinstance(mapped.get(field), list):
            mapped[field] = [
                {**item, sub: each(item[sub])} if isinstance(item, dict) and sub in item else item
                for item in mapped[field]
            ]
    return mapped


def department_codes(content: Mapping[str, Any]) -> list[str]:
    """Every department the content names (by code, or as `{"code", "name"}`), once each."""
    found: list[str] = []

    def collect(ref: Any) -> Any:
        found.append(ref["code"] if isinstance(ref, dict) else ref)
        return ref

    _map_departments(content, collect)
    return list(dict.fromkeys(found))


def department_names(content: Mapping[str, Any]) -> dict[str, str]:
    """The names a notice's content gives its departments, by code."""
    names: dict[str, str] = {}

    def collect(ref: Any) -> Any:
        if isinstance(ref, dict):
            names[ref["code"]] = ref["name"]
        return ref

    _map_departments(content, collect)
    return names


def case_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """A notice's content in the case's terms: each department by its code."""
    return _map_departments(content, lambda ref: ref["code"] if isinstance(ref, dict) else ref)


def snapshot(step: Notice, payload: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The notice's fields as the case holds them now (absent ones left out), each
    department as `{"code", "name"}` with its name from `names` (by code)."""
    fields = {f: payload[f] for f in dict.fromkeys(step.fields) if payload.get(f) is not None}
    return _map_departments(fields, lambda code: {"code": code, "name": names[code]})
