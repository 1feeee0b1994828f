"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

CASE: Any = {
    "id": "01a23573-6527-76a8-b70c-48682a5d395d",
    "category": "rectification",
    "status": "draft",
    "enterprise_id": "01a23573-64ee-7069-9948-c9dcba0176f8",
    "jurisdiction": "220322",
    "department": "220322-ecoenv",
    "inspection_id": "01a23573-650b-7446-aea3-8a22360a1b7b",
    "parent_case_id": None,
    "forced_exit_case_id": None,
    "report_id": None,
    "payload": {
        "problems": [
            {
                "domain": "environment",
                "item": "颗粒物排放浓度",
                "measured_value": 85.3,
                "limit_value": 50,
                "unit": "mg/m³",
                "standard": "GB 13271-2014",
            }
        ],
        "rectification_basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
        "rectification_requirements": "改造除尘设施，颗粒物排放浓度降至50mg/m³以下。",
        "rectification_deadline": "2027-03-31",
        "responsible_departments": ["220322-ecoenv"],
        "rectification_date": None,
        "rectification_measures": None,
        "reinspection_date": None,
        "findings": None,
        "refusal_date": None,
        "refusal_facts": None,
    },
    "allowed_actions": ["publish"],
    "deadlines": [
        {
            "purpose": "publicity",
            "due": "2026-11-30",
            "provisional": False,
            "met_on": None,
            "on_time": None,
        },
        {
            "purpose": "completion",
            "due": "2027-03-31",
            "provisional": False,
            "met_on": None,
            "on_time": None,
        },
    ],
    "overdue": False,
    "overdue_since": None,
    "closing_reason": None,
    "links": {
        "self": "/api/v1/cases/01a23573-6527-76a8-b70c-48682a5d395d",
        "events": "/api/v1/cases/01a23573-6527-76a8-b70c-48682a5d395d/events",
        "transitions": "/api/v1/cases/01a23573-6527-76a8-b70c-48682a5d395d/transitions",
        "notices": "/api/v1/disclosures?case=01a23573-6527-76a8-b70c-48682a5d395d"
        "&include_withdrawn=true",
        "credit_pushes": "/api/v1/credit-pushes?case=01a23573-6527-76a8-b70c-48682a5d395d",
        "enterprise": "/api/v1/enterprises/01a23573-64ee-7069-9948-c9dcba0176f8",
        "inspection": "/api/v1/inspections/01a23573-650b-7446-aea3-8a22360a1b7b",
        "parent_case": None,
        "forced_exit_case": None,
        "report": None,
    },
    "version": 1,
    "created_at": "2026-11-30T02:00:01.856910Z",
    "updated_at": "2026-11-30T02:00:01.856914Z",
}

CASE_LIST: Any = {
    "items": [
        {
            "id": "01a23573-6294-7a00-a75f-ba4f1b2c4347",
            "category": "rectification",
            "status": "escalated",
            "enterprise_id": "01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
            "jurisdiction": "220322",
            "department": "220322-ecoenv",
            "inspection_id": "01a23573-60ab-7fd7-bbad-ca0a7ba85a27",
            "parent_case_id": None,
            "forced_exit_case_id": "01a23573-62c8-74de-9ee1-c63661653091",
            "report_id": "01935c1e-7a00-7c2e-9b1a-3f4d5e6a7b8c",
            "payload": {
                "problems": [
                    {
                        "domain": "environment",
                        "item": "颗粒物排放浓度",
                        "measured_value": 85.3,
                        "limit_value": 50,
                        "unit": "mg/m³",
                        "standard": "GB 13271-2014",
                    }
                ],
                "rectification_basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
                "rectification_requirements": "改造除尘设施，颗粒物排放浓度降至50mg/m³以下。",
                "rectification_deadline": "2027-03-31",
                "responsible_departments": ["220322-ecoenv"],
                "rectification_date": None,
                "rectification_measures": None,
                "reinspection_date": None,
                "findings": None,
                "refusal_date": "2026-11-30",
                "refusal_facts": "整改期满，企业未改造除尘设施，复查时颗粒物排放仍超标。",
            },
            "allowed_actions": [],
            "deadlines": [
                {
                    "purpose": "publicity",
                    "due": "2026-11-30",
                    "provisional": False,
                    "met_on": "2026-11-30",
                    "on_time": True,
                },
                {
                    "purpose": "completion",
                    "due": "2027-03-31",
                    "provisional": False,
                    "met_on": None,
                    "on_time": None,
                },
            ],
            "overdue": False,
            "overdue_since": None,
            "closing_reason": None,
            "links": {
                "self": "/api/v1/cases/01a23573-6294-7a00-a75f-ba4f1b2c4347",
                "events": "/api/v1/cases/01a23573-6294-7a00-a75f-ba4f1b2c4347/events",
                "transitions": "/api/v1/cases/01a23573-6294-7a00-a75f-ba4f1b2c4347/transitions",
                "notices": "/api/v1/disclosures?case=01a23573-6294-7a00-a75f-ba4f1b2c4347"
                "&include_withdrawn=true",
                "credit_pushes": "/api/v1/credit-pushes?case=01a23573-6294-7a00-a75f-ba4f1b2c4347",
                "enterprise": "/api/v1/enterprises/01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
                "inspection": "/api/v1/inspections/01a23573-60ab-7fd7-bbad-ca0a7ba85a27",
                "parent_case": None,
                "forced_exit_case": "/api/v1/cases/01a23573-62c8-74de-9ee1-c63661653091",
                "report": "/api/v1/reports/01935c1e-7a00-7c2e-9b1a-3f4d5e6a7b8c",
            },
            "version": 3,
            "created_at": "2026-11-30T02:00:01.198646Z",
            "updated_at": "2026-11-30T02:00:01.246252Z",
        }
    ],
    "next_cursor": None,
}

CASE_EVENT_LIST: Any = {
    "items": [
        {
            "sequence": 1,
            "kind": "created",
            "action": None,
            "from_state": None,
            "to_state": "draft",
            "subject": "account:01a2356e-3c8e-7d41-9a2f-5b7c1e0d4a63",
            "department": "220322-ecoenv",
            "occurred_at": "2026-11-30T02:00:03.109901Z",
            "business_date": "2026-11-30",
            "reason": None,
            "changes": {
                "problems": [
                    {
                        "domain": "environment",
                        "item": "颗粒物排放浓度",
                        "measured_value": 85.3,
                        "limit_value": 50,
                        "unit": "mg/m³",
                        "standard": "GB 13271-2014",
                    }
                ],
                "rectification_basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
                "rectification_requirements": "改造除尘设施，颗粒物排放浓度降至50mg/m³以下。",
                "rectification_deadline": "2027-03-31",
                "responsible_departments": ["220322-ecoenv"],
            },
        },
        {
            "sequence": 2,
            "kind": "action",
            "action": "publish",
            "from_state": "draft",
            "to_state": "publicized",
            "subject": "account:01a2356e-52a7-7c3d-9b41-8e0f6a2d5c19",
            "department": "220322-ecoenv",
            "occurred_at": "2026-11-30T02:15:42.318207Z",
            "business_date": "2026-11-30",
            "reason": None,
            "changes": {},
        },
    ],
    "next_cursor": None,
}

LIFECYCLE_LIST: Any = {
    "items": [
        {
            "category": "rectification",
            "initial_state": "draft",
            "terminal_states": ["closed", "escalated", "withdrawn"],
            "states": [
                "draft",
                "publicized",
                "rectification_reported",
                "reinspected_compliant",
                "closed",
                "escalated",
                "withdrawn",
            ],
            "transitions": [
                {
                    "state": "draft",
                    "action": "publish",
                    "next_state": "publicized",
                    "roles": ["approver"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": [
                        "problems",
                        "rectification_basis",
                        "rectification_requirements",
                        "rectification_deadline",
                        "responsible_departments",
                    ],
                    "fresh_fields": [],
                    "guard": None,
                    "effects": ["record_milestone", "publish_notice"],
                },
                {
                    "state": "publicized",
                    "action": "report_rectification",
                    "next_state": "rectification_reported",
                    "roles": ["officer"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["rectification_date", "rectification_measures"],
                    "fresh_fields": ["rectification_date", "rectification_measures"],
                    "guard": None,
                    "effects": ["record_milestone"],
                },
                {
                    "state": "rectification_reported",
                    "action": "record_reinspection_pass",
                    "next_state": "reinspected_compliant",
                    "roles": ["officer"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["reinspection_date", "findings"],
                    "fresh_fields": ["reinspection_date", "findings"],
                    "guard": None,
                    "effects": [],
                },
                {
                    "state": "reinspected_compliant",
                    "action": "close",
                    "next_state": "closed",
                    "roles": ["approver"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": [],
                    "fresh_fields": [],
                    "guard": None,
                    "effects": [],
                },
                {
                    "state": "publicized",
                    "action": "record_refusal",
                    "next_state": "escalated",
                    "roles": ["officer"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["refusal_date", "refusal_facts"],
                    "fresh_fields": ["refusal_date", "refusal_facts"],
                    "guard": None,
                    "effects": ["open_forced_exit", "credit_listing"],
                },
                {
                    "state": "publicized",
                    "action": "record_reinspection_fail",
                    "next_state": "escalated",
                    "roles": ["officer"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["reinspection_date", "findings"],
                    "fresh_fields": ["reinspection_date", "findings"],
                    "guard": "rectification_deadline_passed",
                    "effects": ["open_forced_exit", "credit_listing"],
                },
                {
                    "state": "rectification_reported",
                    "action": "record_refusal",
                    "next_state": "escalated",
                    "roles": ["officer"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["refusal_date", "refusal_facts"],
                    "fresh_fields": ["refusal_date", "refusal_facts"],
                    "guard": None,
                    "effects": ["open_forced_exit", "credit_listing"],
                },
                {
                    "state": "rectification_reported",
                    "action": "record_reinspection_fail",
                    "next_state": "escalated",
                    "roles": ["officer"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["reinspection_date", "findings"],
                    "fresh_fields": ["reinspection_date", "findings"],
                    "guard": None,
                    "effects": ["open_forced_exit", "credit_listing"],
                },
                {
                    "state": "publicized",
                    "action": "withdraw",
                    "next_state": "withdrawn",
                    "roles": ["approver"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["reason"],
                    "fresh_fields": ["reason"],
                    "guard": None,
                    "effects": ["record_closing_reason", "credit_withdrawal", "withdraw_notices"],
                },
                {
                    "state": "rectification_reported",
                    "action": "withdraw",
                    "next_state": "withdrawn",
                    "roles": ["approver"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["reason"],
                    "fresh_fields": ["reason"],
                    "guard": None,
                    "effects": ["record_closing_reason", "credit_withdrawal", "withdraw_notices"],
                },
                {
                    "state": "reinspected_compliant",
                    "action": "withdraw",
                    "next_state": "withdrawn",
                    "roles": ["approver"],
                    "department_kinds": ["ecoenv", "emergency", "energy", "market"],
                    "parties": ["owner"],
                    "required_fields": ["reason"],
                    "fresh_fields": ["reason"],
                    "guard": None,
                    "effects": ["record_closing_reason", "credit_withdrawal", "withdraw_notices"],
                },
            ],
            "credit_pushers": {"roles": ["approver"], "parties": ["owner"]},
        }
    ]
}

# Create bodies, one per category: the enterprise and the inspection of `CASE`.
_ENTERPRISE_ID = "01a23573-64ee-7069-9948-c9dcba0176f8"
_INSPECTION_ID = "01a23573-650b-7446-aea3-8a22360a1b7b"

ILLEGAL_CREATE: Any = {
    "category": "illegal",
    "enterprise_id": _ENTERPRISE_ID,
    "inspection_id": _INSPECTION_ID,
    "payload": {
        "illegal_matters": [
            {
                "matter": "未批先建",
                "facts": "2019年起未取得环评批复擅自建设年产30万吨水泥粉磨生产线。",
                "legal_basis": "《中华人民共和国环境影响评价法》第二十五条",
            }
        ],
        "handling_basis": "《中华人民共和国环境影响评价法》第三十一条",
        "handling_requirements": "停止建设，2027年6月30日前拆除违规建设的粉磨生产线。",
        "completion_deadline": "2027-06-30",
        "responsible_departments": ["220322-ecoenv", "220322-natres"],
    },
}

ELIMINATION_CREATE: Any = {
    "category": "elimination",
    "enterprise_id": _ENTERPRISE_ID,
    "inspection_id": _INSPECTION_ID,
    "payload": {
        "elimination_items": [
            {
                "name": "Φ3.0×11m水泥机立窑",
                "model": "JLY-3.0",
                "quantity": 2,
                "capacity": 8.8,
                "capacity_unit": "万吨/年",
            }
        ],
        "elimination_basis": "《产业结构调整指导目录（2024年本）》淘汰类",
        "voluntary": False,
        "exit_method": "dismantle",
        "handling_requirements": "拆除立窑本体及配套设施，不得转移、复用。",
        "completion_deadline": "2027-06-30",
        "responsible_departments": ["220322-miit"],
    },
}

RECTIFICATION_CREATE: Any = {
    "category": "rectification",
    "enterprise_id": _ENTERPRISE_ID,
    "inspection_id": _INSPECTION_ID,
    "payload": {
        "problems": [
            {
                "domain": "environment",
                "item": "颗粒物排放浓度",
                "measured_value": 85.3,
                "limit_value": 50,
                "unit": "mg/m³",
                "standard": "GB 13271-2014",
            }
        ],
        "rectification_basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
        "rectification_requirements": "改造除尘设施，颗粒物排放浓度降至50mg/m³以下。",
        "rectification_deadline": "2027-03-31",
        "responsible_departments": ["220322-ecoenv"],
    },
}

COMPLIANT_CREATE: Any = {
    "category": "compliant",
    "enterprise_id": _ENTERPRISE_ID,
    "inspection_id": _INSPECTION_ID,
    "payload": {
        "main_equipment": [
            {
                "name": "Φ4.8×74m新型干法水泥回转窑",
                "model": "NSP-5000",
                "quantity": 1,
                "capacity": 155,
                "capacity_unit": "万吨/年",
            }
        ],
        "products": [{"name": "水泥熟料", "capacity": 155, "capacity_unit": "万吨/年"}],
        "compliance_matters": [
            {
                "domain": "environment",
                "item": "颗粒物排放浓度",
                "measured_value": 8.6,
                "limit_value": 10,
                "unit": "mg/m³",
                "standard": "GB 4915-2013",
            }
        ],
        "compliance_basis": "环保、能耗、质量、安全、技术标准全部达标。",
        "confirmations": [
            {"department": "220322-market", "confirmed_on": "2026-11-18"},
            {"department": "220322-drc", "confirmed_on": "2026-11-19"},
        ],
    },
}
