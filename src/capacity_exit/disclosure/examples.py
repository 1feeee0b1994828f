"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

_REQUIREMENTS = "改造除尘设施，颗粒物排放浓度稳定降至50mg/m³以下，并安装颗粒物在线监测设备。"

DISCLOSURE: Any = {
    "id": "01a23573-6348-7f61-8df6-54e2fcc9c760",
    "series_id": "01a23573-632c-7535-9067-24374f91a227",
    "version": 2,
    "status": "current",
    "kind": "publicity",
    "category": "rectification",
    "enterprise": {
        "name": "梨树县宏达水泥有限公司",
        "credit_code": "91220322MA0Y8K2L0C",
        "address": "吉林省四平市梨树县梨树镇工业路18号",
    },
    "department": {"code": "220322-ecoenv", "name": "梨树县生态环境局"},
    "level": "county",
    "jurisdiction": {"code": "220322", "name": "梨树县"},
    "published_at": "2026-11-30T02:00:01.378802Z",
    "due_date": "2026-11-30",
    "on_time": True,
    "period_end": None,
    "content": {
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
        "rectification_requirements": _REQUIREMENTS,
        "rectification_deadline": "2027-03-31",
        "responsible_departments": [{"code": "220322-ecoenv", "name": "梨树县生态环境局"}],
    },
    "previous_id": "01a23573-632d-769e-a320-83448b64e8c5",
    "correction_reason": "整改要求漏列在线监测设备，予以更正。",
    "withdrawn_at": None,
    "withdrawn_reason": None,
    "document": "/api/v1/disclosures/01a23573-6348-7f61-8df6-54e2fcc9c760/document",
    "batch_id": None,
    "co_publishers": [],
}

DISCLOSURE_DETAIL: Any = {
    "id": "01a23573-74ad-7d72-9ae5-33c9ad973031",
    "series_id": "01a23573-74aa-7088-ac4e-b7aee07e58bc",
    "version": 1,
    "status": "current",
    "kind": "publicity",
    "category": "rectification",
    "enterprise": {
        "name": "梨树县宏达水泥有限公司",
        "credit_code": "91220322MA0Y8K2L0C",
        "address": "吉林省四平市梨树县梨树镇工业路18号",
    },
    "department": {"code": "220322-ecoenv", "name": "梨树县生态环境局"},
    "level": "county",
    "jurisdiction": {"code": "220322", "name": "梨树县"},
    "published_at": "2026-11-30T02:00:05.828755Z",
    "due_date": "2026-11-30",
    "on_time": True,
    "period_end": None,
    "content": {
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
        "responsible_departments": [{"code": "220322-ecoenv", "name": "梨树县生态环境局"}],
    },
    "previous_id": None,
    "correction_reason": None,
    "withdrawn_at": None,
    "withdrawn_reason": None,
    "document": "/api/v1/disclosures/01a23573-74ad-7d72-9ae5-33c9ad973031/document",
    "batch_id": None,
    "co_publishers": [],
    "versions": [
        {
            "id": "01a23573-74ad-7d72-9ae5-33c9ad973031",
            "series_id": "01a23573-74aa-7088-ac4e-b7aee07e58bc",
            "version": 1,
            "status": "current",
            "kind": "publicity",
            "category": "rectification",
            "enterprise": {
                "name": "梨树县宏达水泥有限公司",
                "credit_code": "91220322MA0Y8K2L0C",
                "address": "吉林省四平市梨树县梨树镇工业路18号",
            },
            "department": {"code": "220322-ecoenv", "name": "梨树县生态环境局"},
            "level": "county",
            "jurisdiction": {"code": "220322", "name": "梨树县"},
            "published_at": "2026-11-30T02:00:05.828755Z",
            "due_date": "2026-11-30",
            "on_time": True,
            "period_end": None,
            "content": {
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
                "responsible_departments": [{"code": "220322-ecoenv", "name": "梨树县生态环境局"}],
            },
            "previous_id": None,
            "correction_reason": None,
            "withdrawn_at": None,
            "withdrawn_reason": None,
            "document": "/api/v1/disclosures/01a23573-74ad-7d72-9ae5-33c9ad973031/document",
            "batch_id": None,
            "co_publishers": [],
        }
    ],
    "history": [
        {
            "kind": "published",
            "disclosure_id": "01a23573-74ad-7d72-9ae5-33c9ad973031",
            "occurred_at": "2026-11-30T02:00:05.832584Z",
            "department": "220322-ecoenv",
            "reason": None,
        }
    ],
}

DISCLOSURE_LIST: Any = {
    "items": [
        {
            "id": "01a23573-74ad-7d72-9ae5-33c9ad973031",
            "series_id": "01a23573-74aa-7088-ac4e-b7aee07e58bc",
            "version": 1,
            "status": "current",
            "kind": "publicity",
            "category": "rectification",
            "level": "county",
            "due_date": "2026-11-30",
            "on_time": True,
            "period_end": None,
            "previous_id": None,
            "correction_reason": None,
            "withdrawn_reason": None,
            "batch_id": None,
            "enterprise": {
                "name": "梨树县宏达水泥有限公司",
                "credit_code": "91220322MA0Y8K2L0C",
                "address": "吉林省四平市梨树县梨树镇工业路18号",
            },
            "department": {"code": "220322-ecoenv", "name": "梨树县生态环境局"},
            "jurisdiction": {"code": "220322", "name": "梨树县"},
            "published_at": "2026-11-30T02:00:05.828755Z",
            "withdrawn_at": None,
            "content": {
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
                "responsible_departments": [{"code": "220322-ecoenv", "name": "梨树县生态环境局"}],
            },
            "co_publishers": [],
            "document": "/api/v1/disclosures/01a23573-74ad-7d72-9ae5-33c9ad973031/document",
            "publishing_role": None,
        }
    ],
    "next_cursor": (
        "eyJhIjoiMDFhMjM1NzMtNzRhZC03ZDcyLTlhZTUtMzNjOWFkOTczMDMxIiwiZiI6IjIxZGZlZmYzM2Q4YWYyMmIifQ"
    ),
}

_DISCREPANCIES = [
    {
        "field": "rectification_deadline",
        "finding": "整改期限与整改通知书（梨环改字〔2026〕18号）载明的2027年2月26日不一致。",
    }
]

REVIEW_IN: Any = {
    "kind": "spot_check",
    "discrepancies": _DISCREPANCIES,
    "notes": "随机抽查梨树县本月公示。",
}

CORRECTION_REQUEST_LIST: Any = {
    "items": [
        {
            "id": "01a23573-6f3b-7c52-9e0d-2b8a4f6c1d37",
            "series_id": "01a23573-6ed1-7a4e-8f2b-5c9d3e7a1b04",
            "disclosure_id": "01a23573-6ed2-753b-95d0-7f3942070939",
            "addressed_to": "220322-ecoenv",
            "requested_by": "220300-ecoenv",
            "discrepancies": _DISCREPANCIES,
            "status": "open",
            "resolved_by_id": None,
            "created_at": "2026-11-30T02:00:04.417526Z",
        }
    ],
    "next_cursor": None,
}

CORRECTION_IN: Any = {
    "reason": "整改要求漏列在线监测设备，予以更正。",
    "content": {"rectification_requirements": _REQUIREMENTS},
}

WITHDRAWAL_IN: Any = {"reason": "经核实，该企业已于2026年10月注销，公示主体认定错误。"}

REVIEW_OUT: Any = {
    "id": "01a23573-6f3a-71a9-836e-74686da687fe",
    "disclosure_id": "01a23573-6ed2-753b-95d0-7f3942070939",
    "kind": "spot_check",
    "outcome": "discrepancies",
    "discrepancies": _DISCREPANCIES,
    "notes": "随机抽查梨树县本月公示。",
    "department": "220300-ecoenv",
    "reviewed_on": "2026-11-30",
    "correction_request_id": "01a23573-6f3b-7c52-9e0d-2b8a4f6c1d37",
}

BATCH_IN: Any = {
    "category": "compliant",
    "title": "梨树县2026年第四批合规企业公示",
    "publicity_working_days": 5,
    "cases": [{"case_id": "01a23573-6c09-7c87-800c-be232b0f1456", "version": 2}],
}

BATCH_OUT: Any = {
    "id": "01a23573-6c49-7f60-b268-79fde5ebcfac",
    "category": "compliant",
    "department": "220322-miit",
    "title": "梨树县2026年第四批合规企业公示",
    "disclosures": ["01a23573-6c62-72fb-8799-9c3f6dba8c86"],
}

CITY_SUMMARY_IN: Any = {
    "category": "rectification",
    "scope": "targets",
    "title": "四平市限期整改企业公示",
    "disclosures": ["01a23573-6b88-7efb-baad-8aa389234dc3"],
}

CITY_SUMMARY: Any = {
    "id": "01a23573-6bbd-7427-a9af-46cd28b23070",
    "category": "rectification",
    "scope": "targets",
    "title": "四平市限期整改企业公示",
    "department": {"code": "220300-ecoenv", "name": "四平市生态环境局"},
    "jurisdiction": "220300",
    "published_at": "2026-11-30T02:00:03.543499Z",
    "entries": [
        {
            "disclosure_id": "01a23573-6b88-7efb-baad-8aa389234dc3",
            "county": {"code": "220322", "name": "梨树县"},
            "department": {"code": "220322-ecoenv", "name": "梨树县生态环境局"},
            "enterprise": {
                "name": "梨树县宏达水泥有限公司",
                "credit_code": "91220322MA0Y8K2L0C",
                "address": "吉林省四平市梨树县梨树镇工业路18号",
            },
            "kind": "publicity",
            "published_at": "2026-11-30T02:00:03.489998Z",
            "on_time": True,
            "review": None,
        }
    ],
}

CITY_SUMMARY_LIST: Any = {
    "items": [
        {
            "id": "01a23573-6bbd-7427-a9af-46cd28b23070",
            "category": "rectification",
            "scope": "targets",
            "title": "四平市限期整改企业公示",
            "department": {"code": "220300-ecoenv", "name": "四平市生态环境局"},
            "jurisdiction": "220300",
            "published_at": "2026-11-30T02:00:03.543499Z",
            "entries": [
                {
                    "disclosure_id": "01a23573-6b88-7efb-baad-8aa389234dc3",
                    "county": {"code": "220322", "name": "梨树县"},
                    "department": {"code": "220322-ecoenv", "name": "梨树县生态环境局"},
                    "enterprise": {
                        "name": "梨树县宏达水泥有限公司",
                        "credit_code": "91220322MA0Y8K2L0C",
                        "address": "吉林省四平市梨树县梨树镇工业路18号",
                    },
                    "kind": "publicity",
                    "published_at": "2026-11-30T02:00:03.489998Z",
                    "on_time": True,
                    "review": None,
                }
            ],
        }
    ],
    "next_cursor": None,
}

_NOTICE = "01a23573-74ad-7d72-9ae5-33c9ad973031"
_TITLE = "梨树县生态环境局关于梨树县宏达水泥有限公司强制性标准不达标限期整改情况的公示"
_FAILING = (
    "领域：环保；检查项目：颗粒物排放浓度；检测值（监测值）：85.3 mg/m³；"
    "强制性标准规定值：50 mg/m³；标准：GB 13271-2014"
)

DOCUMENT_TEXT: Any = (
    f"{_TITLE}\n"
    "\n"
    "企业名称：梨树县宏达水泥有限公司\n"
    "统一社会信用代码：91220322MA0Y8K2L0C\n"
    "企业地址：吉林省四平市梨树县梨树镇工业路18号\n"
    "不达标项目：\n"
    f"  1：{_FAILING}\n"
    "整改依据：《锅炉大气污染物排放标准》（GB 13271-2014）\n"
    "整改要求：改造除尘设施，颗粒物排放浓度降至50mg/m³以下。\n"
    "整改期限：2027-03-31\n"
    "责任部门：\n"
    "  1：梨树县生态环境局\n"
    "\n"
    "梨树县生态环境局\n"
    "2026-11-30\n"
)

DOCUMENT_HTML: Any = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
    f"<title>{_TITLE}</title></head><body><h1>{_TITLE}</h1><dl>"
    "<dt>企业名称</dt><dd>梨树县宏达水泥有限公司</dd>"
    "<dt>统一社会信用代码</dt><dd>91220322MA0Y8K2L0C</dd>"
    "<dt>企业地址</dt><dd>吉林省四平市梨树县梨树镇工业路18号</dd>"
    f"<dt>不达标项目</dt><dd><ol><li>{_FAILING}</li></ol></dd>"
    "<dt>整改依据</dt><dd>《锅炉大气污染物排放标准》（GB 13271-2014）</dd>"
    "<dt>整改要求</dt><dd>改造除尘设施，颗粒物排放浓度降至50mg/m³以下。</dd>"
    "<dt>整改期限</dt><dd>2027-03-31</dd>"
    "<dt>责任部门</dt><dd><ol><li>梨树县生态环境局</li></ol></dd></dl>"
    "<footer><p>梨树县生态环境局</p><p>2026-11-30</p></footer>"
    '<p class="kind">公示</p></body></html>\n'
)

FEED: Any = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>产能退出信息公开</title>'
    "<id>https://cnjt.siping.gov.cn/api/v1/disclosures/feed.atom</id>"
    '<link rel="self" href="https://cnjt.siping.gov.cn/api/v1/disclosures/feed.atom" />'
    "<updated>2026-11-30T02:00:05.828755+00:00</updated>"
    f"<entry><title>{_TITLE}</title><id>urn:uuid:{_NOTICE}</id>"
    "<updated>2026-11-30T02:00:05.828755+00:00</updated>"
    "<author><name>梨树县生态环境局</name></author>"
    '<category term="rectification" />'
    '<link rel="alternate" type="text/html" '
    f'href="https://cnjt.siping.gov.cn/api/v1/disclosures/{_NOTICE}/document" />'
    f"<summary>{DOCUMENT_TEXT}</summary></entry></feed>"
)

_SUMMARY_ENTRY = (
    "统一社会信用代码：91220322MA0Y8K2L0C；企业地址：吉林省四平市梨树县梨树镇工业路18号；"
    "县（市、区）：梨树县；发布部门：梨树县生态环境局；发布日期：2026-11-30；"
    "按期发布：是；市级复核：未复核"
)

SUMMARY_DOCUMENT_HTML: Any = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
    "<title>四平市限期整改企业公示</title></head><body><h1>四平市限期整改企业公示</h1>"
    f"<dl><dt>1. 梨树县宏达水泥有限公司</dt><dd>{_SUMMARY_ENTRY}</dd></dl>"
    "<footer><p>四平市生态环境局</p><p>2026-11-30</p></footer>"
    '<p class="kind">公示</p></body></html>\n'
)

SUMMARY_DOCUMENT_TEXT: Any = (
    "四平市限期整改企业公示\n"
    "\n"
    f"1. 梨树县宏达水泥有限公司：{_SUMMARY_ENTRY}\n"
    "\n"
    "四平市生态环境局\n"
    "2026-11-30\n"
)

DISCLOSURE_LIST_ITEM: Any = DISCLOSURE_LIST["items"][0]
CORRECTION_REQUEST: Any = CORRECTION_REQUEST_LIST["items"][0]
