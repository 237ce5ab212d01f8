"""The API servers' graph factory (server/factory.py), in process: a run is about the member of the credentials,
whatever the request's context and input name. The end-to-end judge is test_isolation.py."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from pension_advisor.app import App
from pension_advisor.nodes.member import NoMemberForRun
from pension_advisor.privacy import current_run_member
from pension_advisor.server.factory import graph_factory

from ..conftest import PASS_VERDICT

QUESTION = "What is my balance?"
A, B = "US-002", "AU-001"


@pytest.fixture
def app(make_advisor) -> App:
    advisor, _ = make_advisor({"writer": ["Your balance is in the results [1]."] * 10,
                               "reviewer": [PASS_VERDICT] * 10})
    assert advisor.settings.server.auth.enabled
    return App(advisor.services, advisor.graph, advisor.tracing)


def _runtime(user, context=None, run=True):
    # What the servers hand a factory (langgraph_sdk.runtime.ServerRuntime): the user, and for a run its context.
    return SimpleNamespace(user=user, execution_runtime=SimpleNamespace(context=context) if run else None)


async def _ask(app: App, runtime) -> dict:
    async with graph_factory(app)({"configurable": {}}, runtime) as graph:
        # A request naming B everywhere it can: the input and the run's context.
        return await graph.ainvoke({"question": QUESTION, "member_id": B}, context={"member_id": B})


def test_a_run_is_about_the_member_of_the_credentials(app):
    alice = SimpleNamespace(identity="key:alice", member_id=A)
    state = asyncio.run(_ask(app, _runtime(alice, {"member_id": B})))
    assert state["member_id"] == A and state["member"]["country"] == "US" and "AUD" not in state["final_answer"]
    assert current_run_member() is None  # named for the run only


def test_credentials_without_a_member_are_refused(app):
    with pytest.raises(NoMemberForRun):
        asyncio.run(_ask(app, _runtime(SimpleNamespace(identity="jwt:someone"), {"member_id": B})))


def test_reads_get_the_graph_without_naming_a_member(app):
    async def read():
        async with graph_factory(app)({"configurable": {}}, _runtime(None, run=False)) as graph:
            return graph, current_run_member()

    graph, named = asyncio.run(read())
    assert graph is app.graph and named is None

