"""Every use of the JWT library (python-jose) is in this module, so it can be swapped here.

Decoding pins the algorithms per issuer, requires `exp`, `iat`, `iss` and `aud`, and
refuses tokens issued in the future; the key is chosen by `kid` among the issuer's
trusted keys, never taken from the token. The time claims (`exp`, `iat`, `nbf`) must be
JSON numbers within the years 1970-9999 (python-jose would take `"exp": "99999999999"`
and any number at all), and a token may live (`exp - iat`) at most as long as its
issuer allows: a token that never expires is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

from capacity_exit.auth.keys import KeySet, SigningKey
from capacity_exit.core.keys import ALGORITHM

LEEWAY_SECONDS = 30
# Only asymmetric algorithms are ever accepted: never `none`, never HMAC.
ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "ES384", "RS256", "RS384", "RS512", "PS256"})
# NumericDate claims (RFC 7519 2): numbers of seconds, here at most 9999-12-31T23:59:59Z.
TIME_CLAIMS = ("exp", "iat", "nbf")
LATEST_NUMERIC_DATE = 253_402_300_799


class TokenError(Exception):
    """The token is not acceptable; the message says why (never the token itself)."""


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    # kid -> key (a PEM string or a JWK dict); "" is the key for tokens without kid.
    keys: Mapping[str, Any]
    # The longest `exp - iat` accepted from this issuer, in seconds.
    max_lifetime_seconds: int

    def key_for(self, kid: str | None) -> Any:
        if kid is not None and kid in self.keys:
            return self.keys[kid]
        if kid is None and "" in self.keys:
            return self.keys[""]
        raise TokenError("unknown signing key")


def own_issuer(issuer: str, audience: str, keys: KeySet, max_lifetime: int) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=issuer,
        audience=audience,
        algorithms=(ALGORITHM,),
        keys={k.kid: k.public_pem for k in keys.trusted},
        max_lifetime_seconds=max_lifetime,
    )


def load_trusted_issuers(path: Path, max_lifetime: int) -> list[TrustedIssuer]:
    """External issuers from a JSON list of
    `{"issuer", "audience", "algorithms", "jwks" | "jwks_file" | "public_key_file"}`,
    each accepted for tokens living at most `max_lifetime` seconds."""
    entries = json.loads(path.read_text("utf-8"))
    issuers = []
    for entry in entries:
        algorithms = tuple(entry["algorithms"])
        if not algorithms or not set(algorithms) <= ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"issuer {entry['issuer']}: only asymmetric algorithms are allowed")
        keys: dict[str, Any] = {}
        jwks = entry.get("jwks")
        if "jwks_file" in entry:
            jwks = json.loads((path.parent / entry["jwks_file"]).read_text("utf-8"))
        if jwks is not None:
            keys.update({k.get("kid", ""): k for k in jwks["keys"]})
        if "public_key_file" in entry:
            keys[""] = (path.parent / entry["public_key_file"]).read_text("utf-8")
        if not keys:
            raise ValueError(f"issuer {entry['issuer']}: no keys configured")
        issuers.append(
            TrustedIssuer(entry["issuer"], entry["audience"], algorithms, keys, max_lifetime)
        )
    return issuers


def encode(claims: Mapping[str, Any], key: SigningKey) -> str:
    return str(
        jwt.encode(dict(claims), key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
    )


def decode(token: str, issuers: Sequence[TrustedIssuer], now: int) -> dict[str, Any]:
    """The verified claims of `token`, or TokenError."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.get_unverified_claims(token)
    except JOSEError as exc:
        raise TokenError("malformed token") from exc
    _check_time_claims(unverified)
    issuer = next((i for i in issuers if i.issuer == unverified.get("iss")), None)
    if issuer is None:
        raise TokenError("untrusted issuer")
    if header.get("alg") not in issuer.algorithms:
        raise TokenError("algorithm not allowed")
    key = issuer.key_for(header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=list(issuer.algorithms),
            audience=issuer.audience,
            issuer=issuer.issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_iss": True,
                "require_aud": True,
                "leeway": LEEWAY_SECONDS,
            },
        )
    except JOSEError as exc:
        raise TokenError(str(exc) or "invalid token") from exc
    iat, exp = claims["iat"], claims["exp"]
    if iat > now + LEEWAY_SECONDS:
        raise TokenError("token issued in the future")
    if not 0 < exp - iat <= issuer.max_lifetime_seconds:
        raise TokenError(
            f"token lifetime (exp - iat) must be positive and at most "
            f"{issuer.max_lifetime_seconds} s for its issuer"
        )
    return claims


def _check_time_claims(claims: Mapping[str, Any]) -> None:
    """Checked before the library sees them: it converts with `int()`, which takes
    strings and raises on lists or infinities (a 500, not a 401)."""
    for name in TIME_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TokenError(f"the {name} claim must be a number")
        if not 0 <= value <= LATEST_NUMERIC_DATE:  # also false for NaN
            raise TokenError(f"the {name} claim is out of range")
