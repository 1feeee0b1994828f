from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capacity_exit.enterprise.credit_code import CHARSET, complete, validate


@pytest.mark.parametrize("code", ["914403001922038216", "91440300708461136T", "91110000710925462X"])
def test_real_codes_pass(code: str) -> None:
    assert validate(code) is None


def test_standard_example_fails_on_the_check_character() -> None:
    error = validate("91350100M000100Y4Z")
    assert error is not None
    assert error.code == "credit_code_checksum"
    assert "should be 3" in error.message


def test_retired_division_code_is_accepted() -> None:
    # 公主岭市 220381 moved to 长春市 in 2020; its old codes stay valid.
    assert validate(complete("9122038100000001")) is None


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("91440300192203821", "credit_code_length"),
        ("9144030019220382160", "credit_code_length"),
        ("91440300I92203821X", "credit_code_charset"),
        ("91440300o92203821X", "credit_code_charset"),
        ("91ZZ0300192203821X", "credit_code_charset"),
        ("91990300192203821X", "credit_code_division"),
        ("91AB0300192203821X", "credit_code_division"),
        ("914403001922038226", "credit_code_org_checksum"),
        ("914403001922038217", "credit_code_checksum"),
    ],
)
def test_each_rule_names_itself(code: str, rule: str) -> None:
    error = validate(code)
    assert error is not None and error.code == rule


def test_letters_are_allowed_in_the_first_two_positions() -> None:
    for prefix in ("Y1", "A1", "N2"):
        code = complete(f"{prefix}220322MA000001")
        assert validate(code) is None, code


_body = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@given(prefix=st.sampled_from(["91", "92", "93", "11", "51", "Y1"]), body=_body)
def test_completed_codes_validate(prefix: str, body: str) -> None:
    assert validate(complete(f"{prefix}220322{body}")) is None


@given(
    body=_body,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(CHARSET),
)
def test_any_single_substitution_is_detected(body: str, position: int, replacement: str) -> None:
    code = complete(f"91220322{body}")
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    assert validate(mutated) is not None
