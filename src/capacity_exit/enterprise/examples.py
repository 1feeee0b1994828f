"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

ENTERPRISE: Any = {
    "id": "01a23573-69ab-709d-9ca3-648f8f5e49db",
    "name": "梨树县宏达水泥有限公司",
    "credit_code": "91220322MA0Y8K2L0C",
    "address": "吉林省四平市梨树县梨树镇工业路18号",
    "jurisdiction": "220322",
    "industry": "水泥",
    "legal_representative": "王建国",
    "version": 1,
    "created_at": "2026-11-30T02:00:03.013293Z",
    "updated_at": "2026-11-30T02:00:03.013296Z",
}

ENTERPRISE_LIST: Any = {
    "items": [
        {
            "id": "01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
            "name": "梨树县宏达水泥有限公司",
            "credit_code": "91220322MA0Y8K2L0C",
            "address": "吉林省四平市梨树县梨树镇工业路18号",
            "jurisdiction": "220322",
            "industry": "水泥",
            "legal_representative": "王建国",
            "version": 1,
            "created_at": "2026-11-30T02:00:00.690243Z",
            "updated_at": "2026-11-30T02:00:00.690247Z",
        }
    ],
    "next_cursor": None,
}
