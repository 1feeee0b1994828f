"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

AUDIT_EVENT_LIST: Any = {
    "items": [
        {
            "position": 1,
            "occurred_at": "2026-11-30T02:00:00.694291Z",
            "subject": "account:01a2356e-3c8e-7d41-9a2f-5b7c1e0d4a63",
            "department": "220322-ecoenv",
            "roles": "approver,officer",
            "action": "enterprise.create",
            "object_type": "enterprise",
            "object_id": "01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
            "jurisdiction": "220322",
            "request_id": "9353d58cf8824e0e8db548017e3c2e0e",
            "before_digest": None,
            "after_digest": "c6a7500b30e3e192718171ae2ed3329bbf22d6abe233081ae107250ef748139d",
            "after_state": {
                "id": "01a23573-6098-7ee2-81ed-2dcb1f68d8ae",
                "name": "梨树县宏达水泥有限公司",
                "credit_code": "91220322MA0Y8K2L0C",
                "address": "吉林省四平市梨树县梨树镇工业路18号",
                "jurisdiction_code": "220322",
                "industry": "水泥",
                "legal_representative": "王建国",
                "version": 1,
                "created_at": "2026-11-30T02:00:00.690243+00:00",
                "updated_at": "2026-11-30T02:00:00.690247+00:00",
            },
            "prev_hash": "0000000000000000000000000000000000000000000000000000000000000000",
            "hash": "f80e6603ca4b6ee730b212830ecc887925168c58a8a65f236c91f3cf3e6a462e",
            "key_id": "e-2YtHizwUOkd8NNM9nS4H6SVwh_4JEhNUW66mLn6n4",
        }
    ],
    "next_cursor": "eyJwIjoxLCJmIjoiM2Y4YTJjIn0",
}

VERIFICATION: Any = {
    "ok": True,
    "checked": 95,
    "head_position": 95,
    "first_bad_position": None,
    "reason": None,
}

_SIGNATURE = (
    "MEUCIHGYUi1w6zqFMoXocMvNQ4s2cEOiuD6G+pzcehPKlO0vAiEA"
    "3PFr3nKvPy4JEjcz1tRBt078hjtVOL26y+NLTyqQFnk="
)

CHECKPOINT: Any = {
    "position": 109,
    "hash": "5fcb223493612f1e2067dba3f05785ea174ce98e43ec4cdc10350929d3318c34",
    "created_at": "2026-11-30T02:00:07.136743+00:00",
    "kid": "e-2YtHizwUOkd8NNM9nS4H6SVwh_4JEhNUW66mLn6n4",
    "signature": _SIGNATURE,
}

CHECKPOINT_LIST: Any = {
    "items": [
        {
            "position": 109,
            "hash": "5fcb223493612f1e2067dba3f05785ea174ce98e43ec4cdc10350929d3318c34",
            "created_at": "2026-11-30T02:00:07.136743+00:00",
            "kid": "e-2YtHizwUOkd8NNM9nS4H6SVwh_4JEhNUW66mLn6n4",
            "signature": _SIGNATURE,
        }
    ],
    "next_cursor": None,
}
