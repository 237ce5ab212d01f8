"""Authentication and member isolation for the API (Aegra's `auth.path`).

Every request needs an API key or a JWT (401 otherwise); each identity may only ask about its own member
record (403 otherwise), whatever the request body or the question says. Threads are already private to
their owner: Aegra scopes them by identity.
"""

from __future__ import annotations

from typing import Any

from langgraph_sdk import Auth

from pension_advisor.advisor import TRACEPARENT

from pension_advisor.server.identities import API_KEY_KIND, Unauthorized, credentials, identify, user_field
from pension_advisor.server.runtime import services

auth = Auth()


@auth.authenticate
async def authenticate(headers: dict) -> Auth.types.MinimalUserDict:
    # Aegra passes headers with lower-case str keys; langgraph-api passes bytes. Accept both.
    headers = {_text(k).lower(): _text(v) for k, v in headers.items()}
    try:
        identity = identify(credentials(headers), services().settings.server.auth)
    except Unauthorized as exc:
        raise Auth.exceptions.HTTPException(status_code=401, detail=str(exc)) from None
    traceparent = headers.get("traceparent", "").strip()
    return {"identity": identity.name, "display_name": identity.name, "is_authenticated": True,
            "member_id": identity.member_id,
            # Rides with the run to the graph (config.configurable.langgraph_auth_user), which joins the caller's trace.
            "traceparent": traceparent if TRACEPARENT.match(traceparent) else None}


@auth.on.threads.create
@auth.on.threads.create_run
@auth.on.threads.update
@auth.on.crons.update
@auth.on.assistants.create
@auth.on.assistants.update
async def own_member_only(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    """A clear 403 for a request that names another member anywhere in its body (input, command, state values,
    config, context, metadata, a cron's payload). Not the guarantee: the graph's nodes read the member the
    server's graph factory names from the credentials (server/graph.py); this says no early and plainly."""
    allowed = user_field(ctx.user, "member_id")
    for asked in _member_ids_in(value):
        if asked != allowed:
            raise Auth.exceptions.HTTPException(
                status_code=403,
                detail=f"'{user_field(ctx.user, 'identity')}' may only ask about member {allowed}, not {asked}")


@auth.on.crons.create
async def own_member_crons_for_api_keys(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    # A cron fires later without its creator's token: only an API key's member can be looked up then.
    if not str(user_field(ctx.user, "identity")).startswith(f"{API_KEY_KIND}:"):
        raise Auth.exceptions.HTTPException(
            status_code=403, detail="scheduled questions need an API key; a token's member cannot be checked later")
    await own_member_only(ctx, value)


def _member_ids_in(value: Any, depth: int = 0) -> list[Any]:
    """Every value of a ``member_id`` key, at any depth of a request body."""
    if depth > 20:
        return []
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "member_id"]
        return found + [m for v in value.values() for m in _member_ids_in(v, depth + 1)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _member_ids_in(v, depth + 1)]
    return []


@auth.on.store
async def no_store_access(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    # The advisor keeps nothing in the long-term store; callers have no business reading or writing it.
    raise Auth.exceptions.HTTPException(status_code=403, detail="this API does not offer the long-term store")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
