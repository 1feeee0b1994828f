"""The payload models of the five case categories and their completeness check."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from capacity_exit.case.machine import INITIAL_STATE, TRANSITIONS, CaseAction, Category
from capacity_exit.case.payloads import (
    DRAFT_MODELS,
    MISSING_FIELD,
    missing_fields,
)

CLAUSE = {
    Category.illegal: "一(一)1",
    Category.elimination: "一(一)2",
    Category.rectification: "一(一)3",
    Category.forced_exit: "一(一)4",
    Category.compliant: "一(一)5",
}
# The action that makes a case public: forced exit is decided before it is announced,
# and a compliant case is published once confirmed.
FIRST_PUBLIC: dict[Category, tuple[Category, Any, CaseAction]] = {
    Category.illegal: (Category.illegal, INITIAL_STATE[Category.illegal], CaseAction.publish),
    Category.elimination: (
        Category.elimination,
        INITIAL_STATE[Category.elimination],
        CaseAction.publish,
    ),
    Category.rectification: (
        Category.rectification,
        INITIAL_STATE[Category.rectification],
        CaseAction.publish,
    ),
    Category.forced_exit: (
        Category.forced_exit,
        INITIAL_STATE[Category.forced_exit],
        CaseAction.decide,
    ),
    Category.compliant: (Category.compliant, "confirmed", CaseAction.publish),
}

EQUIPMENT = {
    "name": "立窑",
    "model": "Φ3×10m",
    "quantity": 2,
    "capacity": 30.0,
    "capacity_unit": "万吨/年",
}
FAILING = {
    "domain": "environment",
    "item": "颗粒物排放浓度",
    "measured_value": 85.3,
    "limit_value": 50,
    "unit": "mg/m³",
    "standard": "GB 13271-2014",
}
DEPARTMENTS = ["220322-ecoenv", "220300-miit"]

COMPLETE: dict[Category, dict[str, Any]] = {
    Category.illegal: {
        "illegal_matters": [
            {"matter": "未批先建", "facts": "2023年起未经核准建设生产线。", "legal_basis": "条例"}
        ],
        "handling_basis": "《企业投资项目核准和备案管理条例》第十八条",
        "handling_requirements": "停止建设，拆除设备。",
        "completion_deadline": "2025-12-31",
        "responsible_departments": DEPARTMENTS,
    },
    Category.elimination: {
        "elimination_items": [EQUIPMENT],
        "elimination_basis": "《产业结构调整指导目录》淘汰类",
        "voluntary": False,
        "exit_method": "dismantle",
        "handling_requirements": "拆除立窑并验收。",
        "completion_deadline": "2025-12-31",
        "responsible_departments": DEPARTMENTS,
    },
    Category.rectification: {
        "problems": [FAILING],
        "rectification_basis": "《大气污染防治法》第九十九条",
        "rectification_requirements": "三个月内达标排放。",
        "rectification_deadline": "2026-01-31",
        "responsible_departments": DEPARTMENTS,
    },
    Category.forced_exit: {
        "rectification_case_id": "01a21fb6-64a4-7516-853c-72a5cdea29eb",
        "failing_items": [FAILING],
        "unfinished_rectification": "除尘设施未改造。",
        "legal_basis": "《大气污染防治法》第九十九条",
        "decision_number": "X政决〔2025〕12号",
        "decision_date": "2025-10-10",
        "involved_departments": DEPARTMENTS,
    },
    Category.compliant: {
        "main_equipment": [EQUIPMENT],
        "products": [{"name": "水泥熟料", "capacity": 120, "capacity_unit": "万吨/年"}],
        "compliance_matters": [{"domain": "energy", "item": "单位产品综合能耗"}],
        "compliance_basis": "GB 16780-2021",
        "confirmations": [{"department": "220300-market", "confirmed_on": "2025-09-01"}],
    },
}
# For each category, a text field reachable as (path...) to put NUL into.
TEXT_PATHS: dict[Category, list[tuple[str | int, ...]]] = {
    Category.illegal: [("handling_basis",), ("illegal_matters", 0, "facts")],
    Category.elimination: [("elimination_basis",), ("elimination_items", 0, "model")],
    Category.rectification: [("rectification_requirements",), ("problems", 0, "standard")],
    Category.forced_exit: [("decision_number",), ("failing_items", 0, "unit")],
    Category.compliant: [("compliance_basis",), ("compliance_matters", 0, "item")],
}


def required(category: Category) -> tuple[str, ...]:
    category, state, action = FIRST_PUBLIC[category]
    return TRANSITIONS[(category, state, action)].required_fields


def draft(category: Category, data: dict[str, Any] | None = None) -> BaseModel:
    return DRAFT_MODELS[category].model_validate(COMPLETE[category] if data is None else data)


def seeded(category: Category, *values: object, id: str) -> Any:
    return pytest.param(*values, marks=pytest.mark.seed(CLAUSE[category]), id=id)


def _categories() -> Iterator[Any]:
    for category in Category:
        yield seeded(category, category, id=str(category))


def _required_fields() -> Iterator[Any]:
    for category in Category:
        for field in required(category):
            yield seeded(category, category, field, id=f"{category}:{field}")


def _nested_fields() -> Iterator[Any]:
    for category in Category:
        for field, value in COMPLETE[category].items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for sub in value[0]:
                    yield seeded(category, category, field, sub, id=f"{category}:{field}:{sub}")


def _text_paths() -> Iterator[Any]:
    for category, paths in TEXT_PATHS.items():
        for path in paths:
            yield seeded(category, category, path, id=f"{category}:{'/'.join(map(str, path))}")


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@pytest.mark.parametrize("category", list(_categories()))
def test_complete_draft_has_every_required_field(category: Category) -> None:
    assert required(category)
    assert missing_fields(category, draft(category), required(category)) == []


@pytest.mark.parametrize("category", list(_categories()))
def test_table_field_names_are_draft_fields(category: Category) -> None:
    fields = set(DRAFT_MODELS[category].model_fields)
    needed = {
        f
        for (c, _, _), rule in TRANSITIONS.items()
        if c == category
        for f in rule.required_fields
        if f != "reason"  # an action's own parameter, not part of the case
    }
    assert needed <= fields


@pytest.mark.parametrize("category", list(_categories()))
def test_empty_draft_is_valid_and_misses_everything(category: Category) -> None:
    problems = missing_fields(category, draft(category, {}), required(category))
    assert [p.pointer for p in problems] == [f"/{f}" for f in required(category)]
    assert {p.code for p in problems} == {MISSING_FIELD}


@pytest.mark.parametrize(("category", "field"), list(_required_fields()))
def test_removing_a_required_field_is_reported(category: Category, field: str) -> None:
    data = copy.deepcopy(COMPLETE[category])
    del data[field]
    problems = missing_fields(category, draft(category, data), required(category))
    assert [(p.pointer, p.code) for p in problems] == [(f"/{field}", MISSING_FIELD)]


@pytest.mark.parametrize(("category", "field"), list(_required_fields()))
def test_null_or_empty_required_field_is_reported(category: Category, field: str) -> None:
    data = copy.deepcopy(COMPLETE[category])
    data[field] = [] if isinstance(data[field], list) else None
    problems = missing_fields(category, draft(category, data), required(category))
    assert [p.pointer for p in problems] == [f"/{field}"]


def _item_type(annotation: Any) -> Any:
    """The item model of `list[Item] | None`."""
    for arg in getattr(annotation, "__args__", ()):
        if getattr(arg, "__origin__", None) is list:
            return arg.__args__[0]
    return None


@pytest.mark.parametrize(("category", "field", "sub"), list(_nested_fields()))
def test_missing_sub_field_gives_nested_pointer(category: Category, field: str, sub: str) -> None:
    """Only the item's own required sub-fields are reported, at their nested pointer."""
    item_type = _item_type(DRAFT_MODELS[category].model_fields[field].annotation)
    data = copy.deepcopy(COMPLETE[category])
    data[field].append(copy.deepcopy(data[field][0]))
    del data[field][1][sub]
    problems = missing_fields(category, draft(category, data), (*required(category), field))
    expected = [f"/{field}/1/{sub}"] if sub in item_type.REQUIRED else []
    assert [p.pointer for p in problems] == expected


@pytest.mark.seed("一(一)2")
def test_every_missing_sub_field_of_an_item_is_reported() -> None:
    data = copy.deepcopy(COMPLETE[Category.elimination])
    data["elimination_items"] = [EQUIPMENT, {"name": "立窑"}]
    problems = missing_fields(
        Category.elimination, draft(Category.elimination, data), ("elimination_items",)
    )
    assert [p.pointer for p in problems] == [
        "/elimination_items/1/model",
        "/elimination_items/1/quantity",
        "/elimination_items/1/capacity",
        "/elimination_items/1/capacity_unit",
    ]


@pytest.mark.parametrize("category", list(_categories()))
def test_unknown_fields_are_rejected(category: Category) -> None:
    with pytest.raises(ValidationError) as caught:
        draft(category, {**COMPLETE[category], "enterprise_nickname": "x"})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("category", list(_categories()))
def test_unknown_fields_in_items_are_rejected(category: Category) -> None:
    data = copy.deepcopy(COMPLETE[category])
    field = next(f for f, v in data.items() if isinstance(v, list) and isinstance(v[0], dict))
    data[field][0]["colour"] = "red"
    with pytest.raises(ValidationError) as caught:
        draft(category, data)
    assert caught.value.errors()[0]["loc"] == (field, 0, "colour")


@pytest.mark.parametrize(("category", "path"), list(_text_paths()))
def test_nul_in_text_is_rejected(category: Category, path: tuple[str | int, ...]) -> None:
    data = copy.deepcopy(COMPLETE[category])
    _set(data, path, "bad\x00text")
    with pytest.raises(ValidationError) as caught:
        draft(category, data)
    error = caught.value.errors()[0]
    assert error["loc"] == path
    assert error["type"] == "control_character"


@pytest.mark.seed("一(一)2")
@pytest.mark.parametrize(
    ("sub", "value"), [("quantity", 0), ("capacity", 0), ("capacity", -1.5), ("capacity", "nan")]
)
def test_quantity_and_capacity_must_be_positive(sub: str, value: object) -> None:
    data = copy.deepcopy(COMPLETE[Category.elimination])
    data["elimination_items"][0][sub] = value
    with pytest.raises(ValidationError):
        draft(Category.elimination, data)


@pytest.mark.parametrize(
    ("category", "field", "sub"),
    [
        seeded(Category.elimination, Category.elimination, "elimination_items", "quantity", id="q"),
        seeded(Category.elimination, Category.elimination, "elimination_items", "capacity", id="c"),
        seeded(Category.compliant, Category.compliant, "compliance_matters", "limit_value", id="l"),
        seeded(
            Category.compliant, Category.compliant, "compliance_matters", "measured_value", id="m"
        ),
    ],
)
@pytest.mark.parametrize("value", [False, True, "50"])
def test_numbers_are_json_numbers_not_booleans_or_strings(
    category: Category, field: str, sub: str, value: object
) -> None:
    data = copy.deepcopy(COMPLETE[category])
    data[field][0][sub] = value
    with pytest.raises(ValidationError):
        draft(category, data)


@pytest.mark.seed("一(一)2")
def test_exit_method_is_one_of_the_known() -> None:
    with pytest.raises(ValidationError):
        draft(Category.elimination, {"exit_method": "explode"})


@pytest.mark.seed("一(一)1")
@pytest.mark.parametrize("code", ["220322", "220322-ECOENV", "22032-ecoenv", "220322-e"])
def test_department_codes_are_checked(code: str) -> None:
    with pytest.raises(ValidationError):
        draft(Category.illegal, {"responsible_departments": [code]})


@pytest.mark.seed("一(一)1")
def test_required_name_outside_the_model_is_missing() -> None:
    problems = missing_fields(Category.illegal, draft(Category.illegal), ("reason",))
    assert [p.pointer for p in problems] == ["/reason"]


@pytest.mark.seed("一(一)1")
def test_draft_of_another_category_is_refused() -> None:
    with pytest.raises(TypeError):
        missing_fields(Category.illegal, draft(Category.compliant), ())
