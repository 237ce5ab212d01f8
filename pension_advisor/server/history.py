"""`POST /threads/{id}/history` with a `metadata` filter, answered as the Agent Server API documents it.

Aegra 0.11 hands the request's `metadata` to LangGraph's `aget_state_history` under that name; LangGraph calls the
filter `filter`, so the call fails and the stock SDK's `threads.get_history(..., metadata=...)` gets a 500. This
ASGI middleware (on routes.app) takes `metadata` out of the request, asks Aegra for the largest page (1000 states,
Aegra's limit) and keeps the states whose checkpoint metadata holds every key and value asked for, up to the limit
the caller asked for (default 10, as Aegra's). Threads with more than 1000 checkpoints are filtered within their
newest 1000.
"""

from __future__ import annotations

import json
import re
from typing import Any

_HISTORY = re.compile(r"/threads/[^/]+/history/?")
_DEFAULT_LIMIT, _MAX_LIMIT = 10, 1000


class HistoryMetadataFilter:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _HISTORY.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        asked = _json(body)
        if not isinstance(asked, dict):
            asked = {}
        wanted, limit = asked.get("metadata"), asked.get("limit") or _DEFAULT_LIMIT
        if not isinstance(wanted, dict) or not isinstance(limit, int) or not 1 <= limit <= _MAX_LIMIT:
            # No filter, or a request Aegra answers itself (a bad limit is a 422 there).
            await self.app(scope, _replay(body), send)
            return
        forwarded = json.dumps({**{k: v for k, v in asked.items() if k != "metadata"}, "limit": _MAX_LIMIT}).encode()
        answer = _Answer()
        await self.app(_with_length(scope, len(forwarded)), _replay(forwarded), answer.collect)
        states = _json(answer.body) if answer.status == 200 else None
        if isinstance(states, list):
            kept = [s for s in states if _holds(s, wanted)][:limit]
            await answer.replay(send, json.dumps(kept).encode())
        else:
            await answer.replay(send, answer.body)


def _holds(state: Any, wanted: dict) -> bool:
    metadata = state.get("metadata") if isinstance(state, dict) else None
    return isinstance(metadata, dict) and all(k in metadata and metadata[k] == v for k, v in wanted.items())


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _with_length(scope: dict, length: int) -> dict:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


class _Answer:
    """The downstream response, held back so that its body can be filtered."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def collect(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    async def replay(self, send: Any, body: bytes) -> None:
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
