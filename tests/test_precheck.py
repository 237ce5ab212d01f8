from pension_advisor.evidence import gather, numbers_in
from pension_advisor.precheck import violations

OUTCOME = {
    "tool": "uk_new_state_pension", "args": {"qualifying_years": 28},
    "result": {"tool": "uk_new_state_pension", "country": "UK", "tax_year": "2026-27", "currency": "GBP",
               "figures": [{"name": "weekly_pension", "label": "Estimated new State Pension", "value": 193.04,
                            "unit": "GBP", "period": "week", "citation": 0}],
               "assumptions": [], "rule_path": [],
               "citations": [{"title": "The new State Pension", "url": "https://www.gov.uk/new-state-pension",
                              "tax_year": "2026-27", "rule": "full_rate"}]},
    "error": None,
}
EVIDENCE = gather([OUTCOME], {"country": "UK", "currency": "GBP", "age": 61}, "what will I get?")


def codes(body):
    return {v["code"] for v in violations(body, EVIDENCE)}


def test_numbers_in_reads_separators_and_ignores_citation_marks():
    assert numbers_in("£1,234.50 [2] and ₹1,50,000\n1. item 7") == [1234.5, 150000.0, 7.0]


def test_clean_answer_passes():
    assert codes("You would get about £193.04 a week [1], or £193 [1], from your 28 years.") == set()


def test_invented_number():
    assert "unsupported_number" in codes("You would get £250 a week [1].")


def test_figure_without_citation():
    assert codes("You would get £193.04 a week.") == {"missing_citation"}


def test_citation_that_resolves_nowhere():
    assert "bad_citation" in codes("You would get £193.04 a week [3].")


def test_wrong_currency_and_country():
    assert {"wrong_currency", "wrong_country"} <= codes("You would get ₹193.04 [1], like an EPF pension.")


def test_promise_of_returns_but_not_scheme_names():
    assert "promise_of_returns" in codes("This is guaranteed income of £193.04 a week [1].")
    au = gather([], {"country": "AU", "currency": "AUD"}, "")
    assert violations("Your employer pays the super guarantee on your wages.", au) == []


def test_empty_answer():
    assert codes("  ") == {"empty_answer"}


def test_tool_caveats_are_not_promises_or_foreign_schemes():
    outcome = {**OUTCOME, "result": {**OUTCOME["result"], "assumptions": [
        "Investment returns are not guaranteed.", "Unlike superannuation, the annuity is compulsory."]}}
    evidence = gather([outcome], {"country": "UK", "currency": "GBP"}, "")
    body = ("- Estimated new State Pension: £193.04 a week [1]\n"
            "- Assumption: Investment returns are not guaranteed. [1]\n"
            "- Assumption: Unlike superannuation, the annuity is compulsory. [1]")
    assert violations(body, evidence) == []
    # The writer's own words are still checked.
    assert {v["code"] for v in violations(body + "\nYour superannuation is guaranteed to grow.", evidence)} >= {
        "wrong_country", "promise_of_returns"}


def test_numbers_in_fact_labels_are_allowed():
    outcome = {**OUTCOME, "result": {**OUTCOME["result"], "figures": [
        {"name": "at62", "label": "Monthly benefit if claimed at 62", "value": 1400.0, "unit": "GBP",
         "period": "month", "citation": 0}]}}
    evidence = gather([outcome], {"country": "UK", "currency": "GBP"}, "")
    assert violations("- Monthly benefit if claimed at 62: £1,400 a month [1]", evidence) == []


# Issue 14/18: the pre-check binds a number to its meaning, not merely to the set of allowed numbers.
LIMITS = gather([{
    "tool": "us_401k_contribution_limit", "args": {"age": 52},
    "result": {"tool": "us_401k_contribution_limit", "country": "US", "tax_year": "2026", "currency": "USD",
               "figures": [{"name": "elective_deferral_limit", "label": "Employee elective deferral limit", "value": 24500,
                            "unit": "USD", "period": "year", "citation": 0},
                           {"name": "catch_up_limit", "label": "Catch-up contribution allowed", "value": 8000,
                            "unit": "USD", "period": "year", "citation": 0}],
               "assumptions": [], "rule_path": [],
               "citations": [{"title": "IRS Notice 2025-67", "url": "https://www.irs.gov/pub/irs-drop/n-25-67.pdf",
                              "tax_year": "2026", "rule": "elective_deferral_limit"}]},
    "error": None}], {"country": "US", "currency": "USD", "age": 52}, "how much can I put in my 401(k)?")


def test_two_allowed_numbers_swapped_between_labels_fail():
    right = "- Employee elective deferral limit: $24,500 a year [1]\n- Catch-up contribution allowed: $8,000 a year [1]"
    swapped = "- Employee elective deferral limit: $8,000 a year [1]\n- Catch-up contribution allowed: $24,500 a year [1]"
    assert {v["code"] for v in violations(right, LIMITS)} == set()
    assert "misbound_number" in {v["code"] for v in violations(swapped, LIMITS)}


def test_the_members_age_is_not_their_state_pension():
    # 61 is allowed (the member's age) but not as the pension: "the State Pension is £61 a week" binds it wrongly.
    assert "misbound_number" in codes("Your estimated new State Pension is £61 a week [1].")
    assert "misbound_number" not in codes("Your estimated new State Pension is £193.04 a week [1].")


def test_the_code_attaches_the_citation_a_correct_figure_lacks():
    # Issue 14: a small model's correct "... £193.04 a week." failed only for the missing [n]; the code now attaches
    # the mark it can vouch for (the figure under its own label), and leaves a wrong one for the pre-check to fail.
    from pension_advisor.precheck import attach_citations

    right = attach_citations("Your estimated new State Pension is £193.04 a week.", EVIDENCE)
    assert right == "Your estimated new State Pension is £193.04 a week [1]." and codes(right) == set()
    wrong = attach_citations("Your estimated new State Pension is £61 a week.", EVIDENCE)
    assert "[1]" not in wrong and "misbound_number" in codes(wrong)
