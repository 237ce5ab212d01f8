"""The graph as `langgraph dev` and other Agent Server hosts load it (see langgraph.json).

Compiled without persistence: the server supplies the checkpointer and store.
"""

from pension_advisor.config import load_settings
from pension_advisor.graph.graph import build_graph
from pension_advisor.monitoring.worker import start_in_process
from pension_advisor.observability.spans import GRAPH_NAME
from pension_advisor.observability.tracing import setup_tracing
from pension_advisor.services import Services

_services = Services(load_settings())
setup_tracing(_services.settings, _services.pseudonym_salt, _services.members)
graph = build_graph(_services).compile(name=GRAPH_NAME)
start_in_process(_services)
