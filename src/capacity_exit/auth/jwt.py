"""Every use of the JWT library (python-jose) is in this module, so it can be swapped here.

Decoding pins the algorithms per issuer, requires `exp`, `iat`, `iss` and `aud`, and
refuses tokens issued in the future; the key is chosen by `kid` among the issuer's
trusted keys, never taken from the token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

from capacity_exit.auth.keys import ALGORITHM, KeySet, SigningKey

LEEWAY_SECONDS = 30
# Only asymmetric algorithms are ever accepted: never `none`, never HMAC.
ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "ES384", "RS256", "RS384", "RS512", "PS256"})


class TokenError(Exception):
    """The token is not acceptable; the message says why (never the token itself)."""


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    # kid -> key (a PEM string or a JWK dict); "" is the key for tokens without kid.
    keys: Mapping[str, Any] = field(default_factory=dict)

    def key_for(self, kid: str | None) -> Any:
        if kid is not None and kid in self.keys:
            return self.keys[kid]
        if kid is None and "" in self.keys:
            return self.keys[""]
        raise TokenError("unknown signing key")


def own_issuer(issuer: str, audience: str, keys: KeySet) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=issuer,
        audience=audience,
        algorithms=(ALGORITHM,),
        keys={k.kid: k.public_pem for k in keys.trusted},
    )


def load_trusted_issuers(path: Path) -> list[TrustedIssuer]:
    """External issuers from a JSON list of
    `{"issuer", "audience", "algorithms", "jwks" | "jwks_file" | "public_key_file"}`."""
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
        issuers.append(TrustedIssuer(entry["issuer"], entry["audience"], algorithms, keys))
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
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > now + LEEWAY_SECONDS:
        raise TokenError("token issued in the future")
    return claims
