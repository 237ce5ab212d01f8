"""Issue 17: the evidence is computed once, by the tools node, and carried in the state as JSON; the writer, the
judge, the fallback and the scorers read it from there instead of rebuilding it."""

from __future__ import annotations

import json

from pension_advisor import evidence as evidence_module
from pension_advisor.evidence import Evidence, evidence_for, evidence_of
from pension_advisor.nodes import tools as tools_node
from pension_advisor.scorers.common import read

from .conftest import PASS_VERDICT

INVENTED = "Your preservation age is 55 [1]."


def _counting(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = evidence_module.evidence_for

    def counted(state):
        calls.append(1)
        return real(state)

    monkeypatch.setattr(evidence_module, "evidence_for", counted)
    monkeypatch.setattr(tools_node, "evidence_for", counted)
    return calls


def test_a_run_with_a_retry_and_a_fallback_builds_the_evidence_once(make_advisor, monkeypatch):
    calls = _counting(monkeypatch)
    advisor, fake = make_advisor({"writer": [INVENTED], "reviewer": [PASS_VERDICT]}, judge__max_retries="1")
    advice = advisor.ask("AU-001", "What is my preservation age?")
    assert advice.status == "fallback" and len(fake.role_calls("writer")) == 2
    assert len(calls) == 1
    carried = advice.state["evidence"]
    assert json.loads(json.dumps(carried)) == carried  # plain JSON, as a checkpoint or a trace stores it
    assert [f["label"] for f in carried["facts"]][:1] == ["Preservation age"]


def test_the_json_form_reads_back_to_the_same_evidence(make_advisor):
    advisor, _ = make_advisor(None, llm__provider="none")
    state = advisor.ask("AU-001", "Can I retire at 60 and how much tax on a $50k withdrawal?").state
    built = evidence_for(state)
    assert Evidence.from_json(built.to_json()) == built
    assert evidence_of(state) == built


def test_scorers_read_the_runs_evidence_not_a_rebuilt_one(make_advisor):
    advisor, _ = make_advisor(None, llm__provider="none")
    state = advisor.ask("AU-001", "What is my preservation age?").state
    payload = {k: state.get(k) for k in ("tool_outcomes", "member", "status", "plan", "evidence")}
    payload["answer"] = state["final_answer"]
    seen, carried = read({"question": state["question"], "member_id": "AU-001"}, payload).evidence, evidence_of(state)
    assert (seen.facts, seen.citations, seen.asked, seen.explanations) == \
        (carried.facts, carried.citations, carried.asked, carried.explanations)
    # What the run carried wins: a figure the run's evidence lacks is not allowed on a rebuild of the outcomes.
    payload["evidence"] = {**state["evidence"], "allowed_numbers": [], "figure_numbers": []}
    reply = read({"question": state["question"], "member_id": "AU-001"}, payload)
    assert not reply.evidence.allows(58)
