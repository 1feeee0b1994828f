"""Examples of the report platform's bodies and answers (validated by the contract test)."""

from __future__ import annotations

from typing import Any

ALTCHA = (
    "eyJhbGdvcml0aG0iOiJTSEEtMjU2IiwiY2hhbGxlbmdlIjoiNGYxYzRmMWM0ZjFjNGYxYzRmMWM0ZjFj"
    "NGYxYzRmMWM0ZjFjNGYxYzRmMWM0ZjFjNGYxYzRmMWM0ZjFjNGYxYyIsIm51bWJlciI6NDgyMTMsInNh"
    "bHQiOiI5ZDJlNmIxYTBjN2Y/ZXhwaXJlcz0xNzk2MDAzNDAwJiIsInNpZ25hdHVyZSI6ImI4M2FiODNh"
    "YjgzYWI4M2FiODNhYjgzYWI4M2FiODNhYjgzYWI4M2FiODNhYjgzYWI4M2FiODNhYjgzYWI4M2EiLCJ0"
    "b29rIjo2MX0="
)
EVIDENCE: dict[str, Any] = {
    "id": "01935c1f-02a0-7d11-8c3e-5a6b7c8d9e0f",
    "content_type": "image/jpeg",
    "size": 184_233,
    "added_at": "2026-11-30T02:00:05Z",
    "added_by": "reporter",
}
SUBMISSION: dict[str, Any] = {
    "category": "resurgence",
    "enterprise": {
        "name": "梨树县某某铸造厂",
        "address": "吉林省四平市梨树县梨树镇工业路8号",
    },
    "county": "220322",
    "what_was_seen": "已于2025年拆除的中频炉近一周夜间恢复生产，厂区有烟尘排放。",
    "seen_on": "2026-11-25",
    "location": {"address": "梨树镇工业路8号院内", "latitude": 43.307, "longitude": 124.336},
    "anonymous": True,
    # A solved ALTCHA challenge as the widget sends it (base64 JSON).
    "altcha": ALTCHA,
}
RECEIPT: dict[str, Any] = {
    "tracking_code": "7KQ2-M9XD-4T1P",
    "secret": "q3Yk8mJ0bR2vXc5LwN7tFh1sDg9pAe4uZi6oKy0Tn2M",
    "status": "received",
    "received_on": "2026-11-30",
    "acceptance_due": "2026-12-07",
}
LOOKUP: dict[str, Any] = {"tracking_code": RECEIPT["tracking_code"], "secret": RECEIPT["secret"]}
RECEIPT_VIEW: dict[str, Any] = {
    "tracking_code": "7KQ2-M9XD-4T1P",
    "category": "resurgence",
    "status": "investigating",
    "received_on": "2026-11-30",
    "acceptance_due": "2026-12-07",
    "conclusion_due": "2027-01-14",
    "result": None,
    "answer": None,
    "satisfaction": None,
    "objection_used": False,
    "may_add_information": True,
    "may_answer_satisfaction": False,
    "may_object": False,
    "history": [
        {
            "kind": "received",
            "action": None,
            "to_state": "received",
            "text": None,
            "at": "2026-11-30T02:00:00Z",
        },
        {
            "kind": "action",
            "action": "accept",
            "to_state": "accepted",
            "text": "已受理。",
            "at": "2026-12-01T02:00:00Z",
        },
    ],
    "evidence": [EVIDENCE],
}
REPORT: dict[str, Any] = {
    "id": "01935c1e-7a00-7c2e-9b1a-3f4d5e6a7b8c",
    "tracking_code": "7KQ2-M9XD-4T1P",
    "category": "resurgence",
    "status": "received",
    "enterprise_credit_code": None,
    "enterprise_name": "梨树县某某铸造厂",
    "enterprise_address": "吉林省四平市梨树县梨树镇工业路8号",
    "enterprise_id": None,
    "jurisdiction": "220322",
    "level": "county",
    "lead_department": "220322-miit",
    "handling_departments": [],
    "suggested_departments": ["220322-miit", "220322-market"],
    "matter": None,
    "disputed_notice_id": None,
    "what_was_seen": SUBMISSION["what_was_seen"],
    "seen_on": "2026-11-25",
    "location_address": "梨树镇工业路8号院内",
    "latitude": 43.307,
    "longitude": 124.336,
    "anonymous": True,
    "contact": None,
    "contact_erased": False,
    "received_on": "2026-11-30",
    "acceptance_due": "2026-12-07",
    "acceptance_due_provisional": False,
    "accepted_on": None,
    "conclusion_due": None,
    "conclusion_due_provisional": False,
    "concluded_on": None,
    "closed_on": None,
    "overdue": False,
    "rejection_reason": None,
    "related_report_id": None,
    "result": None,
    "measures": None,
    "public_text": None,
    "satisfaction": None,
    "objection_used": False,
    "allowed_actions": ["accept", "reject"],
    "evidence": [EVIDENCE],
    "links": {"inspections": [], "cases": [], "notices": []},
    "version": 1,
    "created_at": "2026-11-30T02:00:00Z",
    "updated_at": "2026-11-30T02:00:00Z",
}
EVENT: dict[str, Any] = {
    "sequence": 1,
    "kind": "received",
    "action": None,
    "from_state": None,
    "to_state": "received",
    "public": True,
    "text": None,
    "department": None,
    "occurred_at": "2026-11-30T02:00:00Z",
    "business_date": "2026-11-30",
}
STEP: dict[str, Any] = {"action": "accept", "public_text": "已受理，将依法组织查处。"}

POSSIBLE_DUPLICATES: dict[str, Any] = {
    "items": [
        {
            "id": "01935c1f-0b00-7a11-8c2d-4e5f6a7b8c9d",
            "tracking_code": "3HVN-8R2C-QW5J",
            "category": "resurgence",
            "status": "accepted",
            "enterprise_name": "梨树县某某铸造厂",
            "received_on": "2026-11-26",
            "matched_on": "name",
        }
    ]
}
