"""The graph as `langgraph dev` and other Agent Server hosts load it (see langgraph.json).

Exported uncompiled-persistence: the server supplies the checkpointer and store.
"""

from pension_advisor.config import load_settings
from pension_advisor.graph import build_graph
from pension_advisor.services import Services
from pension_advisor.tracing import setup_tracing

_settings = load_settings()
setup_tracing(_settings.tracing)
graph = build_graph(Services(_settings)).compile()
