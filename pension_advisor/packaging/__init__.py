"""pension-advisor as an MLflow model: a ResponsesAgent logged from code, registered, with champion/challenger aliases.

- ``agent.py``: the ResponsesAgent (request -> Advisor.ask -> response).
- ``model.py``: the models-from-code file MLflow logs.
- ``register.py``: log + register + alias, and a batch predict over a DataFrame.
"""
