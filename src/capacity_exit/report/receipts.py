"""Receipts: the tracking code and the secret, the only credential of a reporter.

The tracking code is 12 characters of Crockford base32 (60 bits) shown in groups of
four (`7KQ2-M9XD-4T1P`); typed back it is read leniently (case, dashes and spaces
ignored; `I`/`L` read as `1`, `O` as `0`). It names the report and is not secret
enough alone: the secret (256 bits) proves the holder is the reporter. Only its argon2
hash is stored (`auth.passwords`), and a lookup always verifies against a hash, a
dummy one for an unknown code, so a wrong secret and an unknown code take the same
time and get the same answer.

A submission retried with the same Idempotency-Key must show the same receipt, but
the secret is stored nowhere: it is derived from the receipt key, the report's id and
the key (HMAC-SHA256), so a replay derives it again. The row keeps only an HMAC of the
key, to find the report of a retry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

from capacity_exit.auth.passwords import hash_secret, verify_secret
from capacity_exit.report.keys import ReportKeys

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 12
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
CODE_PATTERN = r"^[0-9A-Za-z\- ]{12,20}$"


def new_code() -> str:
    """A fresh tracking code, stored without its dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize(typed: str) -> str | None:
    """The stored form of a code as typed, or None if it cannot be one."""
    code = typed.upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def _mac(keys: ReportKeys, *parts: bytes) -> bytes:
    return hmac.new(keys.receipt, b"\x00".join(parts), hashlib.sha256).digest()


def new_secret(keys: ReportKeys, report_id: uuid.UUID, idempotency_key: str | None) -> str:
    """A random secret; with an Idempotency-Key, the one every replay derives again."""
    if idempotency_key is None:
        raw = secrets.token_bytes(32)
    else:
        raw = _mac(keys, b"secret", report_id.bytes, idempotency_key.encode())
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def idempotency_digest(keys: ReportKeys, idempotency_key: str) -> str:
    """What the row keeps of the key: nobody holding the database can replay with it."""
    return _mac(keys, b"idempotency", idempotency_key.encode()).hex()


def request_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def hash_receipt_secret(secret: str) -> str:
    return hash_secret(secret)


def verify(secret_hash: str | None, secret: str) -> bool:
    """Against the dummy hash when the code is unknown (`secret_hash` None)."""
    return verify_secret(secret_hash, secret)
