"""The advisor graph: `state` (the one state schema), `graph` (topology), `routes`, `app` (langgraph.json entry).

Kept import-free so a node module can import the state schema without pulling in the graph that imports it.
"""
