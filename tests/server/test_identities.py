"""Who a request is, from its headers: API keys, JWTs, and every way credentials can be wrong."""

from __future__ import annotations

import hashlib
import time

import jwt
import pytest

from pension_advisor.config.schema import ServerAuth
from pension_advisor.server.identities import Identity, Unauthorized, credentials, identify, new_api_key, user_field

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
AUTH = ServerAuth.model_validate({
    "api_keys": [{"name": "alice", "member_id": "US-002", "key_sha256": hashlib.sha256(b"alice-key").hexdigest()}],
    "jwt": {"secret_env": "JWT_SECRET", "issuer": "https://id.example", "audience": "pension-advisor"}})
ENV = {"JWT_SECRET": SECRET}


def token(**claims) -> str:
    body = {"sub": "carol", "member_id": "UK-001", "iss": "https://id.example", "aud": "pension-advisor",
            "exp": int(time.time()) + 60, **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("headers, expected", [
    ({"Authorization": "Bearer abc"}, "abc"),
    ({"authorization": "bearer  abc "}, "abc"),
    ({"X-API-Key": "k1", "Authorization": "Bearer other"}, "k1"),
])
def test_credentials_come_from_a_bearer_token_or_an_api_key_header(headers, expected):
    assert credentials(headers) == expected


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
def test_no_usable_credentials_is_unauthorized(headers):
    with pytest.raises(Unauthorized, match="missing credentials"):
        credentials(headers)


def test_an_api_key_maps_to_its_member():
    assert identify("alice-key", AUTH, ENV) == Identity("alice", "US-002")


def test_an_unknown_api_key_is_rejected():
    with pytest.raises(Unauthorized, match="invalid API key"):
        identify("mallory-key", AUTH, ENV)


def test_a_jwt_maps_to_its_subject_and_member_claim():
    assert identify(token(), AUTH, ENV) == Identity("carol", "UK-001")


@pytest.mark.parametrize("claims, reason", [
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"iss": "https://evil.example"}, "invalid JWT"),
    ({"aud": "someone-else"}, "invalid JWT"),
    ({"member_id": None}, "no 'member_id' claim"),
    ({"sub": None}, "invalid JWT"),
])
def test_bad_jwts_are_rejected_with_the_reason(claims, reason):
    with pytest.raises(Unauthorized, match=reason):
        identify(token(**claims), AUTH, ENV)


def test_a_jwt_signed_with_another_secret_is_rejected():
    forged = jwt.encode({"sub": "x", "member_id": "AU-001", "exp": int(time.time()) + 60}, "another-secret-" * 3,
                        algorithm="HS256")
    with pytest.raises(Unauthorized, match="invalid JWT"):
        identify(forged, AUTH, ENV)


def test_jwts_are_refused_when_no_secret_is_configured():
    with pytest.raises(Unauthorized, match="not accepted"):
        identify(token(), AUTH, {})


def test_new_api_keys_are_random_and_stored_only_as_hashes():
    (key1, digest1), (key2, _) = new_api_key(), new_api_key()
    assert key1 != key2 and hashlib.sha256(key1.encode()).hexdigest() == digest1 and key1 not in digest1


class _Model:
    member_id = "US-002"


@pytest.mark.parametrize("user", [{"member_id": "US-002"}, _Model()])
def test_user_fields_read_from_dicts_and_objects(user):
    assert user_field(user, "member_id") == "US-002" and user_field(user, "missing") is None
