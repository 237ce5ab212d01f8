"""The advisor application: the compiled graph wired to its services, tracing and scoring worker.

Every entry point builds it here: the library (advisor.Advisor, which the CLI and the MLflow model use) and both
API servers (server/graph.py: `langgraph dev` and Aegra). Each run of it happens inside `member_run`, which names
the run's member and joins the caller's trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from .graph.graph import build_graph
from .monitoring.worker import start_in_process
from .observability.spans import GRAPH_NAME
from .observability.tracing import caller_trace_context, setup_tracing
from .privacy import run_member
from .services import Services


@dataclass(frozen=True)
class App:
    services: Services
    graph: CompiledStateGraph
    tracing: bool  # whether this process records traces


def build_app(services: Services, *, checkpointer: Any = None, store: Any = None) -> App:
    """Set up tracing, compile the graph and start the in-process scoring worker (when configured).

    ``checkpointer`` / ``store`` are LangGraph persistence for a host that keeps threads itself (the library);
    an API server supplies its own, so it passes neither (a graph compiled with them is rejected there)."""
    tracing = setup_tracing(services.settings, services.pseudonym_salt, services.members)
    graph = build_graph(services).compile(name=GRAPH_NAME, checkpointer=checkpointer, store=store)
    start_in_process(services)
    return App(services=services, graph=graph, tracing=tracing)


@contextmanager
def member_run(member_id: str, traceparent: str | None = None) -> Iterator[None]:
    """Runs started inside this block are about ``member_id`` (the nodes read it first, nodes/member.py; so do the
    trace's redaction and summary) and their trace is a child of ``traceparent`` (W3C), when given. The root span
    opens on the run's first step, so the block must hold for the whole run."""
    with caller_trace_context(traceparent), run_member(member_id):
        yield
