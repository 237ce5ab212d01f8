"""The graph factory the API servers load (through server/graph.py): LangGraph's documented ServerRuntime factory
interface, which Aegra and `langgraph dev` both call for every access to the graph.

For a run, the factory names the caller's own member (from their credentials, see auth.py) with app.member_run
around the whole run, so the nodes read that member and nothing a request carried (context, input, command, state
write, cron input; nodes/member.py), and the run joins the caller's W3C trace: the `traceparent` header of the
request, or a `traceparent` in the run's metadata.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph_sdk.runtime import ServerRuntime

from pension_advisor.advisor import TRACEPARENT
from pension_advisor.app import App, build_app, member_run
from pension_advisor.config.schema import ServerAuth
from pension_advisor.nodes.member import NoMemberForRun

from pension_advisor.server.identities import member_of_user, user_field
from pension_advisor.server.runtime import services


def served_app() -> App:
    """The process's app, built for a server: the server keeps its own SIGTERM handler."""
    server_sigterm = signal.getsignal(signal.SIGTERM)
    app = build_app(services())  # no checkpointer or store: the server supplies its own
    if threading.current_thread() is threading.main_thread():
        # Keep the server's own handler (tracing set up its own): it drains running requests first, then
        # routes.lifespan flushes traces.
        signal.signal(signal.SIGTERM, server_sigterm)
    return app


def graph_factory(app: App):
    """The factory the servers load, serving ``app``."""
    auth = app.services.settings.server.auth

    @asynccontextmanager
    async def graph(config: RunnableConfig, runtime: ServerRuntime) -> AsyncIterator[CompiledStateGraph]:
        """The compiled graph; for a run (``runtime.execution_runtime``), inside the run's member_run block, which
        the servers hold open until the run ends. Reads, state writes and schema requests get the graph as it is."""
        execution = runtime.execution_runtime
        if execution is None:
            yield app.graph
            return
        with member_run(_member_of_run(auth, runtime.user, execution.context), _traceparent(config, runtime.user)):
            yield app.graph

    return graph


def _member_of_run(auth: ServerAuth, user: Any, context: Any) -> str:
    if auth.enabled:
        # runtime.user is the user the server built from the credentials (auth.py), which no request can write.
        member_id = member_of_user(user, auth)
        if member_id is None:
            raise NoMemberForRun("this run's credentials name no member record; ask with a member's API key or token")
        return member_id
    # Development only (serve warns loudly): the caller says who they are, in the run's context.
    member_id = context.get("member_id") if isinstance(context, Mapping) else getattr(context, "member_id", None)
    if not isinstance(member_id, str) or not member_id:
        raise NoMemberForRun('server.auth.enabled is false: name the member in the run\'s context, '
                             'e.g. context={"member_id": "AU-001"}')
    return member_id


def _traceparent(config: RunnableConfig | None, user: Any) -> str | None:
    config = config or {}
    for candidate in (user_field(user, "traceparent"),                         # Aegra: the request's header (auth.py)
                      (config.get("configurable") or {}).get("traceparent"),   # langgraph dev: http.configurable_headers
                      (config.get("metadata") or {}).get("traceparent")):      # any server: the run's metadata
        if isinstance(candidate, str) and TRACEPARENT.match(candidate):
            return candidate
    return None

