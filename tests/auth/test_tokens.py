"""Token verification: every attack below is refused, each by a check of its own."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from capacity_exit.auth import tokens
from capacity_exit.auth.jwt import TokenError, TrustedIssuer, decode, encode
from capacity_exit.auth.keys import SigningKey, key_set
from capacity_exit.auth.roles import Role
from capacity_exit.config import Environment, Settings
from capacity_exit.core.keys import generate_private_pem, verification_key
from tests.fixtures import forge


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(env=Environment.test, var_dir=tmp_path, **overrides)  # type: ignore[arg-type]


def _issue(settings: Settings, **kwargs: object) -> str:
    token, _ = tokens.issue(
        settings,
        subject="test:x",
        department="220322-ecoenv",
        roles=[Role.officer],
        kind="test",
        **kwargs,  # type: ignore[arg-type]
    )
    return token


def test_a_fresh_token_verifies(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    claims = tokens.verify(settings, _issue(settings))
    assert claims["dept"] == "220322-ecoenv"
    assert claims["roles"] == ["officer"]
    assert claims["iss"] == "capacity-exit" and claims["aud"] == "capacity-exit-api"


def _refused(settings: Settings, token: str, reason: str) -> None:
    with pytest.raises(TokenError, match=reason):
        tokens.verify(settings, token)


def test_alg_none_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    claims = forge.claims_of(_issue(settings))
    _refused(settings, forge.unsigned(claims), "algorithm not allowed")


def test_hs256_signed_with_the_public_key_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    good = _issue(settings)
    public = key_set(settings).trusted[0]
    token = forge.hs256(forge.claims_of(good), public.public_pem.encode(), public.kid)
    _refused(settings, token, "algorithm not allowed")


def test_expired_token_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _refused(settings, _issue(settings, now=tokens.token_now() - 7200, ttl_seconds=600), "expired")


def test_future_dated_token_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    token = _issue(settings, now=tokens.token_now() + 3600)
    # nbf catches it first when present; without nbf the iat check must.
    assert forge.claims_of(token)["nbf"] > tokens.token_now()
    claims = forge.claims_of(token)
    del claims["nbf"]
    resigned = encode(claims, key_set(settings).signing)
    _refused(settings, resigned, "future")


def test_wrong_audience_is_refused(tmp_path: Path) -> None:
    other = _settings(tmp_path, jwt_audience="another-api")
    _refused(_settings(tmp_path), _issue(other), "audience")


def test_wrong_issuer_is_refused(tmp_path: Path) -> None:
    other = _settings(tmp_path, jwt_issuer="someone-else")
    _refused(_settings(tmp_path), _issue(other), "untrusted issuer")


def test_tampered_claims_are_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    token = forge.with_claims(_issue(settings), roles=["admin"])
    _refused(settings, token, "[Ss]ignature")


@pytest.mark.parametrize("claim", ["exp", "iat", "aud", "iss"])
def test_required_claims(tmp_path: Path, claim: str) -> None:
    settings = _settings(tmp_path)
    claims = forge.claims_of(_issue(settings))
    del claims[claim]
    token = encode(claims, key_set(settings).signing)
    with pytest.raises(TokenError):
        tokens.verify(settings, token)


def test_a_key_the_service_does_not_trust_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    stranger = verification_key(generate_private_pem())
    other_pem = generate_private_pem()
    other = verification_key(other_pem)
    claims = forge.claims_of(_issue(settings))
    _refused(settings, encode(claims, SigningKey(other.kid, other_pem.decode())), "unknown")
    assert stranger.kid != other.kid


def test_rotation_keeps_the_previous_key_trusted(tmp_path: Path) -> None:
    old = _settings(tmp_path / "old")
    old_token = _issue(old)
    new_key = tmp_path / "new.pem"
    new_key.write_bytes(generate_private_pem())
    old_key = tmp_path / "old" / "dev-jwt-signing-key.pem"
    rotating = _settings(tmp_path, jwt_signing_key_file=new_key, jwt_previous_key_files=[old_key])
    assert len(key_set(rotating).jwks()["keys"]) == 2
    assert tokens.verify(rotating, old_token)["sub"] == "test:x"
    assert tokens.verify(rotating, _issue(rotating))["sub"] == "test:x"
    finished = _settings(tmp_path, jwt_signing_key_file=new_key)
    _refused(finished, old_token, "unknown signing key")


def test_external_issuer_by_jwks_file(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    from jose import jwk as jose_jwk  # test-side: the external issuer's own tooling

    public_jwk = jose_jwk.construct(pem.decode(), "RS256").public_key().to_dict()
    public_jwk["kid"] = "ext-1"
    (tmp_path / "idp-jwks.json").write_text(json.dumps({"keys": [public_jwk]}))
    config = tmp_path / "issuers.json"
    config.write_text(
        json.dumps(
            [
                {
                    "issuer": "https://idp.jl.gov.example",
                    "audience": "capacity-exit-api",
                    "algorithms": ["RS256"],
                    "jwks_file": "idp-jwks.json",
                }
            ]
        )
    )
    settings = _settings(tmp_path, trusted_issuers_file=config)
    now = tokens.token_now()
    claims = {
        "iss": "https://idp.jl.gov.example", "aud": "capacity-exit-api", "sub": "idp:42",
        "iat": now, "exp": now + 300, "dept": "220322-ecoenv", "roles": ["viewer"],
    }  # fmt: skip
    from jose import jwt as jose_jwt

    token = jose_jwt.encode(claims, pem.decode(), algorithm="RS256", headers={"kid": "ext-1"})
    assert tokens.verify(settings, token)["sub"] == "idp:42"
    # The same issuer cannot switch to an algorithm it is not configured for.
    _refused(settings, forge.unsigned(claims), "algorithm not allowed")


def test_decode_pins_algorithms_per_issuer() -> None:
    issuer = TrustedIssuer("i", "a", ("ES256",), {"k": "irrelevant"}, max_lifetime_seconds=900)
    with pytest.raises(TokenError, match="algorithm"):
        decode(forge.hs256({"iss": "i"}, b"secret", "k"), [issuer], now=0)


def _signed(settings: Settings, **changes: object) -> str:
    """Our own token with `changes` to its claims, signed again with our key."""
    claims = {**forge.claims_of(_issue(settings)), **changes}
    return encode(claims, key_set(settings).signing)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": 10**30}, "exp claim is out of range"),
        ({"exp": float("inf")}, "exp claim is out of range"),
        ({"exp": float("nan")}, "exp claim is out of range"),
        ({"exp": "NOW+600"}, "exp claim must be a number"),
        ({"exp": True}, "exp claim must be a number"),
        ({"exp": [1]}, "exp claim must be a number"),
        ({"exp": None}, "exp claim must be a number"),
        ({"iat": "NOW"}, "iat claim must be a number"),
        ({"iat": -1}, "iat claim is out of range"),
        ({"nbf": "NOW"}, "nbf claim must be a number"),
        ({"nbf": {"at": 1}}, "nbf claim must be a number"),
    ],
)
def test_time_claims_must_be_numbers_in_range(
    tmp_path: Path, changes: dict[str, object], reason: str
) -> None:
    settings = _settings(tmp_path)
    now = tokens.token_now()
    wanted = {
        k: (str(now + 600) if v == "NOW+600" else str(now) if v == "NOW" else v)
        for k, v in changes.items()
    }
    _refused(settings, _signed(settings, **wanted), reason)


def test_our_tokens_live_at_most_the_configured_ttl(tmp_path: Path) -> None:
    settings = _settings(tmp_path, access_token_ttl_seconds=900)
    now = tokens.token_now()
    assert tokens.verify(settings, _signed(settings, iat=now, nbf=now, exp=now + 900))
    _refused(settings, _signed(settings, iat=now, nbf=now, exp=now + 901), "lifetime")
    # Backdating iat does not buy a longer life either.
    _refused(settings, _signed(settings, iat=now - 3600, nbf=now, exp=now + 600), "lifetime")
    _refused(settings, _signed(settings, iat=now, nbf=now, exp=now - 1), "lifetime|expired")
    # Nor can we issue one: the CLI's --ttl is bounded by the same setting.
    with pytest.raises(ValueError, match="at most"):
        _issue(settings, ttl_seconds=901)


def _external_issuer(tmp_path: Path, **settings: object) -> tuple[Settings, str]:
    pem = generate_private_pem()
    (tmp_path / "idp.pem").write_text(verification_key(pem).public_pem)
    config = tmp_path / "issuers.json"
    config.write_text(
        json.dumps(
            [
                {
                    "issuer": "https://idp.jl.gov.example",
                    "audience": "capacity-exit-api",
                    "algorithms": ["ES256"],
                    "public_key_file": "idp.pem",
                }
            ]
        )
    )
    return _settings(tmp_path, trusted_issuers_file=config, **settings), pem.decode()


def _external_token(key: str, iat: int, exp: int) -> str:
    """Signed by the external issuer's own tooling, without a `kid` (one configured key)."""
    from jose import jwt as jose_jwt

    claims = {
        "iss": "https://idp.jl.gov.example", "aud": "capacity-exit-api", "sub": "idp:7",
        "iat": iat, "exp": exp, "dept": "220322-ecoenv", "roles": ["viewer"],
    }  # fmt: skip
    return str(jose_jwt.encode(claims, key, algorithm="ES256"))


def test_external_tokens_live_at_most_the_configured_cap(tmp_path: Path) -> None:
    settings, key = _external_issuer(tmp_path)
    now = tokens.token_now()
    assert settings.external_token_max_lifetime_seconds == 3600
    assert tokens.verify(settings, _external_token(key, now, now + 3600))["sub"] == "idp:7"
    _refused(settings, _external_token(key, now, now + 3601), "lifetime")
    _refused(settings, _external_token(key, now, 10**30), "out of range")
    # The cap is a setting of its own, apart from our TTL.
    (tmp_path / "s").mkdir()
    stricter, key = _external_issuer(tmp_path / "s", external_token_max_lifetime_seconds=600)
    assert tokens.verify(stricter, _external_token(key, now, now + 600))["sub"] == "idp:7"
    _refused(stricter, _external_token(key, now, now + 601), "lifetime")


# --- over HTTP ----------------------------------------------------------------------


async def test_api_refuses_bad_tokens_with_a_bearer_challenge(
    anonymous: httpx.AsyncClient, settings: Settings, token_for: object
) -> None:
    good = tokens.issue(
        settings, subject="t", department="220322-ecoenv", roles=[Role.viewer], kind="test"
    )[0]
    public = key_set(settings).trusted[0]
    attacks = {
        "none": forge.unsigned(forge.claims_of(good)),
        "hs256": forge.hs256(forge.claims_of(good), public.public_pem.encode(), public.kid),
        "tampered": forge.with_claims(good, dept="220300-miit"),
        "expired": tokens.issue(
            settings, subject="t", department="220322-ecoenv", roles=[Role.viewer],
            kind="test", now=tokens.token_now() - 7200, ttl_seconds=600,
        )[0],
        "garbage": "not.a.token",
    }  # fmt: skip
    for name, token in attacks.items():
        response = await anonymous.get(
            "/api/v1/departments", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"].startswith('Bearer realm="capacity-exit"')
        assert 'error="invalid_token"' in response.headers["www-authenticate"], name
    ok = await anonymous.get("/api/v1/departments", headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200


async def test_tokens_in_query_strings_are_refused(
    anonymous: httpx.AsyncClient, settings: Settings
) -> None:
    good = tokens.issue(
        settings, subject="t", department="220322-ecoenv", roles=[Role.viewer], kind="test"
    )[0]
    response = await anonymous.get("/api/v1/departments", params={"access_token": good})
    assert response.status_code == 401
    assert response.json()["code"] == "token_in_query"


async def test_unknown_department_in_a_valid_token_is_401(
    anonymous: httpx.AsyncClient, settings: Settings
) -> None:
    token = tokens.issue(
        settings, subject="t", department="110000-miit", roles=[Role.viewer], kind="test"
    )[0]
    response = await anonymous.get(
        "/api/v1/departments", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
