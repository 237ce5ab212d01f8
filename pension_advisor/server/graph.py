"""The graph as API servers run it: the `graphs` entry of Aegra's config (serve.py) and of langgraph.json
(`langgraph dev`). `graph` is a graph factory (server/factory.py): each run is about the caller's own member."""

from pension_advisor.server.factory import graph_factory, served_app

graph = graph_factory(served_app())
