"""Examples in the contract (`examples` of the models): answers the API gave,
with realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

ACCOUNT_WITH_SECRET: Any = {
    "account": {
        "id": "01a23573-64db-77f5-aae9-73935faeb678",
        "kind": "user",
        "login": "lishu.ecoenv.zhang",
        "display_name": "张三",
        "department": "220322-ecoenv",
        "roles": ["officer"],
        "disabled": False,
        "version": 1,
        "created_at": "2026-11-30T02:00:01.781635Z",
        "updated_at": "2026-11-30T02:00:01.781641Z",
        "secret_rotated_at": "2026-11-30T02:00:01.781642Z",
    },
    "secret": "fSsa7D8fHw-jj9Ul8NdhPtNPPIIduWFgrDWyklnBEnY",
}

ACCOUNT: Any = {
    "id": "01a23573-6912-72ad-96c2-8051a823496f",
    "kind": "user",
    "login": "lishu.ecoenv.zhang",
    "display_name": "张三",
    "department": "220322-ecoenv",
    "roles": ["officer"],
    "disabled": False,
    "version": 1,
    "created_at": "2026-11-30T02:00:02.860681Z",
    "updated_at": "2026-11-30T02:00:02.860686Z",
    "secret_rotated_at": "2026-11-30T02:00:02.860688Z",
}

ACCOUNT_LIST: Any = {
    "items": [
        {
            "id": "01a23573-64db-77f5-aae9-73935faeb678",
            "kind": "user",
            "login": "lishu.ecoenv.zhang",
            "display_name": "张三",
            "department": "220322-ecoenv",
            "roles": ["officer"],
            "disabled": False,
            "version": 1,
            "created_at": "2026-11-30T02:00:01.781635Z",
            "updated_at": "2026-11-30T02:00:01.781641Z",
            "secret_rotated_at": "2026-11-30T02:00:01.781642Z",
        }
    ],
    "next_cursor": None,
}

TOKEN: Any = {
    "access_token": (
        "eyJhbGciOiJFUzI1NiIsImtpZCI6InFtd0dYaW1ZcTJackp0clRyWXpEbU9kemJsODNOb3luM2JYSFU0"
        "akxPVm8iLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJjYXBhY2l0eS1leGl0IiwiYXVkIjoiY2FwYWNpdHktZ"
        "XhpdC1hcGkiLCJzdWIiOiJhY2NvdW50OjAxYTIzNTczLTc4MzUtNzRjYS04OTgxLTcyYWM3M2YxN2RmM"
        "yIsImlhdCI6MTc5NjE5MzA4OSwibmJmIjoxNzk2MTkzMDg5LCJleHAiOjE3OTYxOTM5ODksImp0aSI6I"
        "jZmOThmYWRkMzE0NDQxZTZiYzAyMjhmNjk0NWM0OTRlIiwiZGVwdCI6IjIyMDMyMi1lY29lbnYiLCJyb"
        "2xlcyI6WyJvZmZpY2VyIl0sImtpbmQiOiJzZXJ2aWNlIn0.JwYhwFU5Zb_Naik-hdvXWcARJbI5WUlGc"
        "DaU_lTTJryLJftopbOcHA8SeP3Be9ay-jYyc0rqKJ03dzecR4hq4A"
    ),
    "token_type": "Bearer",
    "expires_in": 900,
}

JWKS: Any = {
    "keys": [
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "dHpnmHKZOD8jCB4aHU_byVaQHVFfIIqeJUV1DoBMbOs",
            "y": "YmGW1waAeL92b7LPMq4fE_pppN99i7LA49nzCG_Ie1A",
            "kid": "qmwGXimYq2ZrJtrTrYzDmOdzbl83Noyn3bXHU4jLOVo",
            "use": "sig",
            "alg": "ES256",
        }
    ]
}

ME: Any = {
    "subject": "account:01a2356e-3c8e-7d41-9a2f-5b7c1e0d4a63",
    "department": "220322-ecoenv",
    "department_kind": "ecoenv",
    "jurisdiction": "220322",
    "level": "county",
    "roles": ["approver", "officer"],
    "readable_jurisdictions": ["220322"],
    "writable_jurisdictions": ["220322"],
}

SERVICE_ACCOUNT_CREATE: Any = {
    "kind": "service",
    "login": "lishu.credit-bridge",
    "display_name": "梨树县信用信息对接系统",
    "department": "220322-ecoenv",
    "roles": ["officer"],
}

SECRET_ROTATION: Any = {"password": "Lishu-Ecoenv-2026-12"}

TOKEN_FORMS: Any = [
    {
        "grant_type": "password",
        "username": "lishu.ecoenv.zhang",
        "password": "Lishu-Ecoenv-2026-12",
    },
    {
        "grant_type": "client_credentials",
        "client_id": "lishu.credit-bridge",
        "client_secret": "fSsa7D8fHw-jj9Ul8NdhPtNPPIIduWFgrDWyklnBEnY",
    },
]
