"""Reporters' contact details, sealed at rest with AES-256-GCM (the report key).

One blob per report: a random 96-bit nonce, then the ciphertext and tag of the contact's
JSON. The report's id is the associated data, so a blob copied onto another report
does not open. Nothing but `seal` and `open_sealed` ever sees the plaintext.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from capacity_exit.report.keys import ReportKeys

_NONCE = 12
_VERSION = b"\x01"


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None

    def __repr__(self) -> str:  # never in a log line or a traceback
        return "Contact(<sealed>)"


def seal(keys: ReportKeys, report_id: uuid.UUID, contact: Contact) -> bytes:
    nonce = os.urandom(_NONCE)
    plaintext = json.dumps(asdict(contact), ensure_ascii=False).encode()
    return _VERSION + nonce + AESGCM(keys.contact).encrypt(nonce, plaintext, report_id.bytes)


def open_sealed(keys: ReportKeys, report_id: uuid.UUID, blob: bytes) -> Contact:
    if blob[:1] != _VERSION:
        raise ValueError("unknown contact blob version")
    nonce, ciphertext = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
    data = json.loads(AESGCM(keys.contact).decrypt(nonce, ciphertext, report_id.bytes))
    return Contact(**data)
