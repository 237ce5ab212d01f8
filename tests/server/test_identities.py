"""Who a request is, from its headers: API keys, JWTs, and every way credentials can be wrong."""

from __future__ import annotations

import hashlib
import time

import jwt
import pytest

from pydantic import ValidationError

from pension_advisor.config import ConfigError, load_settings
from pension_advisor.config.schema import ServerAuth
from pension_advisor.server.identities import (Identity, Unauthorized, credentials, identify, member_of_user,
                                               new_api_key, user_field)

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
    assert identify("alice-key", AUTH, ENV) == Identity("key:alice", "US-002")


def test_an_unknown_api_key_is_rejected():
    with pytest.raises(Unauthorized, match="invalid API key"):
        identify("mallory-key", AUTH, ENV)


def test_a_jwt_maps_to_its_subject_and_member_claim():
    assert identify(token(), AUTH, ENV) == Identity("jwt:carol", "UK-001")


def test_a_jwt_subject_equal_to_a_key_name_is_another_owner():
    # Issue 12: `sub: "alice"` owned alice's threads, because key names and subjects shared one namespace.
    by_jwt, by_key = identify(token(sub="alice"), AUTH, ENV), identify("alice-key", AUTH, ENV)
    assert by_jwt.name == "jwt:alice" and by_key.name == "key:alice" and by_jwt.name != by_key.name
    assert identify(token(sub="key:alice"), AUTH, ENV).name == "jwt:key:alice"  # no way to forge the prefix


def _keys(*entries) -> list[dict]:
    return [{"name": n, "member_id": m, "key_sha256": hashlib.sha256(k.encode()).hexdigest()} for n, m, k in entries]


def test_two_keys_with_one_name_are_a_config_error_naming_the_key():
    with pytest.raises(ValidationError, match=r"api_keys\[1\]\.name: 'alice' is already the name of .*api_keys\[0\]"):
        ServerAuth.model_validate({"api_keys": _keys(("alice", "US-002", "k1"), ("alice", "AU-001", "k2"))})


def test_the_same_key_twice_is_a_config_error():
    with pytest.raises(ValidationError, match=r"api_keys\[1\]\.key_sha256: the same key as .*api_keys\[0\]"):
        ServerAuth.model_validate({"api_keys": _keys(("alice", "US-002", "k1"), ("bob", "AU-001", "k1"))})


def test_duplicate_key_names_fail_at_config_load_in_one_line():
    keys = "[{name: a, member_id: AU-001, key_sha256: '%s'}, {name: a, member_id: UK-001, key_sha256: '%s'}]" % (
        "0" * 64, "1" * 64)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"PENSION_ADVISOR__SERVER__AUTH__API_KEYS": keys})
    assert "server.auth.api_keys[1].name" in str(caught.value) and "\n" not in str(caught.value).strip()


@pytest.mark.parametrize("user, member", [
    ({"identity": "key:alice", "member_id": "US-002"}, "US-002"),   # a request: the auth handler's user
    ({"identity": "key:alice"}, "US-002"),                          # a cron firing: the owner's name alone
    ({"identity": "jwt:carol"}, None),                              # a token's member cannot be recovered
    ({"identity": "alice"}, None),                                  # an owner from before the namespaces
    ({"identity": "key:mallory"}, None),                            # a key since removed from the config
    (None, None),
])
def test_the_member_of_a_user(user, member):
    assert member_of_user(user, AUTH) == member


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
