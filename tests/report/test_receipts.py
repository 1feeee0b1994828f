"""Receipts and sealed contacts, without HTTP."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidTag

from capacity_exit.report import contact, receipts
from capacity_exit.report.keys import ReportKeys

KEYS = ReportKeys(contact=b"c" * 32, receipt=b"r" * 32)


def test_a_code_is_read_back_leniently() -> None:
    code = receipts.new_code()
    shown = receipts.display(code)
    assert len(shown) == 14 and shown.count("-") == 2
    assert receipts.normalize(shown.lower()) == code
    assert receipts.normalize("OIL0-0000-0000") == "0110" + "0" * 8
    assert receipts.normalize("U" * 12) is None  # not in Crockford's alphabet
    assert receipts.normalize("ABC") is None


def test_a_replay_derives_the_same_secret_and_another_key_another() -> None:
    rid = uuid.uuid4()
    first = receipts.new_secret(KEYS, rid, "key-1")
    assert receipts.new_secret(KEYS, rid, "key-1") == first
    assert receipts.new_secret(KEYS, rid, "key-2") != first
    assert receipts.new_secret(KEYS, rid, None) != receipts.new_secret(KEYS, rid, None)


def test_the_secret_is_verified_against_its_hash_only() -> None:
    secret = receipts.new_secret(KEYS, uuid.uuid4(), None)
    stored = receipts.hash_receipt_secret(secret)
    assert secret not in stored
    assert receipts.verify(stored, secret)
    assert not receipts.verify(stored, secret + "x")
    assert not receipts.verify(None, secret)  # unknown code: the dummy hash


def test_a_sealed_contact_opens_only_on_its_own_report() -> None:
    rid = uuid.uuid4()
    blob = contact.seal(KEYS, rid, contact.Contact("王某某", "13900000000", "a@example.cn"))
    assert "王某某".encode() not in blob and b"13900000000" not in blob
    assert contact.open_sealed(KEYS, rid, blob).phone == "13900000000"
    with pytest.raises(InvalidTag):
        contact.open_sealed(KEYS, uuid.uuid4(), blob)
    assert "139" not in repr(contact.open_sealed(KEYS, rid, blob))
