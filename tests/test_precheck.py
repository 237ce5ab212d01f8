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
