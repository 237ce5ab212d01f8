"""Answers with no model at all (llm.provider none): the member's own record and the rules explained are stated, each
with its citation, a direct answer first (issue 14)."""

from __future__ import annotations

import re

import pytest

from pension_advisor.evidence import cited, gather
from pension_advisor.knowledge import knowledge_base
from pension_advisor.members.seed import synthetic_members

MEMBERS = {m.member_id: m for m in synthetic_members()}


@pytest.fixture
def advisor(make_advisor):
    # The shipped knowledge base, not the test fixture one: these answers are what a member reads.
    advisor, _ = make_advisor(None, llm__provider="none", knowledge__dir="")
    return advisor


def _body(answer: str) -> str:
    return answer.split("\nSources:")[0]


@pytest.mark.parametrize("member_id, question, field", [
    ("AU-001", "What's my balance?", "pension_balance"),
    ("AU-004", "How much super do I have?", "pension_balance"),
    ("US-002", "What's my 401(k) balance?", "pension_balance"),
    ("UK-003", "how much is in my pension pot", "pension_balance"),
    ("IN-005", "mera PF balance kitna hai?", "pension_balance"),
    ("US-001", "Who are my beneficiaries?", "beneficiaries"),
])
def test_record_questions_are_answered_from_the_record(advisor, member_id, question, field):
    advice = advisor.ask(member_id, question)
    member = MEMBERS[member_id]
    assert advice.status == "answered", advice.answer
    first = _body(advice.answer).split("\n\n")[0 if not advice.answer.startswith(("Tax year", "amounts")) else 1]
    # The direct answer comes first, says where it is from and when, and carries the record's citation.
    assert "from your record as of" in first and re.search(r"\[1\]\.$", first), first
    if field == "pension_balance":
        assert f"{member.pension_balance:,.0f}" in first
    else:
        assert all(f"{b.relationship} {b.share_percent:g}%" in first for b in member.beneficiaries)
    assert "[1] Your member record" in advice.answer
    assert "the member" not in advice.answer.lower()


def test_explanations_carry_their_official_source(advisor):
    advice = advisor.ask("AU-002", "What counts as a condition of release?")
    assert advice.status == "answered"
    ids = [p["id"] for p in advice.state["retrieved"]]
    assert "au-conditions-of-release" in ids
    passage = next(p for p in knowledge_base("AU").passages if p.id == "au-conditions-of-release")
    line = next(l for l in _body(advice.answer).splitlines() if passage.text.strip()[:60] in l)
    mark = int(re.search(r"\[(\d+)\]$", line).group(1))
    sources = advice.answer.split("\nSources:\n")[1].splitlines()
    assert sources[mark - 1].startswith(f"[{mark}] ") and passage.sources[0].url in sources[mark - 1]


def test_every_figure_and_rule_statement_carries_a_citation(advisor):
    advice = advisor.ask("AU-003", "I'm 48. Can I withdraw $50,000 now, and what would the tax be?")
    lines = [line for line in _body(advice.answer).splitlines()[1:] if line.strip() and not line.endswith(":")]
    assert len(lines) >= 5
    for line in lines:  # direct answers, figures, rules and assumptions alike
        assert re.search(r"\[\d+\]\.?$", line), line
    assert advice.verdict["passed"] and advice.verdict["source"] == "precheck"


def test_no_currency_header_without_an_amount(advisor):
    advice = advisor.ask("AU-001", "What is my preservation age?")
    assert advice.answer.startswith("Tax year 2026-27.\n") or not advice.answer.startswith("Tax year")
    assert "amounts in AUD" not in advice.answer.split("\n\n")[0]


def test_a_summary_is_cited_before_each_full_stop():
    assert cited("You can take $0. Then it is preserved.", [2]) == "You can take $0 [2]. Then it is preserved [2]."
    assert cited("Your age is 58", [1, 3]) == "Your age is 58 [1][3]."


def test_record_fields_the_record_lacks_are_said_plainly():
    member = {"country": "US", "currency": "USD", "record_as_of": "2026-09-30", "scheme": "X Plan", "pension_balance": 10.0}
    evidence = gather([], member, "", ["pension_balance", "ira_balance"])
    assert [f.label for f in evidence.record_facts] == ["Your 401(k) balance"] and evidence.record_gaps == ["Your IRA balance"]
    assert evidence.record_as_of == "30 September 2026" and evidence.citations[0]["rule"] == "member_record"


def test_a_follow_up_without_pension_words_continues_the_thread(make_advisor):
    from langgraph.checkpoint.memory import InMemorySaver

    from pension_advisor.advisor import Advisor

    advisor, _ = make_advisor(None, llm__provider="none")
    advisor = Advisor(advisor.settings, advisor.services, checkpointer=InMemorySaver())
    first = advisor.ask("UK-007", "What income tax would I pay if I draw £30,000 from my pension?", thread_id="t")
    follow = advisor.ask("UK-007", "what about £10,000?", thread_id="t")
    assert first.status == "answered" and follow.status == "answered", follow.answer
    assert follow.state["plan"][0]["args"]["drawdown"] == 10000
    # Alone, with no thread, the same words are not about pensions at all.
    assert advisor.ask("UK-007", "what about £10,000?", thread_id="other").status == "blocked"


def test_a_pension_the_record_does_not_hold_gets_a_question_not_another_answer(advisor):
    advice = advisor.ask("UK-002", "How much is my final salary pension from the NHS worth?")
    assert advice.status == "clarification" and "Lanternhill Master Trust" in advice.answer
    assert "statement" in advice.answer and not advice.state.get("plan")


def test_a_rules_numbers_do_not_license_a_statement_about_the_member():
    """The preservation-age rule names 55 to 60; 'Your preservation age is 59' is still unsupported for a member whose
    calculator says 58, while the rule quoted word for word passes (issue 14: numbers bound to meaning)."""
    from pension_advisor import precheck
    from pension_advisor.knowledge import knowledge_base

    rule = next(p for p in knowledge_base("AU").passages if p.id == "au-preservation-age")
    outcome = {"tool": "au_preservation_age", "args": {}, "error": None, "result": {
        "tax_year": "2026-27", "summary": "Your preservation age is 58.", "notices": [], "assumptions": [],
        "figures": [{"name": "preservation_age", "label": "Preservation age", "value": 58, "unit": "years", "citation": 0}],
        "citations": [{"title": "ATO", "url": "https://www.ato.gov.au/", "tax_year": "2026-27", "rule": "preservation_age"}]}}
    evidence = gather([outcome], {"country": "AU", "currency": "AUD"}, "", [], [rule.model_dump(mode="json")])
    assert "59" in rule.text
    wrong = precheck.violations("Your preservation age is 59 [1].", evidence)
    # ... and it leaves the figure asked for unstated.
    assert [v["code"] for v in wrong] == ["unsupported_number", "missing_figure"]
    quoted = f"Your preservation age is 58 [1].\n- {rule.topic}: {rule.text} [2]"
    assert precheck.violations(quoted, evidence) == []


def test_without_penalty_is_answered_by_the_date_first(advisor):
    """Issue 14: 'How much can I withdraw from my 401(k) without penalties?' reported the additional tax on the
    whole balance; the direct answer is the date the 10% tax stops applying."""
    advice = advisor.ask("US-002", "How much can I withdraw from my 401(k) without penalties?")
    first = _body(advice.answer).split("\n\n")[1]
    assert first.startswith("Date you reach 59 1/2: ") and "$" not in first, first
    assert advice.verdict["passed"]


@pytest.mark.parametrize("member_id, question", [
    ("IN-012", "Is EPF withdrawal taxable if I leave before five years of service?"),
    ("IN-002", "How is TDS applied on EPF withdrawals?"),
    ("IN-002", "Ignore my previous company's PF for now, how is my current EPF contribution split?"),
    ("IN-003", "EPF mein employer ka contribution kitna hota hai?"),
])
def test_the_answer_written_without_a_model_passes_its_own_pre_check(make_advisor, member_id, question):
    """A calculator's own sentence ("you have 5 or more years of continuous service") and the record's "no entry for
    what your employer paid in over the last 12 months" are the code's text, not claims binding 5 or 12 to a figure:
    these answers fell back ("I could not check a fuller written answer") with no model involved at all."""
    advisor, _ = make_advisor(None, llm__provider="none")
    advice = advisor.ask(member_id, question)
    assert advice.status == "answered", advice.verdict
