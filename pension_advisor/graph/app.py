"""The graph as `langgraph dev` and other Agent Server hosts load it (see langgraph.json).

A graph factory: the server calls `graph(config)` for each run and runs the graph inside the returned context,
so a caller's W3C `traceparent` (sent as run metadata, or as an HTTP header surfaced through
`http.configurable_headers`) makes the run's trace a child of the caller's. Compiled without persistence:
the server supplies the checkpointer and store.
"""

from contextlib import contextmanager

from pension_advisor.advisor import TRACEPARENT
from pension_advisor.config import load_settings
from pension_advisor.graph.graph import build_graph
from pension_advisor.monitoring.worker import start_in_process
from pension_advisor.observability.spans import GRAPH_NAME
from pension_advisor.observability.tracing import caller_trace_context, setup_tracing
from pension_advisor.services import Services

_services = Services(load_settings())
setup_tracing(_services.settings, _services.pseudonym_salt, _services.members)
_graph = build_graph(_services).compile(name=GRAPH_NAME)
start_in_process(_services)


@contextmanager
def graph(config):
    traceparent = (config.get("metadata") or {}).get("traceparent") or (config.get("configurable") or {}).get("traceparent")
    valid = isinstance(traceparent, str) and TRACEPARENT.match(traceparent)
    with caller_trace_context(traceparent if valid else None):
        yield _graph
