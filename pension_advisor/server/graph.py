"""The graph as API servers run it: Aegra's `graphs` entry (see serve.py) and langgraph.json's (`langgraph dev`).

Each run asks about the caller's own member (from their credentials, see auth.py and ServedGraph) and joins the caller's W3C
trace: the `traceparent` header of the request, or a `traceparent` in the run's metadata.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Mapping
from typing import Any, AsyncIterator, Iterator

from langgraph.graph.state import CompiledStateGraph

from pension_advisor.advisor import TRACEPARENT
from pension_advisor.graph.graph import build_graph
from pension_advisor.monitoring.worker import start_in_process
from pension_advisor.nodes.member import NoMemberForRun
from pension_advisor.observability.spans import GRAPH_NAME
from pension_advisor.observability.tracing import caller_trace_context, setup_tracing
from pension_advisor.privacy import run_member

from pension_advisor.server.identities import member_of_user, user_field
from pension_advisor.server.runtime import services


class ServedGraph(CompiledStateGraph):
    """The compiled advisor graph; a server's `astream` (which `astream_events` and `ainvoke` also use) runs it per
    request. Every run's context is set here from the authenticated caller, overwriting whatever the request's
    `context` held: the nodes read the member from nothing else (nodes/member.py), so no input shape (dict,
    command, none), state write, cron or route can point a run at another member."""

    async def astream(self, input: Any, config: dict | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        input, kwargs = _authenticated(input, config, kwargs)
        # The context stays attached for the whole run: the root span opens on the first step.
        user = ((config or {}).get("configurable") or {}).get("langgraph_auth_user")
        with caller_trace_context(_traceparent(config, user)), run_member(kwargs["context"]["member_id"]):
            async for chunk in super().astream(input, config, **kwargs):
                yield chunk

    def stream(self, input: Any, config: dict | None = None, **kwargs: Any) -> Iterator[Any]:
        input, kwargs = _authenticated(input, config, kwargs)
        with run_member(kwargs["context"]["member_id"]):
            yield from super().stream(input, config, **kwargs)


    async def aget_state_history(self, config: dict, *, filter: dict | None = None, before: Any = None,
                                 limit: int | None = None, metadata: dict | None = None,
                                 **kwargs: Any) -> AsyncIterator[Any]:
        # Aegra passes a history request's `metadata` under that name; LangGraph calls the same filter `filter`
        # (without this, `threads.get_history(..., metadata=...)` from the stock SDK is a 500).
        if metadata:
            filter = {**(filter or {}), **metadata}
        async for snapshot in super().aget_state_history(config, filter=filter, before=before, limit=limit,
                                                         **kwargs):
            yield snapshot


def _authenticated(input: Any, config: dict | None, kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    auth = services().settings.server.auth
    if auth.enabled:
        user = ((config or {}).get("configurable") or {}).get("langgraph_auth_user")
        # The server's user is an object it built (Aegra: a pydantic model); a plain mapping there came from a
        # request's own config.configurable, which the server overwrites only when it has a user of its own.
        member_id = None if isinstance(user, Mapping) else member_of_user(user, auth)
        if member_id is None:
            raise NoMemberForRun("this run's credentials name no member record; ask with a member's API key or token")
    else:  # development only (serve warns loudly): the caller says who they are, in the run's context
        asked = kwargs.get("context")
        member_id = asked.get("member_id") if isinstance(asked, dict) else getattr(asked, "member_id", None)
        if not isinstance(member_id, str) or not member_id:
            raise NoMemberForRun('server.auth.enabled is false: name the member in the run\'s context, '
                                 'e.g. context={"member_id": "AU-001"}')
    if isinstance(input, dict):
        input = {**input, "member_id": member_id}  # for the trace's redaction context only: the graph ignores it
    return input, {**kwargs, "context": {"member_id": member_id}}


def _traceparent(config: dict | None, user: Any) -> str | None:
    config = config or {}
    for candidate in (user_field(user, "traceparent"),                         # Aegra: the request's header (auth.py)
                      (config.get("configurable") or {}).get("traceparent"),   # langgraph dev: http.configurable_headers
                      (config.get("metadata") or {}).get("traceparent")):      # any server: the run's metadata
        if isinstance(candidate, str) and TRACEPARENT.match(candidate):
            return candidate
    return None


def _compile() -> ServedGraph:
    svc = services()
    server_sigterm = signal.getsignal(signal.SIGTERM)
    setup_tracing(svc.settings, svc.pseudonym_salt, svc.members)
    if threading.current_thread() is threading.main_thread():
        # Keep the server's own handler: it drains running requests first, then routes.lifespan flushes traces.
        signal.signal(signal.SIGTERM, server_sigterm)
    compiled = build_graph(svc).compile(name=GRAPH_NAME)  # the server supplies checkpointer and store
    start_in_process(svc)
    return ServedGraph(**{k: v for k, v in compiled.__dict__.items() if k != "__orig_class__"})


graph = _compile()
