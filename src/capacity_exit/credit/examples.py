"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

CREDIT_TARGET_LIST: Any = {
    "items": [
        {
            "code": "national",
            "name": "全国信用信息共享平台",
            "base_url": "https://credit-gateway.jl.gov.cn/national",
            "auth": "bearer",
            "timeout_seconds": 10.0,
            "rate_per_second": None,
            "max_response_bytes": 65536,
        },
        {
            "code": "creditchina",
            "name": "信用中国",
            "base_url": "https://credit-gateway.jl.gov.cn/creditchina",
            "auth": "bearer",
            "timeout_seconds": 10.0,
            "rate_per_second": None,
            "max_response_bytes": 65536,
        },
        {
            "code": "creditjilin",
            "name": "信用吉林",
            "base_url": "https://credit-gateway.jl.gov.cn/creditjilin",
            "auth": "bearer",
            "timeout_seconds": 10.0,
            "rate_per_second": None,
            "max_response_bytes": 65536,
        },
    ]
}

CREDIT_PUSH: Any = {
    "id": "01a23573-698e-7b63-a111-501b825184e7",
    "target": "creditchina",
    "kind": "listing",
    "trigger": "refusal",
    "status": "pending",
    "case_id": "01a23573-6965-7c69-a78e-91d3a96b2ffd",
    "enterprise_id": "01a23573-694f-7cd4-8e43-e17ea6cca558",
    "jurisdiction": "220322",
    "idempotency_key": "01a23573-698e-7b63-a111-501b825184e7",
    "record": {
        "kind": "listing",
        "record_id": "01a23573-6965-7c69-a78e-91d3a96b2ffd",
        "subject_name": "梨树县宏达水泥有限公司",
        "subject_type": "法人及非法人组织",
        "subject_credit_code": "91220322MA0Y8K2L0C",
        "decision_number": "CE-01a23573-6965-7c69-a78e-91d3a96b2ffd",
        "violation_type": "强制性标准不达标拒不整改",
        "facts": "整改期满，企业未改造除尘设施，复查时颗粒物排放仍超标。",
        "basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
        "measure_type": "其他",
        "measure_content": "推送至全国信用信息共享平台、信用中国、信用吉林，实施联合惩戒。",
        "decision_date": "2026-11-30",
        "valid_until": "2029-11-30",
        "deciding_body": "梨树县生态环境局",
        "deciding_body_code": None,
        "source_unit": "梨树县生态环境局",
        "source_unit_code": None,
        "reason": None,
    },
    "attempts": 0,
    "attempt_budget": 10,
    "next_attempt_at": "2026-11-30T02:00:02.983873Z",
    "last_status_code": None,
    "last_error": None,
    "delivered_at": None,
    "created_by": "account:01a2356e-3c8e-7d41-9a2f-5b7c1e0d4a63",
    "created_at": "2026-11-30T02:00:02.983873Z",
    "updated_at": "2026-11-30T02:00:02.983873Z",
    "attempt_log": [],
}

CREDIT_PUSH_LIST: Any = {
    "items": [
        {
            "id": "01a23573-62ce-77c4-91e6-74f7b31af18d",
            "target": "national",
            "kind": "listing",
            "trigger": "refusal",
            "status": "cancelled",
            "case_id": "01a23573-6294-7a00-a75f-ba4f1b2c4347",
            "enterprise_id": "01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
            "jurisdiction": "220322",
            "idempotency_key": "01a23573-62ce-77c4-91e6-74f7b31af18d",
            "record": {
                "kind": "listing",
                "record_id": "01a23573-6294-7a00-a75f-ba4f1b2c4347",
                "subject_name": "梨树县宏达水泥有限公司",
                "subject_type": "法人及非法人组织",
                "subject_credit_code": "91220322MA0Y8K2L0C",
                "decision_number": "CE-01a23573-6294-7a00-a75f-ba4f1b2c4347",
                "violation_type": "强制性标准不达标拒不整改",
                "facts": "整改期满，企业未改造除尘设施，复查时颗粒物排放仍超标。",
                "basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
                "measure_type": "其他",
                "measure_content": "推送至全国信用信息共享平台、信用中国、信用吉林，实施联合惩戒。",
                "decision_date": "2026-11-30",
                "valid_until": "2029-11-30",
                "deciding_body": "梨树县生态环境局",
                "deciding_body_code": None,
                "source_unit": "梨树县生态环境局",
                "source_unit_code": None,
                "reason": None,
            },
            "attempts": 0,
            "attempt_budget": 10,
            "next_attempt_at": "2026-11-30T02:00:01.256147Z",
            "last_status_code": None,
            "last_error": None,
            "delivered_at": None,
            "created_by": "account:01a2356e-3c8e-7d41-9a2f-5b7c1e0d4a63",
            "created_at": "2026-11-30T02:00:01.256147Z",
            "updated_at": "2026-11-30T02:00:01.290471Z",
        }
    ],
    "next_cursor": None,
}

MANUAL_PUSH_IN: Any = {
    "case_id": "01a23573-6cc8-74f6-b67f-ac815e99b16e",
    "kind": "update",
    "reason": "企业拒不整改，依据联席会议决定实施联合惩戒。",
    "measure": "限制新增授信及发行债券",
}

MANUAL_PUSH_OUT: Any = {
    "items": [
        {
            "id": "01a23573-6d72-7172-86f9-8999d9054a57",
            "target": "national",
            "kind": "update",
            "trigger": "manual",
            "status": "pending",
            "case_id": "01a23573-6cc8-74f6-b67f-ac815e99b16e",
            "enterprise_id": "01a23573-6c92-730f-894a-3084f277fde4",
            "jurisdiction": "220322",
            "idempotency_key": "01a23573-6d72-7172-86f9-8999d9054a57",
            "record": {
                "kind": "update",
                "record_id": "01a23573-6cc8-74f6-b67f-ac815e99b16e",
                "subject_name": "梨树县宏达水泥有限公司",
                "subject_type": "法人及非法人组织",
                "subject_credit_code": "91220322MA0Y8K2L0C",
                "decision_number": "CE-01a23573-6cc8-74f6-b67f-ac815e99b16e",
                "violation_type": "强制性标准不达标拒不整改",
                "facts": "整改期满，企业未改造除尘设施，复查时颗粒物排放仍超标。",
                "basis": "《锅炉大气污染物排放标准》（GB 13271-2014）",
                "measure_type": "其他",
                "measure_content": "限制新增授信及发行债券",
                "decision_date": "2026-11-30",
                "valid_until": "2029-11-30",
                "deciding_body": "梨树县生态环境局",
                "deciding_body_code": None,
                "source_unit": "梨树县生态环境局",
                "source_unit_code": None,
                "reason": "企业拒不整改，依据联席会议决定实施联合惩戒。",
            },
            "attempts": 0,
            "attempt_budget": 10,
            "next_attempt_at": "2026-11-30T02:00:03.980123Z",
            "last_status_code": None,
            "last_error": None,
            "delivered_at": None,
            "created_by": "account:01a2356e-3c8e-7d41-9a2f-5b7c1e0d4a63",
            "created_at": "2026-11-30T02:00:03.980123Z",
            "updated_at": "2026-11-30T02:00:03.980123Z",
        }
    ]
}

CREDIT_PUSH_OUT: Any = CREDIT_PUSH_LIST["items"][0]
