"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over `0-9A-HJ-NPQRTUWXY`: 1 registering authority, 2 entity type,
3-8 division code (GB/T 2260; retired codes stay valid inside old credit codes),
9-17 organization code (GB 11714, own check digit at 17), 18 check character.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB/T 2260 province-level prefixes, plus 10 for national-level registrations.
_PROVINCES = frozenset(
    [
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


_CHAR = "[0-9A-HJ-NPQRTUWXY]"
# What JSON Schema can say of a valid code: the character set, a division code under a
# known province prefix, an organization check digit that is a digit or X. The two
# check characters are sums a pattern cannot compute: DESCRIPTION states them.
PATTERN = f"^{_CHAR}{{2}}(?:{'|'.join(sorted(_PROVINCES))})[0-9]{{4}}{_CHAR}{{8}}[0-9X]{_CHAR}$"
DESCRIPTION = (
    "Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters over 0-9 and "
    "A-H J-N P Q R T U W X Y (no I, O, S, V, Z, no lower case). Position 1 is the "
    "registering authority, 2 the entity type, 3-8 a GB/T 2260 division code (a "
    "province-level prefix, or 10 for national registrations; retired codes stay valid), "
    "9-17 the organization code (GB 11714). Both check characters are verified: position "
    "17 is the organization code's check digit, 11 - (sum of the values of positions 9-16 "
    "times the weights 3, 7, 9, 10, 5, 8, 4, 2) mod 11, written X for 10 and 0 for 11 "
    "(digits count as themselves, letters from A = 10); position 18 is the character at "
    "index (31 - (sum of the values of positions 1-17 times 3^(i-1) mod 31) mod 31) mod 31 "
    "of the character set above, each character valued by its index in it. The first rule "
    "broken is reported with its own code: `credit_code_length`, `credit_code_charset`, "
    "`credit_code_division`, `credit_code_org_checksum`, `credit_code_checksum`."
)


@dataclass(frozen=True)
class CreditCodeError:
    code: str
    message: str


def _org_value(char: str) -> int:
    """GB 11714 values: digits as themselves, letters at their full-alphabet value (A=10)."""
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def org_check_digit(body: str) -> str:
    """The organization code's check digit for its first 8 characters."""
    total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate(code: str) -> CreditCodeError | None:
    """None when `code` is valid, else the first rule it breaks."""
    if len(code) != 18:
        return CreditCodeError(
            "credit_code_length", f"must be exactly 18 characters, got {len(code)}"
        )
    # Position 18 is judged by the check-character rule below, whatever it holds.
    bad = sorted({c for c in code[:17] if c not in _VALUE})
    if bad:
        return CreditCodeError(
            "credit_code_charset",
            "may contain only 0-9 and upper-case A-H J-N P Q R T U W X Y "
            f"(not I, O, S, V, Z or lower case); found {''.join(bad)!r}",
        )
    division = code[2:8]
    if not division.isdigit() or division[:2] not in _PROVINCES:
        return CreditCodeError(
            "credit_code_division",
            f"positions 3-8 must be a GB/T 2260 division code, got {division!r}",
        )
    org = code[8:17]
    expected_org = org_check_digit(org[:8])
    if org[8] != expected_org:
        return CreditCodeError(
            "credit_code_org_checksum",
            f"the organization code {org[:8]}-{org[8]} has a wrong check digit "
            f"(position 17 should be {expected_org})",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return CreditCodeError(
            "credit_code_checksum",
            f"the check character (position 18) should be {expected}, not {code[17]}",
        )
    return None


def complete(first16: str) -> str:
    """A valid credit code from its first 16 characters (adds both check characters)."""
    with_org = first16 + org_check_digit(first16[8:16])
    return with_org + check_character(with_org)
