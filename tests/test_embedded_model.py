"""The whole graph with the real embedded model (SmolLM2-135M on llama.cpp): slow-ish, but real.

The model gets facts wrong; what this pins is that nothing it invents reaches the member.
"""

from __future__ import annotations

import pytest

from pension_advisor.advisor import Advisor
from pension_advisor.config import load_settings
from pension_advisor import precheck
from pension_advisor.evidence import evidence_for, numbers_in
from pension_advisor.answer import FALLBACK_NOTE
from pension_advisor.llm.embedded import stop_embedded_server


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embedded")
    settings = load_settings(env={"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp / "m.db"),
                                  "PENSION_ADVISOR__TRACING__ENABLED": "false",
                                  "PENSION_ADVISOR__LLM__PROVIDER": "embedded",
                                  "PENSION_ADVISOR__JUDGE__MAX_RETRIES": "1"})
    yield Advisor(settings)
    stop_embedded_server()


@pytest.mark.parametrize("member_id, question", [
    ("AU-001", "What is my preservation age?"),
    ("US-002", "What will my Social Security benefit be if I claim at 62?"),
])
def test_real_model_end_to_end(advisor, member_id, question):
    advice = advisor.ask(member_id, question)
    # On a busy machine the real model can miss its deadline: then the answer is `degraded` and says so (a test must
    # not depend on how busy the machine is, so that outcome is checked, not failed).
    assert advice.status in {"answered", "fallback", "degraded"}
    if advice.status == "degraded":
        assert {f["kind"] for f in advice.state["model_faults"]} <= {"timeout", "busy", "server_error"}
        assert "did not reply in time" in advice.answer or "too busy" in advice.answer or "failed" in advice.answer
    else:
        assert 1 <= advice.attempts <= 2
        writer_text = [a["answer"] for a in advice.state["attempts"]]
        assert all(text for text in writer_text), "the model wrote nothing"
    # Whatever it wrote, every number the member reads before the source list is a verified one.
    # (A rule quoted word for word from the knowledge base keeps its own numbers: they are checked outside it.)
    evidence = evidence_for(advice.state)
    shown = precheck.without_quotes(advice.answer.split("\nSources:")[0], evidence)
    assert [n for n in numbers_in(shown) if not evidence.allows(n)] == []
    assert "general information" in advice.answer
    assert "follow up" not in advice.answer
    if advice.status == "answered":
        assert advice.verdict["passed"]
    elif advice.status == "fallback":
        assert FALLBACK_NOTE in advice.answer
