"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

INSPECTION: Any = {
    "id": "01a23573-69c5-7305-8ebc-97d5cc23bd85",
    "enterprise_id": "01a23573-69bb-770b-9c1e-8b4c568c7f35",
    "jurisdiction": "220322",
    "kind": "inspection",
    "recorded_by_department": "220322-ecoenv",
    "departments": ["220322-ecoenv", "220322-miit"],
    "completed_on": "2026-11-16",
    "items": [
        {
            "domain": "environment",
            "item": "颗粒物排放浓度",
            "measured_value": 85.3,
            "limit_value": 50,
            "unit": "mg/m³",
            "standard": "GB 13271-2014",
            "compliant": False,
        }
    ],
    "conclusion": "颗粒物排放超标，责令限期整改。",
    "publicity_due": {"date": "2026-11-30", "provisional": False},
    "version": 1,
    "created_at": "2026-11-30T02:00:03.039778Z",
}

INSPECTION_LIST: Any = {
    "items": [
        {
            "id": "01a23573-60ab-7fd7-bbad-ca0a7ba85a27",
            "enterprise_id": "01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
            "jurisdiction": "220322",
            "kind": "inspection",
            "recorded_by_department": "220322-ecoenv",
            "departments": ["220322-ecoenv", "220322-miit"],
            "completed_on": "2026-11-16",
            "items": [
                {
                    "domain": "environment",
                    "item": "颗粒物排放浓度",
                    "measured_value": 85.3,
                    "limit_value": 50,
                    "unit": "mg/m³",
                    "standard": "GB 13271-2014",
                    "compliant": False,
                }
            ],
            "conclusion": "颗粒物排放超标，责令限期整改。",
            "publicity_due": {"date": "2026-11-30", "provisional": False},
            "version": 1,
            "created_at": "2026-11-30T02:00:00.709136Z",
        }
    ],
    "next_cursor": None,
}
