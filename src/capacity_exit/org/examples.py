"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

JURISDICTION: Any = {
    "code": "220322",
    "name": "梨树县",
    "level": "county",
    "parent_code": "220300",
    "status": "current",
    "retired_year": None,
    "successor_code": None,
    "note": None,
}

JURISDICTION_LIST: Any = {
    "items": [
        {
            "code": "220300",
            "name": "四平市",
            "level": "city",
            "parent_code": "220000",
            "status": "current",
            "retired_year": None,
            "successor_code": None,
            "note": None,
        },
        {
            "code": "220322",
            "name": "梨树县",
            "level": "county",
            "parent_code": "220300",
            "status": "current",
            "retired_year": None,
            "successor_code": None,
            "note": None,
        },
    ],
    "next_cursor": None,
}

DEPARTMENT: Any = {
    "code": "220322-miit",
    "jurisdiction_code": "220322",
    "kind": "miit",
    "label": "工信",
    "name": "梨树县工业和信息化局",
    "is_member_unit": True,
    "is_lead": True,
}

DEPARTMENT_LIST: Any = {
    "items": [
        {
            "code": "220322-ecoenv",
            "jurisdiction_code": "220322",
            "kind": "ecoenv",
            "label": "生态环境",
            "name": "梨树县生态环境局",
            "is_member_unit": True,
            "is_lead": False,
        },
        {
            "code": "220322-miit",
            "jurisdiction_code": "220322",
            "kind": "miit",
            "label": "工信",
            "name": "梨树县工业和信息化局",
            "is_member_unit": True,
            "is_lead": True,
        },
    ],
    "next_cursor": None,
}
