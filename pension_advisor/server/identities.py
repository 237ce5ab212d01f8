"""Who is calling, from an API key or a JWT, and which member record they may ask about.

Pure functions of the configured identities, so every case is testable without a server.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from typing import Any, Mapping

import jwt

from pension_advisor.config.schema import ServerAuth


class Unauthorized(Exception):
    """No usable credentials: the API answers 401 with this message."""


# Owners of threads, runs and crons are namespaced by kind, so a JWT whose subject equals an API key's name is
# another owner than that key.
API_KEY_KIND, JWT_KIND = "key", "jwt"


@dataclass(frozen=True)
class Identity:
    name: str       # "<kind>:<key name or JWT subject>": the owner of everything this identity creates
    member_id: str


def credentials(headers: Mapping[str, str]) -> str:
    """The bearer token or API key a request carries. Header names are matched without regard to case."""
    lower = {k.lower(): v for k, v in headers.items()}
    if key := lower.get("x-api-key", "").strip():
        return key
    scheme, _, token = lower.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    raise Unauthorized("missing credentials: send 'Authorization: Bearer <API key or JWT>' or 'X-API-Key: <key>'")


def identify(token: str, auth: ServerAuth, env: Mapping[str, str] | None = None) -> Identity:
    """The identity behind ``token``: a configured API key, else a JWT signed with the configured secret."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    for key in auth.api_keys:  # compare every key in constant time: no timing hint about which prefix matched
        if hmac.compare_digest(digest, key.key_sha256):
            return Identity(f"{API_KEY_KIND}:{key.name}", key.member_id)
    if token.count(".") != 2:
        raise Unauthorized("invalid API key")
    return _from_jwt(token, auth, os.environ if env is None else env)


def _from_jwt(token: str, auth: ServerAuth, env: Mapping[str, str]) -> Identity:
    cfg = auth.jwt
    secret = env.get(cfg.secret_env) if cfg.secret_env else None
    if not secret:
        raise Unauthorized("JWTs are not accepted by this server (server.auth.jwt.secret_env is not set)")
    try:
        claims = jwt.decode(token, secret, algorithms=cfg.algorithms, issuer=cfg.issuer, audience=cfg.audience,
                            leeway=cfg.leeway_s, options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the JWT has expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid JWT: {exc}") from None
    member_id = claims.get(cfg.member_claim)
    if not isinstance(member_id, str) or not member_id:
        raise Unauthorized(f"the JWT has no '{cfg.member_claim}' claim naming a member")
    return Identity(f"{JWT_KIND}:{claims['sub']}", member_id)


def member_of_user(user: Any, auth: ServerAuth) -> str | None:
    """The member an authenticated user may ask about: from the user the auth handler built, else (a user the
    server rebuilt from the owner's name alone, as Aegra's cron scheduler does) from the configured API key of
    that name. A JWT owner without its token names no member: None, and the run is refused."""
    member_id = user_field(user, "member_id")
    if isinstance(member_id, str) and member_id:
        return member_id
    identity = user_field(user, "identity")
    if not isinstance(identity, str):
        return None
    kind, _, name = identity.partition(":")
    if kind == API_KEY_KIND:
        return next((key.member_id for key in auth.api_keys if key.name == name), None)
    return None


def user_field(user: Any, name: str) -> Any:
    """A field of the authenticated user as a server hands it over: a dict, a pydantic model with extra fields
    (Aegra) or a mapping-like user object (langgraph-api)."""
    if user is None:
        return None
    if isinstance(user, Mapping):
        return user.get(name)
    value = getattr(user, name, None)
    if value is None and hasattr(user, "__getitem__"):
        try:
            value = user[name]
        except (KeyError, TypeError):
            value = None
    return value


def new_api_key() -> tuple[str, str]:
    """A fresh random API key and the SHA-256 hex digest to put in server.auth.api_keys."""
    key = "pa_" + secrets.token_urlsafe(32)
    return key, hashlib.sha256(key.encode()).hexdigest()
