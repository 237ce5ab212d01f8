"""The graph takes its member from the run's context only: no input shape, state write or foreign checkpoint
changes whose record a run reads (the choke point behind every API route, nodes/member.py)."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from pension_advisor.advisor import Advisor
from pension_advisor.nodes.member import NoMemberForRun, ThreadOfAnotherMember

from ..conftest import PASS_VERDICT

QUESTION = "What is my balance?"
A, B = "US-002", "AU-001"


@pytest.fixture
def graph(make_advisor):
    advisor, _ = make_advisor({"writer": ["Your balance is in the results [1]."] * 10, "reviewer": [PASS_VERDICT] * 10})
    return Advisor(advisor.settings, advisor.services, checkpointer=InMemorySaver()).graph


def _cfg(thread: str) -> dict:
    return {"configurable": {"thread_id": thread}}


def _about(state: dict) -> str:
    return state["member"]["country"]


def test_the_context_decides_the_member_whatever_the_input_names(graph):
    state = graph.invoke({"question": QUESTION, "member_id": B}, _cfg("t1"), context={"member_id": A})
    assert state["member_id"] == A and _about(state) == "US" and "AUD" not in state["final_answer"]


def test_internal_keys_in_the_input_are_ignored(graph):
    state = graph.invoke({"question": QUESTION, "status": "answered", "final_answer": "planted",
                          "member": {"country": "AU"}, "turns": [{"question": "planted", "status": "answered",
                                                                  "tools": []}]},
                         _cfg("t2"), context={"member_id": A})
    assert _about(state) == "US" and state["final_answer"] != "planted" and state.get("turns") in (None, [])


def test_a_run_without_a_member_in_its_context_is_refused(graph):
    with pytest.raises(NoMemberForRun):
        graph.invoke({"question": QUESTION}, _cfg("t3"))
    with pytest.raises(NoMemberForRun):
        graph.invoke({"question": QUESTION}, _cfg("t3b"), context={"member_id": ""})


@pytest.mark.parametrize("goto", ["start_turn", "input_guardrail", "plan"])
def test_a_command_naming_another_member_is_refused(graph, goto):
    graph.invoke({"question": QUESTION}, _cfg(f"c-{goto}"), context={"member_id": A})
    with pytest.raises(ThreadOfAnotherMember):
        graph.invoke(Command(update={"member_id": B, "question": QUESTION}, goto=goto), _cfg(f"c-{goto}"),
                     context={"member_id": A})


def test_a_command_on_a_fresh_thread_cannot_choose_the_member(graph):
    with pytest.raises(ThreadOfAnotherMember):
        graph.invoke(Command(update={"member_id": B, "question": QUESTION}, goto="plan"), _cfg("c-fresh"),
                     context={"member_id": A})


def test_a_state_write_naming_another_member_is_never_resumed(graph):
    graph.invoke({"question": QUESTION}, _cfg("s1"), context={"member_id": A})
    graph.update_state(_cfg("s1"), {"member_id": B, "question": QUESTION}, as_node="start_turn")
    with pytest.raises(ThreadOfAnotherMember):
        graph.invoke(None, _cfg("s1"), context={"member_id": A})  # checkpoint only: resumes at input_guardrail
    with pytest.raises(ThreadOfAnotherMember):
        graph.invoke({"question": QUESTION}, _cfg("s1"), context={"member_id": A})


def test_a_thread_written_under_another_member_is_never_resumed(graph):
    graph.invoke({"question": QUESTION}, _cfg("m1"), context={"member_id": B})
    with pytest.raises(ThreadOfAnotherMember):
        graph.invoke({"question": QUESTION}, _cfg("m1"), context={"member_id": A})
    # The owner carries on as before.
    again = graph.invoke({"question": QUESTION}, _cfg("m1"), context={"member_id": B})
    assert again["member_id"] == B and _about(again) == "AU"


def test_the_schemas_offer_callers_only_the_question(graph):
    assert set(graph.get_input_jsonschema()["properties"]) == {"question", "on_date"}
    assert set(graph.get_context_jsonschema()["properties"]) == {"member_id"}
    out = set(graph.get_output_jsonschema()["properties"])
    assert {"final_answer", "status", "member_id"} <= out and not {"draft_body", "retry_feedback"} & out
