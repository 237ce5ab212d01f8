"""Issues 14 and 18: an answer that omits the figures the question asked for must not pass, whatever a reviewer
model thinks of it (a 0.5B model's "My EPF contribution is split between the EPF and EPS." passed the judge)."""

from __future__ import annotations

import pytest

from pension_advisor import precheck
from pension_advisor.evidence import evidence_for

from .conftest import PASS_VERDICT
from .fakes import good_writer


def _ask(make_advisor, member_id: str, question: str, draft):
    advisor, _ = make_advisor({"writer": [draft], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    return advisor.ask(member_id, question)


def test_a_figureless_draft_falls_back_to_the_verified_answer(make_advisor):
    advice = _ask(make_advisor, "IN-001", "How is my EPF contribution split between EPF and EPS?",
                  "My EPF contribution is split between the EPF and EPS.")
    assert advice.status == "fallback", advice.verdict
    assert advice.verdict["source"] == "precheck"
    assert "missing_figure" in {v["code"] for v in advice.verdict["violations"]}
    assert "split between the EPF and EPS." not in advice.answer
    assert "1,968" in advice.answer  # what the member reads states the figures


def test_a_draft_stating_the_figures_passes(make_advisor):
    advice = _ask(make_advisor, "IN-001", "How is my EPF contribution split between EPF and EPS?", good_writer)
    assert advice.status == "answered", advice.verdict


@pytest.mark.parametrize("draft, passes", [
    ("Your employer is on your record [1].", False),
    ("Your employer is Lyrebird Retail Group [1].", True),
    ("You work for lyrebird  retail group, according to your record [1].", True),
])
def test_a_record_question_is_answered_by_the_field_itself(make_advisor, draft, passes):
    advice = _ask(make_advisor, "AU-001", "Who is my employer?", draft)
    assert (advice.status == "answered") is passes, advice.verdict


def test_each_part_of_a_two_part_question_must_be_answered(make_advisor):
    question = "Can I retire at 60 and how much tax on a $50k withdrawal?"
    advisor, _ = make_advisor({"writer": [good_writer], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    evidence = evidence_for(advisor.ask("AU-001", question).state)
    labels = [a.label for a in evidence.asked]
    assert len(labels) == 2, labels
    half = "Your preservation age is 58 years [1]."
    missing = precheck.missing_figures(half, evidence)
    assert [a.label for a in missing] == [labels[1]]
    # The question's own amount answers nothing: "$50,000" is what was asked about, not the tax on it.
    assert precheck.missing_figures(half + " You asked about taking out $50,000 [2].", evidence) == missing
    assert precheck.missing_figures(half + " The tax withheld is $0 [2].", evidence) == []


def test_a_rules_own_numbers_do_not_count_as_the_answer(make_advisor):
    """A rule quoted word for word holds numbers (55 to 60 for preservation ages); they are the rule's, not the
    member's figure."""
    advisor, _ = make_advisor({"writer": [good_writer], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    evidence = evidence_for(advisor.ask("AU-001", "What is my preservation age?").state)
    if not evidence.explanations:
        pytest.fail("expected the preservation-age rule to be retrieved")
    rule = evidence.explanations[0]
    quoted = f"- {rule.topic}: {rule.text} [{rule.citation}]"
    assert [a.label for a in precheck.missing_figures(quoted, evidence)] == ["Preservation age"]
    assert precheck.missing_figures("Your preservation age is 58 [1].\n" + quoted, evidence) == []


def test_explanations_alone_ask_for_no_figure(make_advisor):
    advisor, _ = make_advisor({"writer": [good_writer], "reviewer": [PASS_VERDICT]}, judge__max_retries="0")
    advice = advisor.ask("AU-001", "What counts as a condition of release?")
    evidence = evidence_for(advice.state)
    assert evidence.explanations and evidence.asked == []
