"""The deterministic planner on members' own words: record questions, several calculators, ages and amounts from the
question, follow-ups, clarifications that name the missing figure, and the overview for a vague question."""

from __future__ import annotations

import datetime as dt

import pytest

from pension_advisor.members.seed import synthetic_members
from pension_advisor.planning.cues import CUES, COMPANIONS, FOCUS, OVERVIEW, PARAMETER_WORDS
from pension_advisor.planning.deterministic import plan
from pension_advisor.planning.phrases import normalise
from pension_advisor.planning.record import RULES, record_fields
from pension_advisor.planning.slots import extract_slots
from pension_advisor.tools import TOOL_SPECS

ON = dt.date(2026, 11, 26)
MEMBERS = {m.member_id: m.model_dump() for m in synthetic_members()}
SPECS = list(TOOL_SPECS.values())


def planned(member_id: str, question: str, previous: str | None = None):
    return plan(question, MEMBERS[member_id], SPECS, ON, previous)


def tools(result) -> list[str]:
    return sorted(c["tool"] for c in result.calls)


@pytest.mark.parametrize("question, fields", [
    ("What's my balance?", ["pension_balance"]),
    ("How much super do I have?", ["pension_balance"]),
    ("What's my 401(k) balance?", ["pension_balance"]),
    ("how much is in my IRA", ["ira_balance"]),
    ("whats my supper ballance", ["pension_balance"]),
    ("mera PF kitna hai?", ["pension_balance"]),
    ("Who are my beneficiaries?", ["beneficiaries"]),
    ("who gets my super if i die", ["beneficiaries"]),
    ("How much does my employer put in?", ["employer_contribution_annual"]),
    ("how much is my employer contributing to my pension?", ["employer_contribution_annual"]),
    ("How much do I pay in each year?", ["employee_contribution_annual"]),
    ("which fund am I with?", ["scheme"]),
    ("How many NI years do I have?", ["ni_qualifying_years"]),
    ("My balance and when can I access it?", ["pension_balance"]),
])
def test_record_questions_read_the_record(question, fields):
    assert record_fields(normalise(question)) == fields


@pytest.mark.parametrize("question", [
    "How much super will I have when I retire at 65?",      # a projection
    "How much super should my employer be paying?",         # the rule (SG), not the record
    "How much can I contribute to my 401k?",                # a limit
    "How much is my final salary pension from the NHS worth?",  # another scheme: not in this record
    "How do I change my beneficiaries?",                    # how-to, not the record
])
def test_questions_that_are_not_about_the_record(question):
    assert record_fields(normalise(question)) == []


def test_record_questions_are_planned_never_clarified():
    for member_id, question in [("AU-002", "How much super do I have?"), ("US-002", "What's my 401(k) balance?"),
                                ("UK-007", "What's my pension pot worth?"), ("IN-004", "What's my EPF balance?")]:
        result = planned(member_id, question)
        assert result.record_fields == ["pension_balance"] and not result.calls and not result.missing


def test_the_record_rules_name_member_fields_and_no_private_one():
    assert "name" not in RULES and "date_of_birth" not in RULES and "member_id" not in RULES


def test_one_question_several_calculators_with_arguments_from_its_words():
    # AU-005 was born in November 1965: 61 on the day asked.
    result = planned("AU-005", "Can I retire at 60 and how much tax on a $50k withdrawal?")
    assert tools(result) == ["au_preservation_age", "au_super_lump_sum_tax"]
    tax = next(c for c in result.calls if c["tool"] == "au_super_lump_sum_tax")
    assert tax["args"]["taxed_element"] == 50_000 and tax["args"]["date_of_birth"] == dt.date(1965, 11, 23)


def test_a_withdrawal_at_48_also_plans_access():
    result = planned("AU-004", "Can I withdraw $50,000 now at 48, and what would the tax be?")
    assert tools(result) == ["au_preservation_age", "au_super_lump_sum_tax"]
    assert extract_slots("Can I withdraw $50,000 now at 48?", "AU") == {"amount": 50_000.0, "age": 48}


@pytest.mark.parametrize("member_id, question, tool", [
    ("AU-008", "How much super will I have when I retire at 65?", "au_super_projection"),
    ("US-012", "how much will my 401k be worth when i retire at 65?", "us_401k_projection"),
])
def test_the_retirement_age_in_the_question_is_used(member_id, question, tool):
    [call] = planned(member_id, question).calls
    assert call["tool"] == tool and call["args"]["retirement_age"] == 65


def test_without_penalties_plans_the_date_it_stops():
    [call] = planned("US-002", "How much can I withdraw from my 401(k) without penalties?").calls
    assert call["tool"] == "us_early_withdrawal_penalty" and call["focus"][0] == "age_59_half_date"
    assert call["args"]["date_of_birth"] == MEMBERS["US-002"]["date_of_birth"]


def test_rule_of_55_reads_the_leaving_age():
    [call] = planned("US-003", "Can I retire at 55 and take money out of my 401k without the 10% penalty?").calls
    assert call["args"]["separation_age"] == 55
    assert call["args"]["amount"] == MEMBERS["US-003"]["pension_balance"]  # "401k" is a plan, not $401,000


def test_a_missing_figure_is_asked_for_not_guessed():
    member = MEMBERS["US-002"] | {"ss_pia_monthly": None}
    result = plan("What will my Social Security be if I claim at 64?", member, SPECS, ON)
    assert not result.calls and result.missing == {"us_social_security_benefit": ["pia_monthly"]}
    assert "pia_monthly" in PARAMETER_WORDS


@pytest.mark.parametrize("member_id, follow_up, previous, tool, arg, value", [
    ("US-002", "What if I claim at 70?", "What will my Social Security benefit be?", "us_social_security_benefit", "claim_age_years", 70),
    ("AU-001", "and what about the tax on a $100k lump sum?", "What's my preservation age?", "au_super_lump_sum_tax", "taxed_element", 100_000),
    ("UK-003", "and what if I had 35 years?", "How much State Pension will I get?", "uk_new_state_pension", "qualifying_years", 35),
    ("IN-004", "what about in 10 years?", "How much will my EPF be worth at retirement?", "in_epf_projection", "years", 10),
    ("US-900", "$2,400 a month", "What will my Social Security be at 67?", "us_social_security_benefit", "claim_age_years", 67),
])
def test_follow_ups_complete_the_previous_question(member_id, follow_up, previous, tool, arg, value):
    member = MEMBERS.get(member_id) or MEMBERS["US-002"] | {"ss_pia_monthly": None}
    result = plan(follow_up, member, SPECS, ON, previous)
    call = next(c for c in result.calls if c["tool"] == tool)
    assert call["args"][arg] == value


def test_a_new_question_in_a_thread_is_not_mixed_with_the_last_one():
    result = planned("AU-001", "What's my balance?", previous="What's my preservation age?")
    assert result.record_fields == ["pension_balance"] and not result.calls


def test_a_vague_question_gets_the_overview():
    result = planned("UK-005", "can you help me plan for retirement")
    assert result.overview and result.record_fields == ["pension_balance"]
    assert tools(result) == sorted(OVERVIEW["UK"])
    assert not planned("AU-006", "Can you help me plan a wedding budget?").overview


def test_hinglish_questions_are_read():
    assert tools(planned("IN-008", "EPF se paisa nikalne par tax lagega kya?")) == ["in_epf_withdrawal_tax"]
    assert normalise("EPF se paisa kab nikal sakta hoon?") == "EPF money when withdraw can ?"
    assert normalise("I'm so tense about my pension main thing") == "I'm so tense about my pension main thing"  # English kept


def test_planner_tables_name_real_calculators():
    named = set(CUES) | set(COMPANIONS) | {c for cs in COMPANIONS.values() for c in cs} \
        | {t for ts in OVERVIEW.values() for t in ts} | {name for name, _, _ in FOCUS}
    assert named <= set(TOOL_SPECS), named - set(TOOL_SPECS)


@pytest.mark.parametrize("member_id, question, not_planned", [
    ("AU-009", "can i get my super early on compassionate grounds to pay for medical treatment", "au_preservation_age"),
    ("US-011", "What is the rule of 55?", "us_early_withdrawal_penalty"),
    ("US-008", "Do I have to pay tax on my Social Security benefits?", "us_social_security_benefit"),
    ("US-010", "If my husband dies, can I get his Social Security?", "us_social_security_benefit"),
    ("US-007", "What happens if I miss an RMD?", "us_required_minimum_distribution"),
    ("US-009", "what's my primary insurance amount", "us_social_security_benefit"),
    ("US-002", "how much do I put in my 401k each year", "us_401k_contribution_limit"),
    ("UK-006", "What is the money purchase annual allowance?", "uk_annual_allowance"),
    ("UK-005", "How many NI qualifying years do I have?", "uk_new_state_pension"),
    ("IN-003", "What's my NPS balance?", "in_nps_exit"),
    ("IN-010", "How much can I withdraw from EPF one year before retirement?", "in_epf_projection"),
])
def test_no_figures_for_a_different_question(member_id, question, not_planned):
    """A calculator whose intents catch the question but whose figures answer another one is not run (issue 14:
    'asked about hardship release, got preservation age')."""
    assert not_planned not in tools(planned(member_id, question))


@pytest.mark.parametrize("member_id, question, wanted", [
    ("US-012", "I'm 62. Should I claim Social Security now or wait until 70?", "us_social_security_benefit"),
    ("US-011", "Do I have to take a required minimum distribution yet?", "us_required_minimum_distribution"),
    ("UK-012", "What's the earliest age I can take my personal pension?", "uk_pension_access_age"),
    ("IN-011", "Was the interest on my PF taxable in 2025-26?", "in_epf_interest_tax"),
    ("IN-001", "What happens to my NPS corpus of ₹10 lakh when I exit?", "in_nps_exit"),
])
def test_the_calculation_asked_for_is_still_planned(member_id, question, wanted):
    assert wanted in tools(planned(member_id, question))


def test_a_pension_the_record_does_not_hold_is_asked_about():
    result = planned("UK-002", "How much is my final salary pension from the NHS worth?")
    assert result.other_scheme == "final salary" and not result.calls and not result.record_fields
    assert planned("UK-002", "What's my pension pot worth?").other_scheme is None


def test_rules_beside_calculated_figures_are_only_the_ones_asked_about():
    from pension_advisor.knowledge.retrieval import retrieve

    def explain(text):
        return retrieve(text, "AU", 3, 0.8)

    busy = plan("What was the SG rate in 2025-26, and how much would my employer have paid on a $300,000 salary?",
                MEMBERS["AU-012"], SPECS, ON, None, explain)
    assert tools(busy) == ["au_super_guarantee"] and len(busy.retrieved) == 1  # not the Work Bonus, not the caps
    clear = plan("Is a super lump sum tax free after 60?", MEMBERS["AU-001"], SPECS, ON, None, explain)
    assert [p["id"] for p in clear.retrieved][:2] == ["au-tax-lump-sum-60-plus", "au-tax-lump-sum-under-60"]
