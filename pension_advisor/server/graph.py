"""The graph as API servers run it: Aegra's `graphs` entry (see serve.py) and langgraph.json's (`langgraph dev`).

Each run asks about the caller's own member (from their credentials, see auth.py) and joins the caller's W3C
trace: the `traceparent` header of the request, or a `traceparent` in the run's metadata.
"""

from __future__ import annotations

import signal
import threading
from typing import Any, AsyncIterator

from langgraph.graph.state import CompiledStateGraph

from pension_advisor.advisor import TRACEPARENT
from pension_advisor.graph.graph import build_graph
from pension_advisor.monitoring.worker import start_in_process
from pension_advisor.observability.spans import GRAPH_NAME
from pension_advisor.observability.tracing import caller_trace_context, setup_tracing

from pension_advisor.server.identities import user_field
from pension_advisor.server.runtime import services


class ServedGraph(CompiledStateGraph):
    """The compiled advisor graph; a server's `astream` (which `astream_events` also uses) runs it per request."""

    async def astream(self, input: Any, config: dict | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        user = ((config or {}).get("configurable") or {}).get("langgraph_auth_user")
        member_id = user_field(user, "member_id")
        if member_id and isinstance(input, dict):
            input = {**input, "member_id": member_id}  # the credentials decide the member, never the body
        # The context stays attached for the whole run: the root span opens on the first step.
        with caller_trace_context(_traceparent(config, user)):
            async for chunk in super().astream(input, config, **kwargs):
                yield chunk


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
