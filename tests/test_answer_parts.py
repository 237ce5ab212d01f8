"""Issue 17: the answer travels as data beside its text (answer.parts: header, body, sources, disclaimer), so the
scorers read fields from the sampled payload instead of parsing the rendered answer back with regexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pension_advisor import answer
from pension_advisor.members.seed import synthetic_members
from pension_advisor.monitoring.evaluation import load_dataset
from pension_advisor.scorers.common import read

from .conftest import PASS_VERDICT

ROWS = [r for i, r in enumerate(load_dataset(Path(__file__).parents[1] / "datasets" / "pension_eval.jsonl")) if i % 5 == 0]


def _fields(reply):
    # A source without a URL (the member's record) is one the text's pattern cannot split into title and tax year:
    # the parts carry both; here only its number is compared.
    sources = [vars(s) if s.url else s.number for s in reply.sources]
    return (reply.header, reply.header_currency, reply.body, sources, reply.has_disclaimer)


@pytest.fixture(scope="module")
def deterministic(tmp_path_factory):
    from pension_advisor.advisor import Advisor
    from pension_advisor.config import load_settings

    env = {"PENSION_ADVISOR__MEMBERS__DB_PATH": str(tmp_path_factory.mktemp("m") / "members.db"),
           "PENSION_ADVISOR__TRACING__ENABLED": "false", "PENSION_ADVISOR__LLM__PROVIDER": "none",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__SAMPLING_RATE": "0"}
    return Advisor(load_settings(env=env))


def test_the_parts_render_to_the_text_and_read_as_the_text_does(deterministic):
    """Every reply kind of a fifth of the evaluation set (answers, explanations, record questions, clarifications):
    the parts render to exactly what the member read, and a scorer reads the same fields from them as from the text."""
    assert len(ROWS) >= 40
    for row in ROWS:
        advice = deterministic.ask(row.member_id, row.question, on_date=row.on_date)
        parts = advice.state["final_parts"]
        assert parts is not None and answer.render(parts) == advice.answer, row.id
        outputs = {"answer": advice.answer, "status": advice.status, "member": advice.state.get("member"),
                   "tool_outcomes": advice.state.get("tool_outcomes", [])}
        inputs = {"question": row.question, "member_id": row.member_id}
        assert _fields(read(inputs, {**outputs, "final_parts": parts})) == _fields(read(inputs, outputs)), row.id


def test_a_masked_draft_masks_the_body_part_too(make_advisor):
    other = next(m for m in synthetic_members() if m.member_id == "AU-002")
    draft = f"Your preservation age is 58 years [1]. {other.name} has the same access rules as you."
    advisor, _ = make_advisor({"writer": [draft], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    advice = advisor.ask("AU-001", "What is my preservation age?")
    parts = advice.state["final_parts"]
    assert advice.status == "answered" and other.name not in advice.answer
    assert other.name not in parts["body"] and answer.render(parts) == advice.answer


def test_a_withheld_answer_is_plain_text(make_advisor):
    draft = "Your preservation age is 58 years [1]. The planner called the calculator au_preservation_age."
    advisor, _ = make_advisor({"writer": [draft], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    advice = advisor.ask("AU-001", "What is my preservation age?")
    assert advice.status == "withheld"
    assert advice.state["final_parts"] == {**answer.plain(advice.answer)} and advice.state["final_parts"]["sources"] == []


def test_scorers_take_the_fields_not_the_text(deterministic):
    advice = deterministic.ask("AU-001", "What is my preservation age?")
    parts = {**advice.state["final_parts"], "sources": []}  # what the run says it showed
    reply = read({"question": "What is my preservation age?", "member_id": "AU-001"},
                 {"answer": advice.answer, "status": advice.status, "final_parts": parts})
    assert reply.sources == [] and "Sources:" in advice.answer
